/**
 * The preview is what runs: it shows what the scheduler adds (the job dir's results path, the pool's
 * CUDA_VISIBLE_DEVICES), `y` copies it, it wraps so rows copied off the screen still run, and the launch
 * confirmation scrolls at 80x24 instead of hiding flags.
 */
import { spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildCommand } from '../../../src/core/command/build.js';
import { wrapShellLine } from '../../../src/ui/text.js';
import { renderLaunch, STATE_DIR, type LaunchHarness } from './fixtures.js';

let h: LaunchHarness | null = null;
afterEach(() => {
  h?.cleanup();
  h = null;
});

/** The preview pane's rows (the right half at 120 columns), borders off. */
function previewPane(frame: string): string {
  return frame
    .split('\n')
    .map((l) => l.slice(60).replace(/^│/, '').replace(/│\s*$/, '').trimEnd())
    .join('\n');
}

const spec = { harness: 'lmms-eval' as const, model: 'llava', tasks: ['mme', 'ai2d'], limit: 5, batch_size: '2' };

describe('preview = job.sh', () => {
  it('shows the default --output_path in the job dir and the GPU line the pool will fill', async () => {
    h = renderLaunch({ spec });
    await h.tui.find('--output_path');
    const pane = previewPane(h.tui.frame());
    expect(pane).toContain('# GPUs: CUDA_VISIBLE_DEVICES=<1 of 0,1> (set by lmms-tui)');
    // Joined as bash joins continued rows.
    expect(pane.replace(/\\\n\s*/g, '')).toContain(`--output_path ${STATE_DIR}/jobs/<job-id>/results`);
    // A path the user gives is used instead, and a job with no pool gets no GPU line.
    h.cleanup();
    h = renderLaunch({ spec: { ...spec, output_path: 'out' }, server: { stateDir: STATE_DIR, gpuPool: null } });
    await h.tui.find('--output_path /home/u/proj/out');
    expect(h.tui.frame()).not.toContain('CUDA_VISIBLE_DEVICES');
  });

  it('copies with y exactly what the scheduler will write once the id and GPUs are known', async () => {
    h = renderLaunch({ spec: { ...spec, env: ['export HF_TOKEN=hf_secret', 'HF_HOME=/data/hf'] } });
    await h.tui.find('--output_path');
    await h.tui.press('y');
    expect(h.copied).toHaveLength(1);
    expect(h.copied[0]!.what).toMatch(/secrets masked/);
    expect(h.copied[0]!.text).toContain('export HF_TOKEN=••••••');
    await h.tui.press('r', 'y');
    const copied = h.copied[1]!.text;
    // What scheduler.ts start() builds for job abc123 on GPU 1 (job.sh).
    const jobSh = buildCommand({ ...spec, env: ['export HF_TOKEN=hf_secret', 'HF_HOME=/data/hf'], output_path: `${STATE_DIR}/jobs/abc123/results` }, { cwd: '/home/u/proj', gpus: [1] }).script;
    expect(copied.replace('<job-id>', 'abc123').replace('<1 of 0,1>', '1').split('\n')).toEqual(jobSh.split('\n'));
  });

  it('y with problems in the form says so and copies nothing', async () => {
    h = renderLaunch({ spec: { ...spec, model: '' } });
    await h.tui.find('Command');
    await h.tui.press('y');
    expect(h.copied).toEqual([]);
    expect(h.tui.ui.getState().flash?.text).toBe('nothing to copy yet: 1 problem in the form');
  });

  it('wraps the preview between tokens, never inside one without a continuation', async () => {
    h = renderLaunch({ spec: { ...spec, model_args: 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov,conv_template=qwen_1_5' }, demo: true });
    await h.tui.find('PYTHONPATH');
    const rows = previewPane(h.tui.frame()).split('\n');
    const at = rows.findIndex((r) => r.startsWith('export PYTHONPATH='));
    expect(rows[at]!.endsWith('\\')).toBe(true);
    // The pane's rows, joined as bash joins them, give the one-line command back.
    const start = rows.findIndex((r) => r.startsWith('# lmms-tui'));
    const end = rows.findIndex((r, i) => i > start && r.startsWith('  --limit'));
    const shown = rows.slice(start, end + 1).join('\n');
    expect(shown).not.toContain('$PY\nTHONPATH');
    expect(shown.replace(/\\\n/g, '')).toContain('${PYTHONPATH:+:$PYTHONPATH}');
  });
});

describe('wrapShellLine', () => {
  it('keeps the meaning of any line for bash (property, checked by running bash)', () => {
    const word = fc.oneof(
      fc.stringMatching(/^[a-z0-9_=/.,:-]{1,30}$/),
      fc.stringMatching(/^[a-z ]{1,20}$/).map((s) => `'${s}'`),
      fc.stringMatching(/^[a-z $]{1,20}$/).map((s) => `"${s.replace(/\$/g, '\\$')}"`),
      fc.constant('a\\ b'),
      fc.constant("'it'\\''s'"),
    );
    fc.assert(
      fc.property(fc.array(word, { minLength: 1, maxLength: 8 }), fc.integer({ min: 10, max: 40 }), (words, width) => {
        const line = `printf '[%s]' ${words.join(' ')}`;
        const rows = wrapShellLine(line, width);
        for (const r of rows) expect(r.length).toBeLessThanOrEqual(width);
        const run = (script: string): string => spawnSync('bash', ['-c', script], { encoding: 'utf8' }).stdout;
        expect(run(rows.join('\n'))).toBe(run(line));
      }),
      { numRuns: 60 },
    );
  });
});

describe('launch confirmation at 80x24', () => {
  it('scrolls with j / ↓ to the flags below, and says how', async () => {
    h = renderLaunch({ spec: { ...spec, env: ['HF_HOME=/data/hf', 'A=1', 'B=2', 'C=3', 'D=4', 'E=5', 'F=6', 'G=7', 'H=8', '# cache'], model_args: 'pretrained=lmms-lab/llava-onevision-qwen2-7b-ov' }, columns: 80, rows: 24 });
    await h.tui.find('Command');
    await h.tui.press('L');
    let frame = await h.tui.find('Launch this job?');
    expect(frame).toMatch(/more lines?: j\/k or ↓\/↑ scroll/);
    expect(frame).not.toContain('--limit 5');
    for (let i = 0; i < 12 && !h.tui.frame().includes('--limit 5'); i++) await h.tui.press('j');
    frame = h.tui.frame();
    expect(frame).toContain('--limit 5');
    expect(frame).toContain('--batch_size 2');
    expect(h.backend.submitted).toEqual([]);
    await h.tui.press('k', 'Down', 'Enter');
    await h.tui.waitFor(() => h!.backend.submitted.length === 1, 3000, 'the submit');
  });
});
