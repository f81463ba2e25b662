/**
 * `lmms-tui tasks` / `models` through the shipped entry (bin/lmms-tui.js over the dist/cli.js bundle the
 * global setup builds): the bundle is what users run, and esbuild's module interop differs from Node's
 * (the lazily loaded `yaml` fallback parser broke only there).
 */
import path from 'node:path';
import { rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { fakeSite, FIXTURES, siteEnv, tempDir } from './helpers.js';
import { ROOT } from '../e2e/tmux.js';

const ENTRY = path.join(ROOT, 'bin', 'lmms-tui.js');
const site = fakeSite('lmms-eval', path.join(FIXTURES, 'lmms', 'tasks'), { registry: path.join(FIXTURES, 'registry', 'lmms_models_init.py') });
const lmSite = fakeSite('lm-eval', path.join(FIXTURES, 'lm', 'tasks'), { registry: path.join(FIXTURES, 'registry', 'lm_models_init.py') });
const home = tempDir();
afterAll(() => {
  site.cleanup();
  lmSite.cleanup();
  rmSync(home, { recursive: true, force: true });
});

let out = '';
let err = '';
beforeEach(() => {
  out = '';
  err = '';
});

/** Runs the shipped CLI with only `sitePath` on PYTHONPATH; a fresh LMMS_TUI_HOME per file keeps caches apart. */
function run(...argv: string[]): Promise<number> {
  return runIn(site.site, ...argv);
}

function runIn(sitePath: string, ...argv: string[]): Promise<number> {
  const env = { ...siteEnv(sitePath), LMMS_TUI_HOME: home };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
}

describe('lmms-tui tasks', () => {
  it('--json prints every name with type, yaml_path relative to its root, and details', async () => {
    expect(await run('tasks', '--json', '--python', 'python3')).toBe(0);
    const list = JSON.parse(out) as { name: string; type: string; yaml_path: string | null }[];
    expect(list.find((e) => e.name === 'alpha_a')).toMatchObject({ type: 'task', yaml_path: 'alpha/alpha_a.yaml', output_type: 'generate_until', tags: ['alpha_tag', 'shared_tag'] });
    expect(list.find((e) => e.name === 'alpha_tag')).toMatchObject({ type: 'tag', yaml_path: null, members: ['alpha_a', 'alpha_b'] });
    expect(new Set(list.map((e) => e.type))).toEqual(new Set(['task', 'group', 'tag', 'python_task']));
  });

  it('filters by fnmatch pattern or substring and prints a table and a summary', async () => {
    await run('tasks', 'alpha_*', '--python', 'python3');
    const names = out.trim().split('\n').slice(1).map((l) => l.split(/\s+/)[0]);
    expect(names).toEqual(['alpha_a', 'alpha_b', 'alpha_tag']);
    expect(out.split('\n')[0]).toMatch(/^NAME\s+TYPE\s+OUTPUT \/ MEMBERS\s+YAML$/);
    expect(out).toMatch(/alpha_tag\s+tag\s+2 members\s+-/);
    expect(err).toMatch(/^3 of \d+ names \(\d+ tasks, .*\) from \d+ files · .* · lmms_eval 9\.9\.9 at /);
    out = '';
    await run('tasks', 'DUP', '--python', 'python3');
    expect(out).toMatch(/dup_task\s+task\s+inner\s+dup\/inner\/dup_task_again\.yaml/);
  });

  it('--errors lists the broken files; --resolve expands a --tasks value and fails on unknown names', async () => {
    await run('tasks', '--errors', '--python', 'python3');
    expect(out).toMatch(/broken\/bad_syntax\.yaml:\d+: /);
    out = '';
    expect(await run('tasks', '--resolve', 'alpha,nope', '--python', 'python3')).toBe(1);
    expect(out).toContain('alpha → alpha_a, alpha_b, alpha_c_inline');
    expect(out).toContain('Tasks not found: nope');
  });

  it('explains a missing harness on stderr with exit code 1', async () => {
    expect(await run('tasks', '--harness', 'lm-eval', '--python', 'python3')).toBe(1);
    expect(err).toMatch(/lm_eval is not installed for .*pip install lm-eval/s);
  });

  it('indexes lm-eval files that need the full YAML parser (tabs, which libyaml accepts), cold and warm', async () => {
    for (const pass of ['cold', 'warm']) {
      out = '';
      err = '';
      expect(await runIn(lmSite.site, 'tasks', '--harness', 'lm-eval', '--json', '--python', 'python3'), `${pass}: ${err}`).toBe(0);
      const list = JSON.parse(out) as { name: string; type: string }[];
      expect(list.find((e) => e.name === 'tabbed_lm'), pass).toMatchObject({ type: 'task', yaml_path: 'tabs/tabbed.yaml' });
    }
  });
});

describe('lmms-tui models', () => {
  it('--json prints {name, aliases, kind} for every model', async () => {
    expect(await run('models', '--json', '--python', 'python3')).toBe(0);
    const list = JSON.parse(out) as { name: string; aliases: string[]; kind: string }[];
    expect(list.find((m) => m.name === 'async_openai')).toMatchObject({ aliases: ['async_openai_compatible_chat', 'async_openai_compatible'], kind: 'chat' });
    expect(list).toHaveLength(8);
  });
});
