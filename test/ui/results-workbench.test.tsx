/** The Results screen's workbench: every run on disk, marked with Space, compared with a chart. */
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { renderTui } from './helpers/render-tui.js';
import { fakeBackend, makeJob } from './helpers/fake-backend.js';
import { stopServices, testServices } from './helpers/services.js';
import { App } from '../../src/ui/app.js';
import { createUiStore } from '../../src/state/ui.js';
import { indexRuns } from '../../src/core/results/runs.js';
import { openSettings } from '../../src/core/settings.js';
import { tempDir } from '../logs/helpers.js';
import { until } from '../server/helpers.js';

const cleanups: (() => void)[] = [];
let tmp: ReturnType<typeof tempDir>;
let saved: string | undefined;
let logs: string;
beforeEach(() => {
  tmp = tempDir('lmms-tui-workbench-');
  logs = path.join(tmp.dir, 'logs');
  cpSync(path.resolve('test/fixtures/results-runs'), logs, { recursive: true });
  // The workbench reads the state dir and settings of the environment, as `lmms-tui results` does.
  saved = process.env.LMMS_TUI_HOME;
  process.env.LMMS_TUI_HOME = path.join(tmp.dir, 'home');
  openSettings().addResultsFolder(logs);
});
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
  if (saved === undefined) delete process.env.LMMS_TUI_HOME;
  else process.env.LMMS_TUI_HOME = saved;
  tmp.cleanup();
});

function setup() {
  const b = fakeBackend([makeJob({ id: 'a1b2c3d4', state: 'succeeded' })]);
  b.results.a1b2c3d4 = { files: [], metrics: [], error: null, error_tail: [], unreadable: [] };
  const ui = createUiStore({ screen: 'results', selectedJobId: 'a1b2c3d4' });
  const s = testServices(b, { ui });
  s.poller!.start();
  const r = renderTui(<App services={s} />, { columns: 160, rows: 44, ui });
  cleanups.push(() => {
    r.unmount();
    stopServices(s);
  });
  return r;
}

describe('Results workbench', () => {
  it('w lists every run on disk; Space marks two, c compares them with deltas, methods and a bar chart', async () => {
    const r = setup();
    await r.find('Results · a1b2c3d4');
    expect(r.frame()).toContain('w all runs');
    await r.press('w');
    const list = await r.find('lmms-lab/llava-a');
    expect(list).toContain('Results · runs');
    expect(list).toMatch(/6 runs · sort date/);
    expect(list).toMatch(/unreadable: results file .*not valid JSON/);
    const order = indexRuns({ folders: [logs] }).runs;
    const ia = order.findIndex((x) => x.model === 'lmms-lab/llava-a');
    const ib = order.findIndex((x) => x.model === 'lmms-lab/llava-b');
    await r.press(...Array(ib).fill('j'), 'space');
    await r.press(...Array(ia - ib).fill('j'), 'space');
    await r.find('2 marked');
    await r.press('c');
    const cmp = await r.find('compare 2 runs');
    // Marked order: llava-b first, so it is the baseline.
    expect(cmp).toMatch(/lmms-lab\/llava-b \(base\)/);
    expect(cmp).toMatch(/pope\s+pope_accuracy\s+0\.8167\s+0\.5833 \(-0\.2333\*\)/);
    expect(cmp).toContain("McNemar: McNemar's test");
    expect(cmp).toContain('b baseline');
    expect(cmp).not.toContain('/ filter');
    expect(cmp).toMatch(/lmms-lab\/llava-a\s+█+/);
    await r.press('b');
    await r.find(/lmms-lab\/llava-a \(base\)/);
    await r.press('m');
    await r.find(/compare 2 runs · \S+/);
    await r.press('c');
    await r.find('Results · runs');
    await r.press('w');
    await r.find('Results · a1b2c3d4');
  });

  it("Enter pages a run's samples: x keeps wrong answers, t steps tasks, o opens the media with the opener", async () => {
    const marker = path.join(tmp.dir, 'opened');
    const opener = path.join(tmp.dir, 'opener.sh');
    writeFileSync(opener, `#!/bin/sh\necho "$1" > ${marker}\n`, { mode: 0o755 });
    const savedOpen = process.env.LMMS_TUI_OPEN;
    process.env.LMMS_TUI_OPEN = opener;
    cleanups.push(() => (savedOpen === undefined ? delete process.env.LMMS_TUI_OPEN : (process.env.LMMS_TUI_OPEN = savedOpen)));
    const r = setup();
    await r.find('Results · a1b2c3d4');
    await r.press('w');
    await r.find('lmms-lab/llava-a');
    const order = indexRuns({ folders: [logs] }).runs;
    const ia = order.findIndex((x) => x.model === 'lmms-lab/llava-a');
    await r.press(...Array(ia).fill('j'), 'enter');
    const f = await r.find(/samples mmbench_cn[\s\S]*40 samples/);
    expect(f).toMatch(/doc 0 {2}acc=\d\.0000 {2}media: \/data\/pope\/img_0000\.jpg/);
    expect(f).toContain('40 samples');
    await r.press('t', 't');
    await r.find(/samples pope[\s\S]*60 samples/);
    const file = path.join(logs, 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_samples_pope.jsonl');
    const wrong = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.pope_accuracy === 0);
    await r.press('x');
    const w = await r.find(/wrong only[\s\S]*of 60 samples/);
    expect(w).toContain(`${wrong.length} of 60 samples with pope_accuracy=0`);
    expect(w).toContain(`doc ${wrong[0].doc_id}  pope_accuracy=0.0000`);
    await r.press('j', 'o');
    await until(() => existsSync(marker) && readFileSync(marker, 'utf8').trim(), { what: 'the opener to run' });
    expect(readFileSync(marker, 'utf8').trim()).toBe(`/data/pope/img_${String(wrong[1].doc_id).padStart(4, '0')}.jpg`);
    await r.press('escape');
    await r.find('Results · runs');
  });

  it('/ filters the runs list live by model, task, harness or date; Enter keeps it, Esc clears it', async () => {
    const r = setup();
    await r.find('Results · a1b2c3d4');
    await r.press('w');
    const list = await r.find('lmms-lab/llava-a');
    // The footer names the runs list's own keys, not the job view's.
    expect(list).toContain('/ filter');
    expect(list).toContain('Space mark');
    expect(list).not.toContain('prev job');
    await r.press('/', 'l', 'l', 'a', 'v', 'a');
    const typed = await r.find('/llava · 2 of 6 runs');
    expect(typed).toContain('lmms-lab/llava-a');
    expect(typed).toContain('lmms-lab/llava-b');
    expect(typed).not.toContain('pythia');
    await r.press('enter');
    await r.find(/\/llava · 2 of 6 runs · sort date/);
    await r.press('/', 'space', 'p', 'o', 'p', 'e', 'enter');
    const both = await r.find('/llava pope · ');
    expect(both).toMatch(/\/llava pope · [12] of 6 runs/);
    await r.press('/', 'C-u', 'l', 'm', '-', 'e', 'v', 'a', 'l', 'enter');
    const lme = await r.find('/lm-eval · ');
    expect(lme).toContain('EleutherAI/pythia');
    expect(lme).not.toContain('lmms-lab/llava-a');
    // The input owns the keyboard: "q" and "j" typed here are text, not quit or move.
    await r.press('/', 'q', 'j');
    await r.find('no run matches "lm-evalqj"');
    await r.press('escape');
    await r.find(/6 runs · sort date/);
    await r.press('/', '2', '0', '2', '6', '-', '1', '2', '-', '0', '2', 'enter');
    const day = await r.find('/2026-12-02 · 2 of 6 runs');
    expect(day).toContain('EleutherAI/pythia-410m');
    expect(day).toContain('lmms-lab/llava-b');
    expect(day).not.toContain('pythia-160m');
    await r.press('escape');
    await r.find(/ 6 runs · sort date/);
    // Esc in the list clears a kept filter before it backs out.
    await r.press('/', 'p', 'y', 't', 'h', 'i', 'a', 'enter');
    await r.find('/pythia · 2 of 6 runs');
    await r.press('escape');
    await r.find(/ 6 runs · sort date/);
    await r.press('escape');
    await r.find('Results · a1b2c3d4');
  });

  it('/ searches every field of the samples; n/N step through the matches with match i/N', async () => {
    const r = setup();
    await r.find('Results · a1b2c3d4');
    await r.press('w');
    await r.find('lmms-lab/llava-a');
    await r.press('/', ...'llava-a', 'enter', 'enter');
    await r.find(/samples mmbench_cn/);
    expect(r.frame()).toContain('/ search');
    expect(r.frame()).toContain('r re-run docs');
    expect(r.frame()).not.toContain('Space mark');
    await r.press('t', 't');
    await r.find(/samples pope[\s\S]*60 samples/);
    const file = path.join(logs, 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_samples_pope.jsonl');
    const hits = readFileSync(file, 'utf8').trim().split('\n').map((l, i) => (l.toLowerCase().includes('image 1') ? i : -1)).filter((i) => i >= 0);
    expect(hits.length).toBeGreaterThan(2);
    // Typed into the search field: "n" is text there, not "next match".
    await r.press('/', ...'image 1', 'enter');
    await r.find(`${hits[0]! + 1}/60 · /image 1 match 1/${hits.length}`);
    // The matching samples on the page are marked in the gutter; the others are not.
    expect(r.frame()).toMatch(new RegExp(`› doc ${hits[0]}  pope_accuracy`));
    expect(r.frame()).toMatch(/ {2}doc 0 {2}pope_accuracy/);
    await r.press('n');
    await r.find(`${hits[1]! + 1}/60 · /image 1 match 2/${hits.length}`);
    await r.press('N', 'N');
    await r.find(`${hits[hits.length - 1]! + 1}/60 · /image 1 match ${hits.length}/${hits.length}`);
    await r.press('/', ...'no such text', 'enter');
    await r.find('not found: no such text');
    await r.press('escape');
    await r.find(/samples pope/);
    expect(r.frame()).not.toContain('/no such text');
    await r.press('escape');
    await r.find('Results · runs');
  });

  it('r loads the Launch form with lm-eval --samples for exactly the docs listed', async () => {
    const r = setup();
    await r.find('Results · a1b2c3d4');
    await r.press('w');
    await r.find('lmms-lab/llava-a');
    await r.press('/', ...'pythia-160m', 'enter', 'enter');
    await r.find(/samples arc_easy[\s\S]*50 samples/);
    await r.press('x');
    await r.find('wrong only');
    const file = path.join(logs, 'lm-eval/out/EleutherAI__pythia-160m/samples_arc_easy_2026-12-01T10-10-10.123456.jsonl');
    const wrong = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => x.acc === 0).map((x) => x.doc_id);
    expect(wrong.length).toBeGreaterThan(0);
    await r.press('r');
    const ask = await r.find(`Re-run ${wrong.length} arc_easy docs (acc=0)`);
    expect(ask).toContain(`lm-eval evaluates exactly these ${wrong.length} docs (--samples)`);
    expect(ask).toContain(`'${JSON.stringify({ arc_easy: wrong })}'`);
    expect(ask).toContain('nothing starts until you launch it');
    await r.press('enter');
    const f = await r.find('loaded a re-run');
    expect(f).toContain('Launch');
    const preview = await r.find('--samples');
    expect(preview.replace(/\s+/g, '')).toContain(JSON.stringify({ arc_easy: wrong }).replace(/\s+/g, '').slice(0, 20));
    expect(preview).toContain('EleutherAI/pythia-160m');
  });

  it('r for lmms-eval loads --offset/--limit covering the matching docs and says how many more it re-runs', async () => {
    const r = setup();
    await r.find('Results · a1b2c3d4');
    await r.press('w');
    await r.find('lmms-lab/llava-a');
    await r.press('/', ...'llava-a', 'enter', 'enter', 't', 't');
    await r.find(/samples pope[\s\S]*60 samples/);
    const file = path.join(logs, 'lmms-eval/logs/lmms-lab__llava-a/20261201_101010_samples_pope.jsonl');
    const ids = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((x) => JSON.stringify(x).toLowerCase().includes('image 1')).map((x) => x.doc_id as number);
    const lo = Math.min(...ids);
    const hi = Math.max(...ids);
    await r.press('/', ...'image 1', 'enter', 'r');
    const ask = await r.find(`lmms-eval has no --samples: --offset ${lo} --limit ${hi - lo + 1} re-runs docs ${lo}-${hi}, ${hi - lo + 1 - ids.length} more than the ${ids.length} chosen`);
    expect(ask).toContain(`Re-run ${ids.length} pope docs (matching "image 1")`);
    // The fixture's model_args carry a secret the reader masked: the dialog says to fill it in.
    expect(ask).toContain('secrets masked');
    await r.press('enter');
    const f = await r.find(/--offset \d+ \\/);
    expect(f).toContain(`--offset ${lo} \\`);
    expect(f).toContain(`--limit ${hi - lo + 1} \\`);
    expect(f).toContain('--tasks pope');
    expect(f).toContain('pretrained=lmms-lab/llava-a');
  });

  it('refuses to compare fewer than two runs, and says why', async () => {
    const r = setup();
    await r.find('Results · a1b2c3d4');
    await r.press('w');
    await r.find('lmms-lab/llava-a');
    await r.press('c');
    await r.find('mark two or more runs with Space first');
  });
});
