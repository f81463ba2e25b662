import { copyFileSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCommand, maskSecrets } from '../../src/core/command/build.js';
import { ValidationError } from '../../src/core/errors.js';
import type { EvalSpec } from '../../src/core/spec.js';
import { runBash, splitDumps, tempDir, writeDumper } from './bash-helpers.js';

const cwd = '/home/u/proj';
const base = (over: Partial<EvalSpec> = {}): EvalSpec => ({ harness: 'lmms-eval', model: 'llava', tasks: ['mme'], ...over });

const dir = tempDir();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('preview layout', () => {
  it('renders comment header, setup, env lines and one flag per line', () => {
    const { script, argv } = buildCommand(
      base({
        model_args: 'pretrained=a/b',
        tasks: ['mme', 'mmmu_val'],
        batch_size: '1',
        setup: 'source .venv/bin/activate',
        env: ['HF_HOME=${HF_HOME:-~/.cache}', '# keep this', '', 'export A="x y"'],
      }),
      { cwd },
    );
    expect(script).toBe(
      [
        '# lmms-tui: lmms-eval job',
        'source /home/u/proj/.venv/bin/activate',
        'export HF_HOME=${HF_HOME:-~/.cache}',
        '# keep this',
        '',
        'export A="x y"',
        'python -m lmms_eval \\',
        '  --model llava \\',
        '  --model_args pretrained=a/b \\',
        '  --tasks mme,mmmu_val \\',
        '  --batch_size 1',
        '',
      ].join('\n'),
    );
    expect(argv).toEqual(['python', '-m', 'lmms_eval', '--model', 'llava', '--model_args', 'pretrained=a/b', '--tasks', 'mme,mmmu_val', '--batch_size', '1']);
    expect(script).not.toMatch(/\bexec\b/);
  });

  it('marks demo jobs as simulated and puts the demo harness first on PYTHONPATH', () => {
    const { script } = buildCommand(base({ demo: true, model: 'demo', setup: 'true' }), { cwd, demoHarnessDir: '/opt/demo harness' });
    const lines = script.split('\n');
    expect(lines[0]).toBe('# lmms-tui: lmms-eval job (simulated: demo harness)');
    expect(lines[1]).toBe("export PYTHONPATH='/opt/demo harness'${PYTHONPATH:+:$PYTHONPATH}");
    expect(lines[2]).toBe('true');
  });

  it('shows non-printing characters as visible escapes', () => {
    const { script } = buildCommand(base({ system_instruction: 'a\tb' }), { cwd });
    expect(script).toContain(`--system_instruction 'a'$'\\t''b'`);
  });
});

describe('interpreter', () => {
  it('is python3 by default, python after a set-up line, spec.python when given', () => {
    expect(buildCommand(base(), { cwd }).argv[0]).toBe('python3');
    expect(buildCommand(base({ setup: 'conda activate x' }), { cwd }).argv[0]).toBe('python');
    expect(buildCommand(base({ python: 'python3.11', setup: 'x' }), { cwd }).argv[0]).toBe('python3.11');
    expect(buildCommand(base({ python: '.venv/bin/python' }), { cwd }).argv[0]).toBe('/home/u/proj/.venv/bin/python');
    expect(buildCommand(base({ python: '~/py/bin/python' }), { cwd }).argv[0]).toBe(path.join(homedir(), 'py/bin/python'));
  });
});

describe('flags', () => {
  it('emits flags in FLAGS order whatever the spec key order', () => {
    const { argv } = buildCommand(base({ seed: '1', log_samples: true, output_path: '/o', limit: 5, batch_size: 'auto:4' }), { cwd });
    expect(argv.slice(7)).toEqual(['--batch_size', 'auto:4', '--limit', '5', '--output_path', '/o', '--log_samples', '--seed', '1']);
  });

  it('emits bools only when true and optional-value flags bare or with their value', () => {
    const off = buildCommand(base({ log_samples: false, apply_chat_template: false }), { cwd }).argv;
    expect(off).not.toContain('--log_samples');
    expect(off).not.toContain('--apply_chat_template');
    const bare = buildCommand(base({ apply_chat_template: true }), { cwd }).argv;
    expect(bare.at(-1)).toBe('--apply_chat_template');
    const named = buildCommand(base({ harness: 'lm-eval', apply_chat_template: 'chatml' }), { cwd }).argv;
    expect(named.slice(-2)).toEqual(['--apply_chat_template', 'chatml']);
  });

  it('uses lm-eval run subcommand and its own flags', () => {
    const { argv, script } = buildCommand(
      { harness: 'lm-eval', model: 'hf', tasks: ['hellaswag'], samples: '{"hellaswag":[1]}', metadata: '{"a":1}', confirm_run_unsafe_code: true },
      { cwd },
    );
    expect(argv.slice(0, 4)).toEqual(['python3', '-m', 'lm_eval', 'run']);
    expect(argv.slice(8)).toEqual(['--samples', '{"hellaswag":[1]}', '--confirm_run_unsafe_code', '--metadata', '{"a":1}']);
    expect(script).toContain(`  --metadata '{"a":1}'`);
  });

  it('joins tasks with commas, trimming stray spaces around names', () => {
    expect(buildCommand(base({ tasks: ['mme', ' mmmu_val ', 'ai2d*'] }), { cwd }).argv.slice(-2)).toEqual(['--tasks', 'mme,mmmu_val,ai2d*']);
  });

  it('appends extra_args last, one argv element each', () => {
    const { argv, script } = buildCommand(base({ limit: 2, extra_args: ['--new_flag', 'a b', ''] }), { cwd });
    expect(argv.slice(-3)).toEqual(['--new_flag', 'a b', '']);
    expect(script.trimEnd().split('\n').at(-1)).toBe(`  --new_flag 'a b' ''`);
  });

  it('resolves relative path flags against the launch directory', () => {
    const { argv } = buildCommand(
      base({ output_path: 'out', include_path: '../tasks', config: 'c.yaml', use_cache: '/abs/cache', log_samples_suffix: 'x/y' }),
      { cwd },
    );
    const value = (flag: string) => argv[argv.indexOf(flag) + 1];
    expect(value('--output_path')).toBe('/home/u/proj/out');
    expect(value('--include_path')).toBe('/home/u/tasks');
    expect(value('--config')).toBe('/home/u/proj/c.yaml');
    expect(value('--use_cache')).toBe('/abs/cache');
    expect(value('--log_samples_suffix')).toBe('x/y');
    const samples = buildCommand({ harness: 'lm-eval', model: 'hf', tasks: ['x'], samples: 'idx.json' }, { cwd }).argv;
    expect(samples.at(-1)).toBe('/home/u/proj/idx.json');
    const home = buildCommand(base({ output_path: '~/results' }), { cwd }).argv;
    expect(home.at(-1)).toBe(path.join(homedir(), 'results'));
  });
});

describe('set-up line', () => {
  it('sources a relative activate script from the launch directory, wherever the script is run', () => {
    const script = (setup: string) => buildCommand(base({ setup }), { cwd }).script;
    expect(script('source .venv/bin/activate')).toContain('\nsource /home/u/proj/.venv/bin/activate\n');
    expect(script('. env.sh && echo hi')).toContain('\n. /home/u/proj/env.sh && echo hi\n');
    expect(script('source /opt/venv/bin/activate')).toContain('\nsource /opt/venv/bin/activate\n');
    expect(script('conda activate x')).toContain('\nconda activate x\n');
  });
});

describe('interpreter named like an assignment', () => {
  it('is still run as the command, not read as NAME=value', () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    copyFileSync(writeDumper(dir), path.join(bin, 'PY=3'));
    const { script } = buildCommand(base({ python: 'PY=3' }), { cwd });
    expect(script).toContain("\n'PY=3' -m lmms_eval \\\n");
    const out = path.join(dir, 'assign.dump');
    runBash(['-s'], { cwd: dir, input: script, env: { DUMP_OUT: out, PATH: `${bin}:${process.env.PATH ?? ''}` } });
    expect(path.basename(splitDumps(readFileSync(out))[0]![0]!)).toBe('PY=3');
  });
});

describe('multi-GPU', () => {
  it('runs through accelerate launch with every launcher flag and the given port', () => {
    const { argv, script } = buildCommand(base({ num_gpus: 4 }), { cwd, mainProcessPort: 29517, gpus: [4, 5, 6, 7] });
    expect(argv.slice(0, 16)).toEqual([
      'python3', '-m', 'accelerate.commands.launch', '--num_processes', '4', '--num_machines', '1',
      '--mixed_precision', 'no', '--dynamo_backend', 'no', '--multi_gpu', '--main_process_port', '29517',
      '-m', 'lmms_eval',
    ]);
    expect(script).toContain('python3 -m accelerate.commands.launch \\\n  --num_processes 4 \\');
    expect(script).toContain('  -m lmms_eval \\\n  --model llava \\');
  });

  it('defaults the port to 29500 and keeps lm-eval run after the module', () => {
    const { argv } = buildCommand({ harness: 'lm-eval', model: 'hf', tasks: ['x'], num_gpus: 2 }, { cwd });
    expect(argv.slice(12, 18)).toEqual(['--main_process_port', '29500', '-m', 'lm_eval', 'run', '--model']);
  });

  it('runs one GPU without a launcher', () => {
    expect(buildCommand(base({ num_gpus: 1 }), { cwd }).argv).not.toContain('accelerate.commands.launch');
  });
});

describe('env for the runner', () => {
  it('sets PYTHONUNBUFFERED, and CUDA_VISIBLE_DEVICES only when GPUs are assigned', () => {
    expect(buildCommand(base(), { cwd }).env).toEqual({ PYTHONUNBUFFERED: '1' });
    expect(buildCommand(base(), { cwd, gpus: [2, 3] }).env).toEqual({ PYTHONUNBUFFERED: '1', CUDA_VISIBLE_DEVICES: '2,3' });
  });
});

describe('refusals and display', () => {
  it('refuses to build an invalid spec, listing its problems', () => {
    expect(() => buildCommand(base({ tasks: [], model: '' }), { cwd })).toThrow(ValidationError);
    try {
      buildCommand(base({ tasks: [], model: '' }), { cwd });
    } catch (err) {
      expect((err as ValidationError).problems.map((p) => p.field)).toEqual(['model', 'tasks']);
    }
  });

  it('masks secret-looking env values for display only', () => {
    const spec = base({ env: ['HF_TOKEN=hf_abcdef', 'export OPENAI_API_KEY="sk-1 2"', 'db_password=x', 'HF_HOME=/cache'] });
    const { script } = buildCommand(spec, { cwd });
    const masked = maskSecrets(script);
    expect(masked).toContain('export HF_TOKEN=••••••\n');
    expect(masked).toContain('export OPENAI_API_KEY=••••••\n');
    expect(masked).toContain('export db_password=••••••\n');
    expect(masked).toContain('export HF_HOME=/cache\n');
    expect(masked).not.toMatch(/hf_abcdef|sk-1/);
    expect(script).toContain('export HF_TOKEN=hf_abcdef');
  });

  it('can be pasted into an interactive shell without closing it', () => {
    const python = writeDumper(dir);
    const out = path.join(dir, 'interactive.dump');
    const { script, argv } = buildCommand(base({ python, env: ['X=1'] }), { cwd });
    const r = runBash(['--norc', '--noprofile', '-i'], { cwd: dir, input: `${script}echo still-here\n`, env: { DUMP_OUT: out } });
    expect(r.stdout).toContain('still-here');
    expect(splitDumps(readFileSync(out))).toEqual([argv]);
  });
});
