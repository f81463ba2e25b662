/** Real runs through the per-user server: a private state dir, the spec of our tasks, and result checks. */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import type { LmmsClient } from '../../src/client/client.js';
import type { JobJson, Progress } from '../../src/client/types.js';
import { offlineEnv } from './venvs.js';
import { cleanupHomes, client, newHome } from '../server/helpers.js';
import { cleanupTasks, materializeTasks } from './helpers.js';

/** A fresh state dir whose server and jobs run offline; the grace is short so stops are quick. */
export async function realHome(extra: Record<string, string> = {}): Promise<{ home: string; env: NodeJS.ProcessEnv }> {
  return newHome({ LMMS_TUI_CONCURRENCY: '2', LMMS_TUI_GRACE_MS: '2000', ...offlineEnv(), PYTHONPATH: '', ...extra });
}

export interface MetricRow {
  task: string;
  metric: string;
  filter: string;
  value: number | string | null;
  stderr: number | null;
}

/**
 * The metrics a harness's results file holds, read straight from its JSON (`results` section,
 * `metric,filter` keys with numeric values; `metric_stderr,filter` beside them).
 */
export function metricsOfFile(file: string): MetricRow[] {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { results: Record<string, Record<string, unknown>> };
  const rows: MetricRow[] = [];
  for (const [task, entry] of Object.entries(json.results)) {
    for (const [key, value] of Object.entries(entry)) {
      const comma = key.indexOf(',');
      if (comma < 0 || typeof value !== 'number') continue;
      const metric = key.slice(0, comma);
      const filter = key.slice(comma + 1);
      // `acc_stderr`, and lmms-eval's `acc_stderr_clt`: uncertainties of a metric, not metrics.
      if (/_stderr(_|$)/.test(metric)) continue;
      const se = entry[`${metric}_stderr,${filter}`];
      rows.push({ task, metric, filter, value, stderr: typeof se === 'number' ? se : null });
    }
  }
  return sortRows(rows);
}

export function sortRows<T extends { task: string; metric: string; filter: string }>(rows: T[]): T[] {
  const key = (r: T): string => `${r.task}\0${r.metric}\0${r.filter}`;
  return [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Follows a job's server-sent events to its end; returns every progress report and the final job. */
export async function followToEnd(c: LmmsClient, id: string): Promise<{ progress: Progress[]; job: JobJson; lines: string[] }> {
  const progress: Progress[] = [];
  const lines: string[] = [];
  for await (const ev of c.followLog(id)) {
    if (ev.type === 'progress') progress.push(ev.progress);
    else if (ev.type === 'lines') lines.push(...ev.lines);
    else if (ev.type === 'end') return { progress, job: ev.job, lines };
  }
  return { progress, job: await c.job(id), lines };
}

/** What a real-harness test file shares: our task tree written out, an isolated state dir, a client of its server. */
export interface RealSession {
  env: NodeJS.ProcessEnv;
  c: LmmsClient;
  tasks: string;
}

/** Registers the file's set-up and clean-up; `ready` gets the session once beforeAll has made it. */
export function useRealSession(ready: (s: RealSession) => void): void {
  let c: LmmsClient | undefined;
  beforeAll(async () => {
    const tasks = materializeTasks();
    const { env } = await realHome();
    c = await client(env);
    ready({ env, c, tasks });
  });
  afterAll(async () => {
    c?.close();
    await cleanupHomes();
    cleanupTasks();
  });
}
