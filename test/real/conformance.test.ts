/**
 * The demo harness (demo/harness) stays honest: the same small spec run through it and through the real
 * harness must give the shapes lmms-tui depends on: log line format per level and the stream it goes
 * to, tqdm bar labels, results and samples file names and layout, and the keys of the results JSON.
 * (Numbers differ by design: the demo simulates them.)
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { parseProgress } from '../../src/core/logs/parse.js';
import type { Harness } from '../../src/core/spec.js';
import { cleanupTasks, materializeTasks } from './helpers.js';
import { describeReal, offlineEnv, ROOT } from './venvs.js';

const DEMO = path.join(ROOT, 'demo', 'harness');
afterAll(() => cleanupTasks());

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
}

function runPython(python: string, args: string[], pythonpath: string): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, ...offlineEnv(), PYTHONPATH: pythonpath, LMMS_DEMO_PACE: '0', PYTHONUNBUFFERED: '1' };
  delete env.VIRTUAL_ENV;
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

const ESC = '\\x1b\\[[\\d;]*m';
// lm-eval (stdlib logging): `2026-12-04:20:15:04 INFO     [evaluator:214] message`.
const LM_LOG = /^(\d{4}-\d\d-\d\d:\d\d:\d\d:\d\d) ([A-Z]+) +\[[^\]\s]+:\d+\] /;
// lmms-eval (loguru, ANSI even when piped): `<green>2026-12-04 20:21:28</green> | <level>INFO    </level> | <cyan>mod</cyan>:<cyan>fn</cyan>:<cyan>516</cyan> - <level>message</level>`.
const LMMS_LOG = new RegExp(`^(?:${ESC})*\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d(?:${ESC})* \\| (?:${ESC})*([A-Z]+) *(?:${ESC})* \\| `);

/** `{stream level: set of line templates}`: timestamp, logger location and message replaced, ANSI kept. */
function logShapes(harness: Harness, run: Run): Map<string, Set<string>> {
  const shapes = new Map<string, Set<string>>();
  for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
    for (const line of text.split(/\r?\n|\r/)) {
      const m = (harness === 'lm-eval' ? LM_LOG : LMMS_LOG).exec(line);
      if (!m) continue;
      const level = harness === 'lm-eval' ? m[2]! : m[1]!;
      let t: string;
      if (harness === 'lm-eval') t = line.replace(LM_LOG, (_all, _ts, lvl: string) => `TS ${lvl.padEnd(8)} [LOC] `).replace(/\] .*$/, '] MSG');
      else {
        const e = `((?:${ESC})*)`;
        const full = new RegExp(`^${e}\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d${e} \\| ${e}([A-Z]+ *)${e} \\| ${e}[\\w.<>]+${e}:${e}[\\w<>]+${e}:${e}\\d+${e} - ${e}[\\s\\S]*?${e}$`).exec(line);
        t = full ? `${full[1]}TS${full[2]} | ${full[3]}${full[4]}${full[5]} | ${full[6]}MOD${full[7]}:${full[8]}FN${full[9]}:${full[10]}N${full[11]} - ${full[12]}MSG${full[13]}` : `unrecognised: ${line}`;
      }
      const key = `${stream} ${level}`;
      if (!shapes.has(key)) shapes.set(key, new Set());
      shapes.get(key)!.add(t);
    }
  }
  return shapes;
}

/** Labels of the tqdm bars per stream; the `datasets` library's own "Generating … split" bar is not the harness's. */
function barLabels(run: Run): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [stream, text] of [['stdout', run.stdout], ['stderr', run.stderr]] as const) {
    const labels = new Set<string>();
    for (const seg of text.split(/[\r\n]/)) {
      const p = parseProgress(seg);
      if (p && !/^Generating \w+ split$/.test(p.label)) labels.add(p.label);
    }
    if (labels.size) out[stream] = [...labels].sort();
  }
  return out;
}

/** Files under the output path, digits as 9 and lm-eval's per-model directory as <model>. */
function layout(harness: Harness, dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full, rel ? `${rel}/${name}` : name);
      else files.push(rel ? `${rel}/${name}` : name);
    }
  };
  walk(dir, '');
  return files.map((f) => (harness === 'lm-eval' ? f.replace(/^[^/]+\//, '<model>/') : f).replace(/\d/g, '9')).sort();
}

function resultsJson(dir: string): Record<string, unknown> {
  const find = (d: string): string | null => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) {
        const f = find(full);
        if (f) return f;
      } else if (/results/.test(name) && name.endsWith('.json')) return full;
    }
    return null;
  };
  return JSON.parse(readFileSync(find(dir)!, 'utf8'));
}

/** The results file's keys: top level, and each task's and group's entry in `results`. */
function resultKeys(json: Record<string, unknown>): { top: string[]; entries: Record<string, string[]> } {
  const entries: Record<string, string[]> = {};
  for (const [task, entry] of Object.entries(json.results as Record<string, object>)) entries[task] = Object.keys(entry).sort();
  return { top: Object.keys(json).sort(), entries };
}

const CASES: Record<Harness, { include: string; ok: string[]; demoModel: string; realModel: string }> = {
  'lm-eval': { include: 'lm-eval', ok: ['lmtui_group'], demoModel: 'dummy', realModel: 'dummy' },
  // The demo has no `dummy` model; read_bytes=1 makes the real dummy draw its Model Responding bar.
  'lmms-eval': { include: 'lmms-eval', ok: ['lmtui_vgroup'], demoModel: 'demo', realModel: 'dummy' },
};

for (const harness of ['lm-eval', 'lmms-eval'] as Harness[]) {
  describeReal([harness], `the demo ${harness} conforms to the real one`, (py) => {
    it(
      'same log format per level and stream, bar labels, file layout and results keys',
      async () => {
        const tasks = materializeTasks();
        const k = CASES[harness];
        const mod = harness === 'lm-eval' ? ['-m', 'lm_eval', 'run'] : ['-m', 'lmms_eval'];
        const args = (model: string, out: string, taskList: string) => [
          ...mod,
          '--model', model,
          ...(harness === 'lmms-eval' && model === 'dummy' ? ['--model_args', 'read_bytes=1'] : []),
          '--tasks', taskList,
          '--include_path', path.join(tasks, k.include),
          '--output_path', path.join(tasks, out),
          '--log_samples',
        ];
        const [real, demo, realBad, demoBad] = await Promise.all([
          runPython(py[harness], args(k.realModel, 'real', k.ok.join(',')), ''),
          runPython('python3', args(k.demoModel, 'demo', k.ok.join(',')), DEMO),
          runPython(py[harness], args(k.realModel, 'real-bad', 'lmtui_no_such_task'), ''),
          runPython('python3', args(k.demoModel, 'demo-bad', 'lmtui_no_such_task'), DEMO),
        ]);
        expect(real.code, real.stderr.slice(-2000)).toBe(0);
        expect(demo.code, demo.stderr.slice(-2000)).toBe(0);
        expect(demoBad.code).toBe(realBad.code);

        // Log lines: every (stream, level) the real harness printed, the demo prints in the same format.
        const realShapes = logShapes(harness, { stdout: real.stdout + realBad.stdout, stderr: real.stderr + realBad.stderr, code: 0 });
        const demoShapes = logShapes(harness, { stdout: demo.stdout + demoBad.stdout, stderr: demo.stderr + demoBad.stderr, code: 0 });
        expect(realShapes.size).toBeGreaterThan(0);
        for (const [key, shapes] of realShapes) expect({ key, shapes: [...(demoShapes.get(key) ?? [])].sort() }).toEqual({ key, shapes: [...shapes].sort() });
        for (const key of demoShapes.keys()) expect(realShapes.has(key) || /WARNING|DEBUG/.test(key), `demo logs ${key}, the real harness does not`).toBe(true);

        expect(barLabels(demo)).toEqual(barLabels(real));
        expect(layout(harness, path.join(tasks, 'demo'))).toEqual(layout(harness, path.join(tasks, 'real')));

        const r = resultKeys(resultsJson(path.join(tasks, 'real')));
        const d = resultKeys(resultsJson(path.join(tasks, 'demo')));
        expect(d.top.filter((x) => x !== 'simulated')).toEqual(r.top);
        expect(d.entries).toEqual(r.entries);
      },
      400_000,
    );
  });
}
