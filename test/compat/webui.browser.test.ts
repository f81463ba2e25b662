/**
 * lmms-eval's stock web front end (the 0.7.3 wheel's build, see stock-webui.ts) in real Chromium against a
 * real `lmms-tui web` and per-user server on loopback, running demo harness jobs: what a user of the page
 * sees for a refused configuration, an import the form cannot represent, a queued, coloured, progressing
 * run in the launch directory, a stop in its grace period, and the version in the header.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmmsClient } from '../../src/client/client.js';
import { startWebServer, type WebServer } from '../../src/compat/webui.js';
import { alivePids, compatEnv, newHomeDir, pidsIn, removeHome, startTestServer, until, type TestServer } from './helpers.js';
import { CHROMIUM, stockFrontEnd } from './stock-webui.js';

// Without Debian's chromium this file cannot run. Under CI that is a failure (.ci/run installs it); on a
// newcomer's machine the tests are skipped, with a message here and each one named in the run's summary.
const haveBrowser = existsSync(CHROMIUM);
if (!haveBrowser && process.env.LMMS_TUI_REAL_REQUIRED === '1') throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
if (!haveBrowser) process.stderr.write(`skipping the web front end tests: no ${CHROMIUM} (apt-get install chromium, or set LMMS_TUI_CHROMIUM)\n`);

let s: TestServer;
let home: string;
let client: LmmsClient;
let web: WebServer;
let browser: Browser;
let base: string;
let cwd: string;
let dist: string;

beforeAll(async () => {
  if (!haveBrowser) return;
  dist = stockFrontEnd();
  home = newHomeDir();
  compatEnv(home);
  s = await startTestServer(home, { concurrency: 1 });
  client = new LmmsClient({ socketPath: s.server.paths.socket });
  base = mkdtempSync(path.join(tmpdir(), 'lmms-web-browser-'));
  cwd = path.join(base, 'launch');
  mkdirSync(cwd);
  web = await startWebServer({
    client, cwd, env: process.env, target: { harness: 'lmms-eval', demo: true }, distDir: dist,
    version: 'test', heartbeatMs: 200, progressMs: 100, host: '127.0.0.1', port: 0,
  });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
}, 300_000);
afterAll(async () => {
  await browser?.close();
  await web?.close();
  client?.close();
  await s?.close();
  if (home) removeHome(home);
  if (base) rmSync(base, { recursive: true, force: true });
});

async function openPage(url = web.url): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(url);
  await page.getByRole('button', { name: 'Start' }).waitFor();
  return page;
}

/** Imports YAML through the page's own Import button and file chooser. */
async function importYaml(page: Page, yaml: string): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('button', { name: 'Import' }).click();
  await (await chooser).setFiles({ name: 'run.yaml', mimeType: 'application/x-yaml', buffer: Buffer.from(yaml) });
}

/** The Log Output pane's lines, as the page shows them. */
const logLines = (page: Page) => page.locator('div.whitespace-pre-wrap.mb-1').allInnerTexts();

async function waitForLine(page: Page, test: (line: string) => boolean, what: string): Promise<string[]> {
  return until(async () => {
    const lines = await logLines(page);
    return lines.some(test) ? lines : null;
  }, { what, timeoutMs: 30_000 });
}

describe.skipIf(!haveBrowser)('the stock lmms-eval front end on lmms-tui web, in Chromium', () => {
  it('shows each problem of a refused configuration, not "Connection error", and queues nothing', async () => {
    const page = await openPage();
    const before = (await client.jobs()).length;
    await importYaml(page, 'model: demo\ntasks: demo_mme\nlimit: 0\nenv:\n  BAD NAME: x\n');
    await waitForLine(page, (l) => l.startsWith('Imported config from run.yaml'), 'the import');
    await page.getByRole('button', { name: 'Start' }).click();
    const lines = await waitForLine(page, (l) => l.startsWith('Error: '), 'the error line');
    expect(lines).toContain('lmms-tui refused this configuration; nothing was queued:');
    expect(lines.some((l) => /^ {2}env_vars line 1: /.test(l))).toBe(true);
    expect(lines.some((l) => /^ {2}limit: .*0/.test(l))).toBe(true);
    expect(lines).toContain('Error: configuration refused: 2 problems (see above); fix the form and start again');
    expect(lines).not.toContain('Connection error');
    // The page is ready for another try, and nothing reached the queue.
    await expect.poll(() => page.getByRole('button', { name: 'Start' }).isEnabled()).toBe(true);
    expect((await client.jobs()).length).toBe(before);
    await page.close();
  });

  it('says why an import the form cannot hold was refused, and keeps the form as it was', async () => {
    const page = await openPage();
    const batch = page.locator('label', { hasText: 'Batch Size' }).locator('xpath=following-sibling::input[1]');
    await expect.poll(() => batch.inputValue()).toBe('1');
    await importYaml(page, 'model: demo\ntasks: demo_mme\nbatch_size: auto\nlimit: 4\n');
    const lines = await waitForLine(page, (l) => l.startsWith('Import error: '), 'the import error');
    expect(lines.find((l) => l.startsWith('Import error: '))).toMatch(/^Import error: Invalid config: batch_size: "auto" cannot be entered in this form, .*batch size 1/);
    await importYaml(page, 'model: demo\ntasks: demo_mme\nlimit: 0.5\n');
    const again = await waitForLine(page, (l) => l.includes('limit: 0.5 cannot be entered'), 'the limit error');
    expect(again.filter((l) => l.startsWith('Imported config'))).toEqual([]);
    expect(await batch.inputValue()).toBe('1');
    await page.close();
  });

  it('runs a queued job in the launch directory, with its colours, its wait and its redrawn bar on the page', async () => {
    // One slot, taken by a hanging run, so the page's run waits.
    const blocker = await client.submit({ harness: 'lmms-eval', model: 'demo', tasks: ['demo_mme'], demo: true, env: ['LMMS_DEMO_HANG=1'] }, { cwd, env: { ...(process.env as Record<string, string>) } });
    await until(async () => ((await client.job(blocker.id)).pid ? true : null), { what: 'the blocking run to start' });
    const page = await openPage();
    await importYaml(page, 'model: demo\ntasks: demo_mme\nlimit: 40\noutput_path: ./logs/browser/\nenv:\n  LMMS_DEMO_PACE: "0.02"\n  LMMS_DEMO_PIDFILE: ./browser.pids\n');
    await waitForLine(page, (l) => l.startsWith('Imported config'), 'the import');
    const env = page.getByPlaceholder('export KEY=VALUE...');
    await env.fill(`${await env.inputValue()}\nX=$(printf '\\033[31mred alert\\033[0m\\n' >&2)`);
    await page.getByRole('button', { name: 'Start' }).click();
    await waitForLine(page, (l) => l === 'queued: waiting for a slot (position 1 in the queue)', 'the queued line');
    await client.stop(blocker.id, { wait: true });
    const lines = await waitForLine(page, (l) => l.startsWith('Evaluation completed (exit: 0)'), 'the end of the run');
    // Rendered in red by the page's own ANSI handling (the codes reach it).
    await expect.poll(() => page.locator('span.text-red-600', { hasText: 'red alert' }).count()).toBe(1);
    const bar = lines.map((l) => /^Model Responding: +\d+%\| (\d+)\/40 \[/.exec(l)).filter((m) => m !== null).map((m) => Number(m![1]));
    expect(bar.some((n) => n > 0 && n < 40)).toBe(true);
    // The relative pid file path of the env line resolved where `web` was started, as the original ran it.
    expect(pidsIn(path.join(cwd, 'browser.pids'))?.length).toBe(1);
    const job = (await client.jobs()).at(-1)!;
    expect(job.cwd).toBe(cwd);
    await page.close();
  });

  it('counts down to SIGKILL while a stopped run ignores SIGTERM, then shows it stopped', async () => {
    const page = await openPage();
    const pidfile = path.join(base, 'stop.pids');
    await importYaml(page, `model: demo\ntasks: demo_mme\noutput_path: ./logs/stop/\nenv:\n  LMMS_DEMO_HANG: "1"\n  LMMS_DEMO_IGNORE_TERM: "1"\n  LMMS_DEMO_PIDFILE: ${pidfile}\n`);
    await waitForLine(page, (l) => l.startsWith('Imported config'), 'the import');
    await page.getByRole('button', { name: 'Start' }).click();
    const pids = await until(() => pidsIn(pidfile), { what: 'the hanging run' });
    await page.getByRole('button', { name: 'Stop' }).click();
    const lines = await waitForLine(page, (l) => l === 'Evaluation stopped', 'the stop');
    expect(lines.some((l) => /^stopping: SIGTERM sent, SIGKILL in \d+ s$/.test(l))).toBe(true);
    expect(alivePids(pids)).toEqual([]);
    await page.close();
  });

  it('shows the version of a harness checkout without dist-info, instead of "unknown"', async () => {
    const checkout = path.join(base, 'checkout');
    mkdirSync(path.join(checkout, 'lmms_eval', 'tasks', 'mini'), { recursive: true });
    writeFileSync(path.join(checkout, 'pyproject.toml'), '[project]\nname = "lmms_eval"\nversion = "0.7.9.dev0"\n');
    writeFileSync(path.join(checkout, 'lmms_eval', '__init__.py'), '');
    writeFileSync(path.join(checkout, 'lmms_eval', 'tasks', 'mini', 'mini.yaml'), 'task: mini\n');
    const other = await startWebServer({
      client, cwd, env: { ...process.env, PYTHONPATH: checkout }, target: { harness: 'lmms-eval', python: 'python3', demo: false }, distDir: dist,
      version: 'test', host: '127.0.0.1', port: 0,
    });
    try {
      const page = await openPage(other.url);
      await page.getByText('v0.7.9.dev0').waitFor({ timeout: 30_000 });
      await page.close();
    } finally {
      await other.close();
    }
  });
});
