import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripAnsi } from '../../src/core/logs/ansi.js';
import { isTracebackStart, parseLevel, parseProgress, recordMessage } from '../../src/core/logs/parse.js';

const E = '\x1b';
/** A loguru line exactly as lmms-eval writes it with colorize=True (harness-facts §6.1). */
function loguru(level: string, msg: string): string {
  return `${E}[32m2026-11-22 10:06:37${E}[0m | ${E}[1m${level.padEnd(8)}${E}[0m | ${E}[36mlmms_eval.__main__${E}[0m:${E}[36mcli_evaluate_single${E}[0m:${E}[36m713${E}[0m - ${E}[1m${msg}${E}[0m`;
}

describe('stripAnsi', () => {
  it('turns a coloured loguru line into the plain text a user reads', () => {
    expect(stripAnsi(loguru('INFO', "Selected Tasks: ['mme']"))).toBe(
      "2026-11-22 10:06:37 | INFO     | lmms_eval.__main__:cli_evaluate_single:713 - Selected Tasks: ['mme']",
    );
  });
  it('removes OSC sequences (hyperlinks, titles) but keeps their visible text', () => {
    expect(stripAnsi(`${E}]8;;https://x.org${E}\\link${E}]8;;${E}\\ and ${E}]0;title\x07done`)).toBe('link and done');
  });
  it('leaves text without escapes alone', () => {
    expect(stripAnsi('plain | text 37%')).toBe('plain | text 37%');
  });
});

describe('parseProgress: tqdm bars', () => {
  it('reads the lmms-eval bar shape from harness-facts §6.1', () => {
    const p = parseProgress('Model Responding:  37%|███▋      | 84/228 [00:12<00:20,  7.01it/s]');
    expect(p).toMatchObject({ label: 'Model Responding', n: 84, total: 228, rate: 7.01, rateUnit: 'it/s', elapsed: '00:12', eta: '00:20' });
    expect(p?.percent).toBeCloseTo((100 * 84) / 228, 6);
  });
  it('reads a starting bar whose rate and ETA are still unknown', () => {
    expect(parseProgress('  0%|          | 0/228 [00:00<?, ?it/s]')).toMatchObject({ label: '', n: 0, total: 228, percent: 0, rate: null, eta: null });
  });
  it('reads slow bars printed in s/it', () => {
    expect(parseProgress('Model Responding:   1%|          | 2/228 [00:25<47:01, 12.48s/it]')).toMatchObject({ n: 2, rate: 12.48, rateUnit: 's/it', eta: '47:01' });
  });
  it('reads unknown totals, with and without a label', () => {
    expect(parseProgress('84it [00:12, 7.01it/s]')).toMatchObject({ label: '', n: 84, total: null, percent: null, rate: 7.01, elapsed: '00:12', eta: null });
    expect(parseProgress('Postprocessing: 84it [00:12, 7.01it/s]')).toMatchObject({ label: 'Postprocessing', n: 84, total: null });
  });
  it("reads lm-eval's request bars and a bar with a postfix", () => {
    expect(parseProgress('Running loglikelihood requests: 100%|██████████| 40168/40168 [02:13<00:00, 300.52it/s]')).toMatchObject({
      label: 'Running loglikelihood requests',
      n: 40168,
      total: 40168,
      percent: 100,
      eta: '00:00',
    });
    expect(parseProgress('Bootstrap:  50%|#####     | 5/10 [00:01<00:01, 3.00it/s, loss=0.5]')).toMatchObject({ label: 'Bootstrap', n: 5, total: 10 });
  });
  it('round-trips any bar tqdm could print', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10_000_000 }), fc.nat(), fc.double({ min: 0.01, max: 9999, noNaN: true }), (total, k, rate) => {
        const n = k % (total + 1);
        const pct = Math.floor((100 * n) / total);
        const rateText = rate.toFixed(2);
        const line = `\rModel Responding: ${String(pct).padStart(3)}%|${'█'.repeat(Math.floor(pct / 10)).padEnd(10)}| ${n}/${total} [01:02<03:04, ${rateText}it/s]`;
        const p = parseProgress(line.slice(1));
        expect(p).toMatchObject({ label: 'Model Responding', n, total, rate: Number(rateText), elapsed: '01:02', eta: '03:04' });
      }),
      { numRuns: 200 },
    );
  });
});

describe('parseProgress: lmms-eval batch-mode progress lines', () => {
  it('reads the periodic line inside a coloured loguru record', () => {
    const p = parseProgress(loguru('INFO', '[rank 0] Model Responding: 104/2837 (3.7%) | 1.52 it/s | elapsed 1m08s | ETA 30m02s'));
    expect(p).toEqual({ label: 'Model Responding', n: 104, total: 2837, percent: 3.7, rate: 1.52, rateUnit: 'it/s', elapsed: '1m08s', eta: '30m02s' });
  });
  it('reads the closing done line as complete', () => {
    const p = parseProgress('2026-11-22 10:37:45 | INFO     | lmms_eval.models.model_utils.progress:close:90 - [rank 0] Model Responding: done 2837/2837 in 31m10s (1.52 it/s)');
    expect(p).toMatchObject({ label: 'Model Responding', n: 2837, total: 2837, percent: 100, rate: 1.52, elapsed: '31m10s', eta: null });
  });
});

describe('parseProgress: lines that are not progress', () => {
  it.each([
    loguru('INFO', "Selected Tasks: ['mme']"),
    "2026-08-21:19:56:54 INFO     [_cli.run:388] Selected Tasks: ['hellaswag']",
    'Token Usage - Input: 100 | Output: 20 | Reasoning: 0 | Total: 120 | API Calls: 4',
    '|    Tasks    |Version|Filter|n-shot|Metric|   |Value |   |Stderr|',
    '|hellaswag    |      1|none  |     0|acc   |↑  |0.2891|±  |0.0045|',
    'Building contexts for hellaswag on rank 0...',
    '',
  ])('%s', (line) => {
    expect(parseProgress(line)).toBeNull();
  });
});

describe('parseLevel', () => {
  it('reads loguru levels from coloured lmms-eval lines', () => {
    for (const level of ['TRACE', 'DEBUG', 'INFO', 'SUCCESS', 'WARNING', 'ERROR', 'CRITICAL'] as const) {
      expect(parseLevel(loguru(level, 'message'))).toBe(level);
    }
  });
  it('reads stdlib levels from lm-eval lines', () => {
    expect(parseLevel("2026-08-21:19:56:54 INFO     [_cli.run:388] Selected Tasks: ['hellaswag']")).toBe('INFO');
    expect(parseLevel('2026-08-21:19:56:54 WARNING  [evaluation_tracker:313] Could not save results aggregated')).toBe('WARNING');
    expect(parseLevel('2026-08-21:19:56:54 ERROR    [x:1] boom')).toBe('ERROR');
    expect(parseLevel('2026-08-21:19:56:54 CRITICAL [x:1] boom')).toBe('CRITICAL');
  });
  it('treats the start of a Python traceback as an error, also when a launcher prefixes the rank', () => {
    expect(parseLevel('Traceback (most recent call last):')).toBe('ERROR');
    expect(parseLevel('[rank0]: Traceback (most recent call last):')).toBe('ERROR');
    expect(isTracebackStart('Traceback (most recent call last):')).toBe(true);
  });
  it('finds a record written right after a tqdm redraw on the same line (merged stdout and stderr)', () => {
    const line = `Model Responding:  37%|███▋      | 84/228 [00:12<00:20,  7.01it/s]${loguru('ERROR', 'Error during evaluation: CUDA out of memory')}`;
    expect(parseLevel(line)).toBe('ERROR');
    expect(recordMessage(line)).toBe('Error during evaluation: CUDA out of memory');
  });
  it('returns null for continuation lines, bars and prints', () => {
    expect(parseLevel('  File "/x/lmms_eval/__main__.py", line 591, in cli_evaluate')).toBeNull();
    expect(parseLevel('Model Responding:  37%|███▋      | 84/228 [00:12<00:20,  7.01it/s]')).toBeNull();
    expect(parseLevel('ERROR: this is a print, not a record')).toBeNull();
    expect(parseLevel('hf (pretrained=gpt2), gen_kwargs: (None), limit: 10.0, num_fewshot: None, batch_size: 1')).toBeNull();
  });
  it('extracts messages of both record formats', () => {
    expect(recordMessage(loguru('ERROR', 'Error during evaluation: boom. Please set --verbosity=DEBUG'))).toBe('Error during evaluation: boom. Please set --verbosity=DEBUG');
    expect(recordMessage("2026-08-21:19:56:54 ERROR    [_cli.run:388] Tasks not found: ['x']")).toBe("Tasks not found: ['x']");
  });
});
