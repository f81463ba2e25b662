// A scheduler host that kill -9s itself at one point of the first job's launch (argv[4]: persisted,
// spawned or recorded), for the crash-window tests. The rest of the specs are submitted while the first
// launches, so they wait in the queue behind it. With `freeze`, at `spawned` it first stops the new
// wrapper (SIGSTOP), so the next host meets a wrapper that has not written its own record yet; the test
// thaws it. The jobs' ids are in the state dir.
import { Scheduler, type LaunchStep } from '../../src/core/scheduler/index.js';
import type { EvalSpec } from '../../src/core/spec.js';

const [stateDir, specsJson, step, freeze] = process.argv.slice(2) as [string, string, LaunchStep, string | undefined];
const [first, ...rest] = JSON.parse(specsJson) as EvalSpec[];
const opts = () => ({ cwd: process.cwd(), env: { ...process.env } as Record<string, string> });
const s: Scheduler = await Scheduler.open({
  stateDir,
  graceMs: 500,
  onLaunchStep(at, job, pid) {
    if (rest.length) for (const spec of rest.splice(0)) s.submit(spec, opts());
    if (at !== step) return;
    if (at === 'spawned' && freeze === 'freeze') process.kill(pid!, 'SIGSTOP');
    process.stdout.write(`${JSON.stringify({ step: at, id: job.id })}\n`);
    process.kill(process.pid, 'SIGKILL');
  },
});
s.submit(first!, opts());
setInterval(() => {}, 1 << 30);

