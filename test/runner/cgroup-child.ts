// A scheduler host run by the cgroup test as another uid inside a cgroup delegated to it (what a user
// on a systemd GPU box has under user@UID.service): submits one job whose worker calls setsid and
// ignores SIGTERM, stops it, and prints the job record as one JSON line.
import { existsSync, readFileSync } from 'node:fs';
import { Scheduler } from '../../src/core/scheduler/index.js';

const [stateDir, spawnSh, pidfile] = process.argv.slice(2) as [string, string, string];
const s = await Scheduler.open({ stateDir, graceMs: 100, killWaitMs: 1000, cgroup: 'v2' });
const job = s.submit(
  { harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true, setup: `bash ${spawnSh} /usr/bin/python3 setsid ${pidfile} hold` },
  { cwd: stateDir, env: { ...process.env } as Record<string, string> },
);
const deadline = Date.now() + 15_000;
while (!(existsSync(pidfile) && readFileSync(pidfile, 'utf8').trim())) {
  if (Date.now() > deadline) throw new Error('the worker did not start');
  await new Promise((r) => setTimeout(r, 10));
}
const running = s.get(job.id);
const inCgroup = running.cgroup ? readFileSync(`${running.cgroup}/cgroup.procs`, 'utf8').trim().split('\n').map(Number) : [];
const done = await s.stop(job.id);
process.stdout.write(`${JSON.stringify({ job: done, inCgroup })}\n`);
s.close();
