/** Current time from the services' clock, re-read every `intervalMs` (0: only on re-render). */
import { useEffect, useState } from 'react';
import { useServices } from '../services.js';

export function useNow(intervalMs: number): number {
  const { now } = useServices();
  const [, setTick] = useState(0);
  useEffect(() => {
    if (intervalMs <= 0) return;
    const t = setInterval(() => setTick((n) => n + 1), intervalMs);
    t.unref?.();
    return () => clearInterval(t);
  }, [intervalMs]);
  return now();
}
