import { useJobs } from '../services.js';

/** "lmms-eval 0.7.2 (python3)" once the harness has been located, else null. */
export function useHarnessLabel(): string | null {
  return useJobs((s) => s.harness);
}
