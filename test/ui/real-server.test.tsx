/**
 * The TUI against a real per-user server (auto-started on a private state dir, as `lmms-tui` does): the
 * server stopped for real while the TUI is open and coming back, and a stop's countdown with the grace the
 * server was started with.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { renderTui, type RenderedTui } from './helpers/render-tui.js';
import { stopServices, testServices, type TestServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';
import { connect } from '../../src/client/connect.js';
import { backendFromClient } from '../../src/ui/backend.js';
import { lazyBackend } from '../../src/ui/lazy-backend.js';
import { serverPaths } from '../../src/server/paths.js';
import { readPidFile } from '../../src/server/pidfile.js';
import { isAlive } from '../../src/core/runner/index.js';
import { cleanupHomes, cli, client, demoSpec, newHome, until } from '../server/helpers.js';

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
  await cleanupHomes();
});

/** The TUI as `lmms-tui` builds it (lazyBackend over an auto-starting client), with a real clock. */
function openTui(env: NodeJS.ProcessEnv, entry: { path: string }, opts: { columns?: number; rows?: number } = {}): RenderedTui & { services: TestServices } {
  // The TUI's own environment does not carry the server's grace: it must learn it from the server.
  const tuiEnv = { ...env };
  delete tuiEnv.LMMS_TUI_GRACE_MS;
  // The last connect, so the cleanup can wait for a server it may be starting (and then stop that one too).
  let connecting: Promise<unknown> = Promise.resolve();
  const open = async () => backendFromClient(await connect({ env: tuiEnv, stateDir: env.LMMS_TUI_HOME, serverEntry: entry.path, keepAlive: true }), { demo: true, env: tuiEnv });
  const backend = lazyBackend(() => {
    const p = open();
    connecting = p.catch(() => undefined);
    return p;
  }, {
    demo: true,
    graceSeconds: 10,
    where: env.LMMS_TUI_HOME!,
    retryMs: 200,
  });
  const ui = createUiStore({ screen: 'jobs' });
  const s = testServices(backend, { ui, pollMs: 100 });
  s.now = () => Date.now();
  s.poller!.start();
  const r = renderTui(<App services={s} />, { columns: opts.columns ?? 120, rows: opts.rows ?? 40, ui });
  cleanups.push(async () => {
    r.unmount();
    stopServices(s);
    backend.close();
    await connecting;
  });
  return Object.assign(r, { services: s });
}

function serverPid(env: NodeJS.ProcessEnv): number | null {
  const info = readPidFile(serverPaths(env.LMMS_TUI_HOME!).pidFile);
  return info && isAlive(info) ? info.pid : null;
}

describe('TUI with a real server', () => {
  it('reconnects when the server is stopped, starting a new one, and drops the stale messages', async () => {
    const { env } = await newHome();
    const c = await client(env);
    const done = await c.submit(demoSpec(), { env: env as Record<string, string> });
    await c.waitForJob(done.id, { intervalMs: 50, timeoutMs: 20_000 });
    c.close();
    const first = serverPid(env)!;
    expect(first).toBeGreaterThan(0);

    // While the entry is broken the new server cannot start (it exits at once), so the TUI shows why.
    const entry = { path: env.LMMS_TUI_SERVER_ENTRY! };
    const r = openTui(env, entry);
    await r.find('server up');
    await r.find(done.id);
    const broken = path.join(env.LMMS_TUI_HOME!, 'broken-entry.mjs');
    writeFileSync(broken, 'process.exit(1)\n');
    entry.path = broken;
    expect((await cli(['server', 'stop'], env)).code).toBe(0);
    await until(() => serverPid(env) === null, { what: 'the server to stop' });
    await r.find('server down', 10_000);
    // An action tried meanwhile fails with the reason in the banner.
    await r.press('D');
    await r.find(`Remove job ${done.id}?`);
    await r.press('Enter');
    let f = await r.find('the lmms-tui server exited while starting', 10_000);
    expect(f).toMatch(/^✗ the lmms-tui server exited while starting/m);

    // Fixed: the next poll starts a server (a new process), and the stale messages go by themselves.
    entry.path = env.LMMS_TUI_SERVER_ENTRY!;
    f = await r.find('server up', 15_000);
    const second = serverPid(env);
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
    f = await r.findNo('exited while starting', 5000);
    expect(f).not.toContain('server down');
    expect(f).toContain(done.id);
  });

  it("counts a stop down to SIGKILL with the server's own grace (server started with a 30 s grace)", async () => {
    const { env } = await newHome({ LMMS_TUI_GRACE_MS: '30000' });
    const c = await client(env);
    const pidfile = path.join(env.LMMS_TUI_HOME!, 'harness.pid');
    const hang = await c.submit(demoSpec(), { env: { ...(env as Record<string, string>), LMMS_DEMO_HANG: '1', LMMS_DEMO_IGNORE_TERM: '1', LMMS_DEMO_PIDFILE: pidfile } });
    // The harness writes its pid file once SIGTERM is ignored: from then on only SIGKILL ends it.
    await until(() => existsSync(pidfile), { what: 'the harness to start' });
    const r = openTui(env, { path: env.LMMS_TUI_SERVER_ENTRY! });
    await r.find(/running\s+\S+ .*/);
    await r.find('server up');
    // The header's health poll follows the first job list by a moment.
    await r.waitFor(() => r.services.jobs.getState().health !== null, 5000, 'health');
    await r.press('S');
    let f = await r.find(`Stop job ${hang.id}?`);
    expect(f).toContain('SIGKILL after 30 s');
    await r.press('Enter');
    f = await r.find('■ stopping', 5000);
    expect(f).toMatch(new RegExp(`■ stopping\\s+${hang.id} .*SIGKILL in (30|29|28)s`));
    const job = await c.job(hang.id);
    expect(job.stop_grace_ms).toBe(30_000);
    expect(Math.abs(Date.parse(job.stop_requested_at!) - Date.now())).toBeLessThan(10_000);
    expect((await c.health()).grace_ms).toBe(30_000);
    c.close();
    // cleanupHomes kills the job's group: the grace is not waited out.
  });
});
