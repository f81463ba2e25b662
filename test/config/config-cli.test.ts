import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerConfig } from '../../src/cli/commands/config.js';
import { buildCommand } from '../../src/core/command/build.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lmms-tui-config-cli-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `lmms-tui config <args>` in-process, capturing what a user would see. */
async function config(args: string[]) {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const program = new Command()
    .name('lmms-tui')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerConfig(program, { out: (s) => (stdout += s), err: (s) => (stderr += s), cwd: () => dir, setExitCode: (c) => (exitCode = c) });
  program.commands.forEach((c) => c.exitOverride());
  try {
    await program.parseAsync(['config', ...args], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    exitCode = err.exitCode;
  }
  return { stdout, stderr, exitCode };
}

describe('lmms-tui config import', () => {
  it('masks secrets in the printed spec and scripts unless --reveal', async () => {
    writeFileSync(path.join(dir, 's.yaml'), 'model: openai_compatible\nmodel_args: model_version=x,api_key=ak-import-secret\ntasks: mme\nenv:\n  HF_TOKEN: hf_importsecret_value\n');
    for (const extra of [[], ['--preview']]) {
      const r = await config(['import', 's.yaml', ...extra]);
      expect(r.exitCode).toBe(0);
      expect(r.stdout).not.toMatch(/ak-import-secret|hf_importsecret_value/);
      expect(r.stdout).toContain('api_key=••••••');
      expect(r.stderr).toContain('--reveal');
    }
    const clear = await config(['import', 's.yaml', '--reveal']);
    expect(JSON.parse(clear.stdout)).toMatchObject({ model_args: 'model_version=x,api_key=ak-import-secret', env: ['HF_TOKEN=hf_importsecret_value'] });
  });

  it('prints the spec JSON and reports unknown keys on stderr', async () => {
    writeFileSync(path.join(dir, 'c.yaml'), 'model: llava\ntasks: mme,ai2d\nlimit: 8\nwat: 1\n');
    const r = await config(['import', 'c.yaml']);
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ harness: 'lmms-eval', model: 'llava', tasks: ['mme', 'ai2d'], limit: 8 });
    expect(r.stderr).toContain('note: wat: unknown key; lmms-eval would reject the file');
    expect((await config(['import', 'c.yaml', '--strict'])).exitCode).toBe(2);
  });

  it('previews the exact command of each entry of a list', async () => {
    writeFileSync(path.join(dir, 'c.yaml'), '- model: llava\n  tasks: mme\n- model: hf\n  tasks: ai2d\n  batch_size: auto\n');
    const r = await config(['import', 'c.yaml', '--preview']);
    expect(r.exitCode).toBe(0);
    const second = buildCommand({ harness: 'lmms-eval', model: 'hf', tasks: ['ai2d'], batch_size: 'auto' }, { cwd: dir }).script;
    expect(r.stdout).toContain('# --- entry 1 of 2 ---\n');
    expect(r.stdout).toContain(`# --- entry 2 of 2 ---\n${second}`);
  });

  it('says what is wrong with an unreadable or malformed file (exit 2)', async () => {
    const missing = await config(['import', 'nope.yaml']);
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toMatch(/cannot read .*nope\.yaml: ENOENT/);
    writeFileSync(path.join(dir, 'bad.yaml'), 'tasks: [a,\n');
    const bad = await config(['import', 'bad.yaml']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/config YAML does not parse/);
  });
});

describe('lmms-tui config show / set', () => {
  it('changes a UI setting in the settings file and refuses unknown ones', async () => {
    const saved = process.env.LMMS_TUI_HOME;
    process.env.LMMS_TUI_HOME = dir;
    try {
      expect((await config(['set', 'clipboard', 'tmux'])).exitCode).toBe(0);
      const shown = JSON.parse((await config(['show'])).stdout) as { file: string; settings: Record<string, string> };
      expect(shown.file).toBe(path.join(dir, 'config', 'config.json'));
      expect(shown.settings).toEqual({ clipboard: 'tmux', glyphs: 'unicode' });
      const bad = await config(['set', 'clipboard', 'pigeon']);
      expect(bad.exitCode).toBe(2);
      expect(bad.stderr).toContain('use one of auto, osc52, tmux, off');
      expect((await config(['set', 'colour', 'red'])).stderr).toContain('unknown setting "colour"');
    } finally {
      if (saved === undefined) delete process.env.LMMS_TUI_HOME;
      else process.env.LMMS_TUI_HOME = saved;
    }
  });
});

describe('lmms-tui config export', () => {
  it('refuses -o FILE (the harness\'s --output_path) instead of writing the YAML to stdout, and writes with -O', async () => {
    const bad = await config(['export', '--model', 'llava', '--tasks', 'mme', '-o', 'run.yaml']);
    expect(bad.exitCode).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain("-o is the harness's --output_path");
    expect(bad.stderr).toContain('-O FILE');
    expect(() => readFileSync(path.join(dir, 'run.yaml'))).toThrow();
    const ok = await config(['export', '--model', 'llava', '--tasks', 'mme', '-O', 'run.yaml', '-o', './logs']);
    expect(ok.exitCode).toBe(0);
    expect(parse(readFileSync(path.join(dir, 'run.yaml'), 'utf8'))).toEqual([{ model: 'llava', tasks: 'mme', output_path: './logs' }]);
    const spelled = await config(['export', '--model', 'llava', '--tasks', 'mme', '--output_path', './logs']);
    expect(spelled.exitCode).toBe(0);
    expect(parse(spelled.stdout)).toEqual([{ model: 'llava', tasks: 'mme', output_path: './logs' }]);
  });

  it('writes the YAML for the spec flags to stdout', async () => {
    const r = await config(['export', '--model', 'llava', '--tasks', 'mme,ai2d', '--seed', '3', '--env', 'HF_HOME=/c', '-b', '4']);
    expect(r.exitCode).toBe(0);
    expect(parse(r.stdout)).toEqual([{ model: 'llava', tasks: 'mme,ai2d', batch_size: 4, seed: [3, 3, 3, 3], env: { HF_HOME: '/c' } }]);
  });

  it('writes to a file with --out, refuses to overwrite without --force, and imports back', async () => {
    const r = await config(['export', '--harness', 'lm-eval', '--tasks', 'hellaswag', '--limit', '10', '--out', 'x.yaml']);
    expect(r.exitCode).toBe(0);
    expect(parse(readFileSync(path.join(dir, 'x.yaml'), 'utf8'))).toEqual({ model: 'hf', tasks: 'hellaswag', limit: 10 });
    const again = await config(['export', '--tasks', 'mme', '--out', 'x.yaml']);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toMatch(/x\.yaml exists/);
    const back = await config(['import', 'x.yaml']);
    expect(JSON.parse(back.stdout)).toEqual({ harness: 'lm-eval', model: 'hf', tasks: ['hellaswag'], limit: 10 });
  });

  it('refuses an invalid spec with every problem listed (exit 2)', async () => {
    const r = await config(['export', '--limit', 'lots', '--batch_size', 'huge']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('tasks: no tasks given');
    expect(r.stderr).toContain('batch_size: batch size "huge" is not valid');
    expect(r.stdout).toBe('');
  });
});
