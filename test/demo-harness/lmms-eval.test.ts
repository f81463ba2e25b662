import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { demoHarnessDir } from '../../src/core/paths.js';
import {
  LOGURU_LINE,
  TQDM,
  barSegments,
  cells,
  killAllStarted,
  listFiles,
  readJson,
  removeTempDirs,
  runDemo,
  stripAnsi,
  tempDir,
} from './helpers.js';

afterEach(() => {
  killAllStarted();
  removeTempDirs();
});

const STAMP = /^\d{8}_\d{6}$/;

describe('demo lmms_eval: a successful run', () => {
  it('writes results and samples in the real layout with the real schema, marked simulated', async () => {
    const out = tempDir();
    const run = await runDemo('lmms_eval', [
      '--model', 'demo', '--model_args', 'pretrained=lmms-lab/demo-7b,device_map=auto',
      '--tasks', 'demo_mme,demo_mmmu', '--output_path', out, '--log_samples', '--limit', '8', '--seed', '7',
    ]);
    expect(run.code, run.stderr).toBe(0);

    const files = listFiles(out);
    const resultsFile = files.find((f) => f.endsWith('_results.json'));
    expect(resultsFile).toMatch(/^lmms-lab__demo-7b\/\d{8}_\d{6}_results\.json$/);
    const stamp = path.basename(resultsFile!).replace('_results.json', '');
    expect(stamp).toMatch(STAMP);
    for (const task of ['demo_mme', 'demo_mmmu_val', 'demo_mmmu_dev']) {
      const samples = `lmms-lab__demo-7b/${stamp}_samples_${task}.jsonl`;
      expect(files).toContain(samples);
      const lines = readFileSync(path.join(out, samples), 'utf8').trim().split('\n');
      expect(lines).toHaveLength(8);
      expect(Object.keys(JSON.parse(lines[0]!))).toEqual(expect.arrayContaining(['doc_id', 'target', 'filtered_resps', 'input', 'doc_hash']));
    }

    const r = readJson(path.join(out, resultsFile!));
    expect(r.simulated).toBe(true);
    for (const key of ['results', 'groups', 'group_subtasks', 'configs', 'versions', 'n-shot', 'higher_is_better', 'n-samples', 'config', 'date', 'lmms_eval_version', 'model_name_sanitized', 'total_evaluation_time_seconds']) {
      expect(r, key).toHaveProperty([key]);
    }
    expect(r.date).toBe(stamp);
    expect(Object.keys(r.results)).toEqual(['demo_mme', 'demo_mmmu', 'demo_mmmu_val', 'demo_mmmu_dev']);
    expect(r.results.demo_mmmu_val.alias).toBe(' - demo_mmmu_val');
    expect(r.results.demo_mme['mme_perception_score_stderr,none']).toBe('N/A');
    const acc = r.results.demo_mmmu_val['mmmu_acc,none'];
    expect(acc).toBeGreaterThanOrEqual(0);
    expect(acc).toBeLessThanOrEqual(1);
    expect(typeof r.results.demo_mmmu_val['mmmu_acc_stderr,none']).toBe('number');
    expect(r.groups.demo_mmmu['mmmu_acc,none']).toBeCloseTo(
      (r.results.demo_mmmu_val['mmmu_acc,none'] + r.results.demo_mmmu_dev['mmmu_acc,none']) / 2,
    );
    expect(r.group_subtasks).toEqual({ demo_mme: [], demo_mmmu: ['demo_mmmu_val', 'demo_mmmu_dev'] });
    expect(r['n-samples'].demo_mme).toEqual({ original: 20, effective: 8 });
    expect(r.higher_is_better.demo_mme).toEqual({ mme_perception_score: true, mme_cognition_score: true });
    expect(r.configs.demo_mmmu_val.doc_to_text).toMatch(/^<function mmmu_doc_to_text at 0x[0-9a-f]+>$/);
    expect(r.configs.demo_mmmu_val.generation_kwargs).toEqual({ max_new_tokens: 128 }); // from the included template
    expect(r.config).toMatchObject({ model: 'demo', limit: 8, batch_size: 1, random_seed: 7, numpy_seed: 7, torch_seed: 7, fewshot_seed: 7 });
  });

  it('prints loguru lines on stdout, tqdm bars on stderr and the end-of-run tables', async () => {
    const run = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_mme,demo_vqa']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('\x1b[32m'); // colour even into a pipe

    const lines = stripAnsi(run.stdout).split('\n');
    const summary = lines.findIndex((l) => l.startsWith('demo (), gen_kwargs: ()'));
    expect(summary).toBeGreaterThan(0);
    for (const line of lines.slice(0, summary)) expect(line).toMatch(LOGURU_LINE);
    expect(lines.some((l) => LOGURU_LINE.test(l) && l.endsWith('DEMO HARNESS: results are simulated (no model is loaded, nothing runs on a GPU)'))).toBe(true);
    expect(lines).toContain('> DEMO HARNESS: every number below is simulated.');
    const header = lines.find((l) => l.startsWith('|') && l.includes('Tasks'))!;
    expect(cells(header)).toEqual(['Tasks', 'Filter', 'n-shot', 'Metric', '', 'Value', '', 'Stderr']);
    const rows = lines.filter((l) => l.startsWith('|demo_'));
    expect(rows.map((r) => cells(r)[3])).toEqual(['mme_cognition_score', 'mme_perception_score', 'exact_match']);
    expect(cells(rows[2]!)[4]).toBe('↑');

    const bars = barSegments(run.stderr);
    for (const bar of bars) expect(bar).toMatch(TQDM);
    const responding = bars.filter((b) => b.startsWith('Model Responding:'));
    expect(responding[0]).toMatch(/^Model Responding: {3}0%\| {10}\| 0\/40 \[00:00<\?, \?it\/s\]$/);
    const last = TQDM.exec(responding.at(-1)!)!;
    expect([last[2], last[3], last[4]]).toEqual(['100', '40', '40']);
    expect(responding.at(-1)).toContain('|██████████|'); // 10 cells: stderr is a pipe, COLUMNS/LINES unset
    expect(run.stderr).toMatch(/Model Responding: 100%[^\r\n]*\n/); // a closed bar ends its line
    expect(bars.some((b) => b.startsWith('Postprocessing: 100%'))).toBe(true);
  });

  it('sizes the bar from COLUMNS and LINES when both are set, as tqdm does', async () => {
    const run = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa'], { env: { COLUMNS: '100', LINES: '30' } });
    const bar = barSegments(run.stderr).find((b) => b.startsWith('Model Responding: 100%'))!;
    expect(bar).toMatch(TQDM);
    expect(bar.length).toBe(99);
  });

  it('gives the same numbers for the same model and task, and other numbers for another model', async () => {
    const [a, b, c] = [tempDir(), tempDir(), tempDir()];
    const args = (out: string, name: string) => ['--model', 'demo', '--model_args', `pretrained=org/${name}`, '--tasks', 'demo_pope', '--output_path', out];
    await Promise.all([runDemo('lmms_eval', args(a, 'one')), runDemo('lmms_eval', args(b, 'one')), runDemo('lmms_eval', args(c, 'two'))]);
    const value = (dir: string) => readJson(path.join(dir, listFiles(dir)[0]!)).results.demo_pope;
    expect(value(a)).toEqual(value(b));
    expect(value(a)).not.toEqual(value(c));
  });

  it('puts results straight into output_path when model_args name no model', async () => {
    const out = tempDir();
    const run = await runDemo('lmms_eval', ['--model', 'demo', '--model_args', 'max_pixels=1024', '--tasks', 'demo_vqa', '--output_path', out]);
    expect(run.code).toBe(0);
    expect(listFiles(out)).toEqual([expect.stringMatching(/^\d{8}_\d{6}_results\.json$/)]);
  });

  it('keeps a fractional --limit as the fraction in n-samples.effective (the real quirk)', async () => {
    const out = tempDir();
    await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa', '--limit', '0.1', '--output_path', out]);
    const r = readJson(path.join(out, listFiles(out)[0]!));
    expect(r['n-samples'].demo_vqa).toEqual({ original: 20, effective: 0.1 });
  });

  it('logs CUDA_VISIBLE_DEVICES when asked', async () => {
    const set = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa'], { env: { LMMS_DEMO_ECHO_CUDA: '1', CUDA_VISIBLE_DEVICES: '2,3' } });
    expect(stripAnsi(set.stdout)).toMatch(/\| INFO +\| [^\n]* - CUDA_VISIBLE_DEVICES=2,3$/m);
    const unset = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa'], { env: { LMMS_DEMO_ECHO_CUDA: '1' } });
    expect(stripAnsi(unset.stdout)).toMatch(/- CUDA_VISIBLE_DEVICES=unset$/m);
  });

  it('logs progress lines instead of a bar for vllm when stderr is not a terminal', async () => {
    const run = await runDemo('lmms_eval', ['--model', 'vllm', '--tasks', 'demo_vqa']);
    expect(barSegments(run.stderr).some((b) => b.startsWith('Model Responding'))).toBe(false);
    expect(stripAnsi(run.stdout)).toMatch(/- \[rank 0\] Model Responding: done 20\/20 in \d+s \([\d.]+ it\/s\)$/m);
  });
});

describe('demo lmms_eval: failures look like the real ones', () => {
  const base = (out: string) => ['--model', 'demo', '--tasks', 'demo_mme', '--output_path', out];

  it('LMMS_DEMO_FAIL=exit1: traceback and exit 1, no results', async () => {
    const out = tempDir();
    const run = await runDemo('lmms_eval', base(out), { env: { LMMS_DEMO_FAIL: 'exit1' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Traceback (most recent call last)');
    expect(run.stderr).toMatch(/^torch\.OutOfMemoryError: CUDA out of memory/m);
    expect(listFiles(out)).toEqual([]);
  });

  it('LMMS_DEMO_FAIL=exit0: traceback, ERROR "Error during evaluation", exit 0 and no results', async () => {
    const out = tempDir();
    const run = await runDemo('lmms_eval', base(out), { env: { LMMS_DEMO_FAIL: 'exit0' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Traceback (most recent call last)');
    expect(stripAnsi(run.stdout)).toMatch(/\| ERROR +\| .* - Error during evaluation: CUDA out of memory/);
    expect(listFiles(out)).toEqual([]);
  });

  it('--verbosity DEBUG turns that caught error into exit 1', async () => {
    const run = await runDemo('lmms_eval', [...base(tempDir()), '--verbosity', 'DEBUG'], { env: { LMMS_DEMO_FAIL: 'exit0' } });
    expect(run.code).toBe(1);
  });

  it('LMMS_DEMO_FAIL=noresults and a leaked RANK both exit 0 silently with nothing written', async () => {
    for (const env of [{ LMMS_DEMO_FAIL: 'noresults' }, { RANK: '1' }]) {
      const out = tempDir();
      const run = await runDemo('lmms_eval', base(out), { env });
      expect(run.code).toBe(0);
      expect(stripAnsi(run.stdout)).not.toMatch(/\| ERROR /);
      expect(run.stdout).not.toContain('|Tasks');
      expect(listFiles(out)).toEqual([]);
    }
  });

  it('an unknown task is an ERROR and exit 0; an unmatched * pattern is dropped silently', async () => {
    const out = tempDir();
    const run = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa,no_such_task', '--output_path', out]);
    expect(run.code).toBe(0);
    expect(stripAnsi(run.stdout)).toMatch(/\| ERROR +\| .* - Tasks were not found: no_such_task/);
    expect(listFiles(out)).toEqual([]);
    const pattern = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa,zzz_*', '--output_path', out]);
    expect(stripAnsi(pattern.stdout)).toContain("Selected Tasks: ['demo_vqa']");
  });

  it('an unknown flag is an argparse error with exit 2', async () => {
    const run = await runDemo('lmms_eval', ['--model', 'demo', '--tasks', 'demo_vqa', '--no_such_flag']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('error: unrecognized arguments: --no_such_flag');
  });
});

describe('demo lmms_eval: discovery commands', () => {
  it('`models --aliases` prints the registry table from the dict literals', async () => {
    const run = await runDemo('lmms_eval', ['models', '--aliases']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Registered Models (10 total)');
    expect(run.stdout).toMatch(/^openai {22}chat\+simple {3}openai_compatible, openai_compatible_chat$/m);
    expect(run.stdout).toMatch(/^llava_onevision {13}simple/m);
  });

  it('`tasks list`, `--tasks list` and `version` answer without running anything', async () => {
    const list = await runDemo('lmms_eval', ['tasks', 'list']);
    expect(list.stdout).toMatch(/^Available tasks \(20\):\n\n {2}demo_ai2d\n/);
    const flat = await runDemo('lmms_eval', ['--tasks', 'list']);
    expect(flat.code).toBe(0);
    expect(stripAnsi(flat.stdout)).toMatch(/Available Tasks:\n - demo_ai2d\n/);
    const version = await runDemo('lmms_eval', ['version']);
    expect(version.stdout.split('\n')[0]).toBe('lmms-eval 0.7.2+demo');
  });

  it('the task files of both trees are valid YAML for our own (JS) parser, and every name is listed', async () => {
    const fn = { tag: '!function', resolve: (s: string) => `fn:${s}` };
    for (const [pkg, list] of [['lmms_eval', ['tasks', 'list']], ['lm_eval', ['ls', 'tasks']]] as const) {
      const root = path.join(demoHarnessDir(), pkg, 'tasks');
      const listed = (await runDemo(pkg, [...list])).stdout;
      const yamls = listFiles(root).filter((f) => f.endsWith('.yaml'));
      expect(yamls.length).toBeGreaterThan(8);
      for (const rel of yamls) {
        const doc = parseDocument(readFileSync(path.join(root, rel), 'utf8'), { customTags: [fn] });
        expect(doc.errors, rel).toEqual([]);
        const value = doc.toJS() as Record<string, unknown>;
        const name = String(typeof value.group === 'string' ? value.group : value.task);
        expect(listed, `${pkg}: ${name}`).toMatch(new RegExp(`(^  |\\|)${name}( *\\||\n)`, 'm'));
      }
    }
    expect(existsSync(path.join(demoHarnessDir(), 'lmms_eval', 'tasks', 'demo_mmmu', '_default_template_yaml'))).toBe(true);
  });
});
