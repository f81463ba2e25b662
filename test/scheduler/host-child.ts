// A scheduler host in its own process, for the kill -9 test: submits the jobs it is given, prints
// their ids as one JSON line, then keeps hosting until it is killed.
import { Scheduler } from '../../src/core/scheduler/index.js';
import type { EvalSpec } from '../../src/core/spec.js';

const [stateDir, specsJson] = process.argv.slice(2);
const s = await Scheduler.open({ stateDir: stateDir!, graceMs: 500 });
const ids = (JSON.parse(specsJson!) as EvalSpec[]).map((spec) => s.submit(spec, { cwd: process.cwd(), env: { ...process.env } as Record<string, string> }).id);
process.stdout.write(`${JSON.stringify(ids)}\n`);
setInterval(() => {}, 1 << 30);
