import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildCommand } from '../../src/core/command/build.js';
import { demoHarnessDir } from '../../src/core/paths.js';
import { FLAGS } from '../../src/core/spec.js';
import { registerPreview } from '../../src/cli/commands/preview.js';

/** Runs `lmms-tui preview <args>` in-process and captures what a user would see. */
async function preview(args: string[], cwd = '/home/u/proj') {
  let stdout = '';
  let stderr = '';
  let exitCode = 0;
  const program = new Command()
    .name('lmms-tui')
    .exitOverride()
    .configureOutput({ writeOut: (s) => (stdout += s), writeErr: (s) => (stderr += s) });
  registerPreview(program, {
    out: (s) => (stdout += s),
    err: (s) => (stderr += s),
    cwd: () => cwd,
    setExitCode: (code) => (exitCode = code),
  });
  try {
    await program.parseAsync(['preview', ...args], { from: 'user' });
  } catch (err) {
    if (!(err instanceof CommanderError)) throw err;
    exitCode = err.exitCode;
  }
  return { stdout, stderr, exitCode };
}

describe('lmms-tui preview', () => {
  it('prints exactly the script the builder makes, with harness spellings and relative paths resolved', async () => {
    const r = await preview(['--model', 'llava', '--model_args', 'pretrained=a/b', '--tasks', 'mme,mmmu_val', '-b', '4',
      '--num_fewshot', '0', '--output_path', 'out', '--log_samples', '--env', 'HF_HOME=/c', '--env', 'X=1',
      // No lmms-eval for python3 here: checking the names would only add a "not checked" note (tasks-check.test.ts).
      '--allow-unknown-tasks']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    const expected = buildCommand(
      { harness: 'lmms-eval', model: 'llava', model_args: 'pretrained=a/b', tasks: ['mme', 'mmmu_val'], batch_size: '4',
        num_fewshot: 0, output_path: 'out', log_samples: true, env: ['HF_HOME=/c', 'X=1'] },
      { cwd: '/home/u/proj' },
    );
    expect(r.stdout).toBe(expected.script);
    expect(r.stdout).toContain('  --output_path /home/u/proj/out \\\n');
  });

  it('prints argv, script and env as JSON', async () => {
    const r = await preview(['--harness', 'lm-eval', '--tasks', 'hellaswag', '--limit', '0.1', '--json']);
    const json = JSON.parse(r.stdout) as { argv: string[]; script: string; env: Record<string, string> };
    expect(json.argv).toEqual(['python3', '-m', 'lm_eval', 'run', '--model', 'hf', '--tasks', 'hellaswag', '--limit', '0.1']);
    expect(json.script).toBe(buildCommand({ harness: 'lm-eval', model: 'hf', tasks: ['hellaswag'], limit: 0.1 }, { cwd: '/home/u/proj' }).script);
    expect(json.env).toEqual({ PYTHONUNBUFFERED: '1' });
  });

  it('collects tasks given as a comma list, repeated, or space-separated', async () => {
    const r = await preview(['--tasks', 'a,b', '-t', 'c', '--tasks', 'd', 'e', '--json']);
    const { argv } = JSON.parse(r.stdout) as { argv: string[] };
    expect(argv[argv.indexOf('--tasks') + 1]).toBe('a,b,c,d,e');
  });

  it('passes everything after -- to the harness unchanged', async () => {
    // Even our own option names (--json) go to the harness once they follow --.
    const r = await preview(['--json', '--tasks', 'mme', '--', '--new_flag', 'a b', '--limit', '3', '--json']);
    const { argv } = JSON.parse(r.stdout) as { argv: string[] };
    expect(argv.slice(-5)).toEqual(['--new_flag', 'a b', '--limit', '3', '--json']);
  });

  it('uses the demo harness and model with --demo', async () => {
    const r = await preview(['--demo', '--tasks', 'demo_mme']);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('# lmms-tui: lmms-eval job (simulated: demo harness)');
    expect(lines[1]).toBe(`export PYTHONPATH=${demoHarnessDir()}\${PYTHONPATH:+:$PYTHONPATH}`);
    expect(r.stdout).toContain('  --model demo \\\n');
  });

  it('reports every spec problem on stderr with exit code 2 and prints nothing on stdout', async () => {
    const r = await preview(['--num_fewshot', 'three', '--limit', 'all', '--num_gpus', 'two', '--harness', 'lm-eval',
      '--offset', '1', '--env', 'bad line', 'stray']);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trimEnd().split('\n').slice(1);
    expect(lines.map((l) => /^ {2}([^:]+): .+ — .+$/.exec(l)?.[1])).toEqual([
      'extra_args', 'tasks', 'env line 1', 'num_gpus', 'limit', 'offset', 'num_fewshot',
    ]);
    expect(r.stderr).toContain('  offset: lm-eval has no --offset — remove it or switch harness\n');
    expect(r.stderr).toContain('unexpected argument "stray"');
  });

  it('masks secrets by default and prints the exact script with --reveal', async () => {
    const args = ['--allow-unknown-tasks', '--tasks', 'x', '--env', 'HF_TOKEN=hf_secret', '--setup', 'export MY_PASSWORD=pw-secret-1', '--model_args', 'pretrained=a,api_key=key-secret-2'];
    for (const extra of [[], ['--mask-secrets'], ['--json']]) {
      const masked = await preview([...args, ...extra]);
      expect(masked.exitCode).toBe(0);
      expect(masked.stdout).toContain('HF_TOKEN=••••••');
      for (const s of ['hf_secret', 'pw-secret-1', 'key-secret-2']) expect(masked.stdout + masked.stderr).not.toContain(s);
      expect(masked.stderr).toContain('--reveal');
    }
    const plain = await preview([...args, '--reveal']);
    expect(plain.stdout).toContain('export HF_TOKEN=hf_secret');
    expect(plain.stdout).toContain('export MY_PASSWORD=pw-secret-1');
    expect(plain.stdout).toContain('api_key=key-secret-2');
    expect(plain.stderr).toBe('');
  });

  it('offers an option for every harness flag, spelled as the harness spells it', async () => {
    const program = new Command();
    const cmd = registerPreview(program);
    const longs = new Set(cmd.options.map((o) => o.long));
    for (const flag of FLAGS) expect(longs.has(`--${flag.cli ?? flag.name}`)).toBe(true);
    const r = await preview(['--help']);
    expect(r.stdout).toContain('--batch_size <size>');
    expect(r.stdout).toContain('(lmms-eval only)');
  });
});
