import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  LOGGING_LINE,
  TQDM,
  barSegments,
  cells,
  killAllStarted,
  listFiles,
  readJson,
  removeTempDirs,
  runDemo,
  tempDir,
} from './helpers.js';

afterEach(() => {
  killAllStarted();
  removeTempDirs();
});

const DATE_ID = String.raw`\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{6}`;

describe('demo lm_eval', () => {
  it('writes <output_path>/<model_dir>/results_<date_id>.json with lm-eval keys, marked simulated', async () => {
    const out = tempDir();
    const run = await runDemo('lm_eval', [
      '--model', 'hf', '--model_args', 'pretrained=EleutherAI/pythia-160m,dtype=float32',
      '--tasks', 'demo_mmlu', 'demo_gsm8k', '--output_path', out, '--log_samples', '--limit', '5', '--batch_size', 'auto',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const files = listFiles(out);
    const results = files.find((f) => f.includes('/results_'));
    expect(results).toMatch(new RegExp(`^EleutherAI__pythia-160m/results_${DATE_ID}\\.json$`));
    const dateId = /results_(.*)\.json$/.exec(results!)![1];
    expect(files).toContain(`EleutherAI__pythia-160m/samples_demo_gsm8k_${dateId}.jsonl`);
    const sample = JSON.parse(readFileSync(path.join(out, `EleutherAI__pythia-160m/samples_demo_gsm8k_${dateId}.jsonl`), 'utf8').split('\n')[0]!);
    expect(Object.keys(sample)).toEqual(expect.arrayContaining(['doc_id', 'doc', 'target', 'arguments', 'resps', 'filtered_resps', 'filter', 'metrics', 'doc_hash', 'prompt_hash', 'target_hash']));

    const r = readJson(path.join(out, results!));
    expect(r.simulated).toBe(true);
    expect(r.lm_eval_version).toBe('0.4.13+demo');
    expect(typeof r.date).toBe('number'); // a UNIX time in lm-eval, unlike lmms-eval
    expect(r.results.demo_gsm8k).toMatchObject({ name: 'demo_gsm8k', alias: 'demo_gsm8k', sample_len: 5 });
    expect(Object.keys(r.results.demo_gsm8k)).toEqual(expect.arrayContaining([
      'exact_match,strict-match', 'exact_match_stderr,strict-match', 'exact_match,flexible-extract',
    ]));
    expect(r.results.demo_mmlu_stem.alias).toBe('stem'); // task_alias
    expect(r.groups.demo_mmlu).toHaveProperty(['acc,none']);
    expect(r.group_subtasks.demo_mmlu).toEqual(['demo_mmlu_stem', 'demo_mmlu_humanities', 'demo_mmlu_social_sciences']);
    expect(r['n-shot'].demo_gsm8k).toBe(5);
    expect(r['n-samples'].demo_gsm8k).toEqual({ original: 20, effective: 5 });
    expect(r.config).toMatchObject({ model: 'hf', model_args: { pretrained: 'EleutherAI/pythia-160m', dtype: 'float32' }, batch_size: 'auto', limit: 5 });
    expect(r.model_name_sanitized).toBe('EleutherAI__pythia-160m');
  });

  it('logs in stdlib format on stderr, shows lm-eval bars and prints the Version-column table', async () => {
    const run = await runDemo('lm_eval', ['--model', 'demo', '--tasks', 'demo_arc_easy,demo_gsm8k']);
    expect(run.code, run.stderr).toBe(0);
    const logLines = run.stderr.split('\n').filter((l) => /^\d{4}-/.test(l));
    for (const line of logLines) expect(line).toMatch(LOGGING_LINE);
    expect(logLines.some((l) => l.endsWith("[_cli.run:388] Selected Tasks: ['demo_arc_easy', 'demo_gsm8k']"))).toBe(true);
    expect(logLines.some((l) => l.includes('DEMO HARNESS: results are simulated'))).toBe(true);

    const bars = barSegments(run.stderr);
    for (const bar of bars) expect(bar).toMatch(TQDM);
    const ll = bars.filter((b) => b.startsWith('Running loglikelihood requests:')).at(-1)!;
    expect(TQDM.exec(ll)!.slice(2, 5)).toEqual(['100', '80', '80']); // 20 docs x 4 choices
    expect(bars.some((b) => b.startsWith('Running generate_until requests: 100%'))).toBe(true);

    const lines = run.stdout.split('\n');
    expect(lines[0]).toBe("demo ({}), gen_kwargs: ({}), limit: None, num_fewshot: None, batch_size: 1");
    expect(cells(lines[1]!)).toEqual(['Tasks', 'Version', 'Filter', 'n-shot', 'Metric', '', 'Value', '', 'Stderr']);
    const arc = lines.filter((l) => l.includes('|acc'));
    expect(cells(arc[0]!).slice(0, 5)).toEqual(['demo_arc_easy', '1', 'none', '0', 'acc']);
    expect(cells(arc[1]!).slice(0, 5)).toEqual(['', '', 'none', '0', 'acc_norm']); // later rows leave name and version blank
  });

  it('the `.json` output form writes <dir>/<stem>_<date_id>.json with no model directory', async () => {
    const out = tempDir();
    const run = await runDemo('lm_eval', ['run', '--model', 'demo', '--tasks', 'demo_hellaswag', '--output_path', path.join(out, 'sub', 'res.json')]);
    expect(run.code, run.stderr).toBe(0);
    expect(listFiles(out)).toEqual([expect.stringMatching(new RegExp(`^sub/res_${DATE_ID}\\.json$`))]);
  });

  it('a model directory comes from model_args or is a random id', async () => {
    const out = tempDir();
    await runDemo('lm_eval', ['--model', 'demo', '--model_args', 'max_length=512', '--tasks', 'demo_hellaswag', '--output_path', out]);
    expect(listFiles(out)).toEqual([expect.stringMatching(new RegExp(`^[0-9a-f]{8}/results_${DATE_ID}\\.json$`))]);
  });

  it('unknown tasks (wildcards included) and unknown models are a ValueError with exit 1', async () => {
    for (const tasks of ['no_such_task', 'zzz_*']) {
      const run = await runDemo('lm_eval', ['--model', 'demo', '--tasks', tasks]);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^ValueError: Tasks not found: ${tasks.replace('*', '\\*')}$`, 'm'));
    }
    const model = await runDemo('lm_eval', ['--model', 'nope', '--tasks', 'demo_hellaswag']);
    expect(model.code).toBe(1);
    expect(model.stderr).toContain("ValueError: Attempted to load model 'nope'");
  });

  it('an unknown flag exits 2; LMMS_DEMO_FAIL=exit0 is a failed save that still exits 0', async () => {
    const flag = await runDemo('lm_eval', ['--model', 'demo', '--tasks', 'demo_hellaswag', '--nope']);
    expect(flag.code).toBe(2);
    const out = tempDir();
    const run = await runDemo('lm_eval', ['--model', 'demo', '--tasks', 'demo_hellaswag', '--output_path', out], { env: { LMMS_DEMO_FAIL: 'exit0' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/ WARNING +\[loggers\.evaluation_tracker:313\] Could not save results aggregated$/m);
    expect(run.stdout).toContain('|demo_hellaswag|');
    expect(listFiles(out)).toEqual([]);
    const fail = await runDemo('lm_eval', ['--model', 'demo', '--tasks', 'demo_hellaswag', '--output_path', out], { env: { LMMS_DEMO_FAIL: 'exit1' } });
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('Traceback (most recent call last)');
  });

  it('`ls` and `validate` answer discovery questions', async () => {
    const ls = await runDemo('lm_eval', ['ls', 'tasks']);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(/^\|demo_mmlu +\|lm_eval\/tasks\/demo_mmlu\/demo_mmlu\.yaml *\|$/m);
    expect(ls.stdout).toMatch(/^\|demo_wikitext +\|lm_eval\/tasks\/demo_wikitext\/demo_wikitext\.yaml *\|loglikelihood_rolling\|$/m);
    const ok = await runDemo('lm_eval', ['validate', '--tasks', 'demo_gsm8k,demo_ai2_arc']);
    expect([ok.code, ok.stdout.trim().split('\n').at(-1)]).toEqual([0, 'All tasks found and valid']);
    const bad = await runDemo('lm_eval', ['validate', '--tasks', 'demo_gsm8k,nope']);
    expect([bad.code, bad.stdout.trim().split('\n').at(-1)]).toEqual([1, 'Tasks not found: nope']);
  });
});
