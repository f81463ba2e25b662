import { copyFileSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findResultsFiles } from '../../src/core/results/find.js';
import { tempDir } from '../logs/helpers.js';

let cleanup: (() => void) | null = null;
afterEach(() => cleanup?.());

/** Creates files (with content `{}`) at the given mtimes (epoch seconds) under a fresh dir. */
function tree(files: Record<string, number>): string {
  const tmp = tempDir('lmms-tui-results-');
  cleanup = tmp.cleanup;
  for (const [rel, mtime] of Object.entries(files)) {
    const p = path.join(tmp.dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, '{}');
    utimesSync(p, mtime, mtime);
  }
  return tmp.dir;
}

describe('findResultsFiles', () => {
  it('finds both harnesses\' layouts recursively, newest first, and ignores samples and other files', () => {
    const dir = tree({
      'lmms-lab__llava/20261122_100637_results.json': 1000,
      'lmms-lab__llava/20261122_100637_samples_mme.jsonl': 1001,
      'EleutherAI__pythia-160m/results_2026-08-21T19-56-54.123456.json': 2000,
      'EleutherAI__pythia-160m/samples_hellaswag_2026-08-21T19-56-54.123456.jsonl': 2001,
      '20261122_110000_results.json': 3000,
      'notes.json': 4000,
    });
    expect(findResultsFiles(dir).map((f) => path.relative(dir, f))).toEqual([
      '20261122_110000_results.json',
      'EleutherAI__pythia-160m/results_2026-08-21T19-56-54.123456.json',
      'lmms-lab__llava/20261122_100637_results.json',
    ]);
  });

  it('filters by modification time', () => {
    const dir = tree({ 'm/20261122_100637_results.json': 1000, 'm/20261122_110000_results.json': 2000 });
    expect(findResultsFiles(dir, { since: 1500_000 }).map((f) => path.basename(f))).toEqual(['20261122_110000_results.json']);
    expect(findResultsFiles(dir, { since: 2000_000 })).toHaveLength(1);
    expect(findResultsFiles(dir, { since: 2000_001 })).toEqual([]);
  });

  it("handles lm-eval's .json file form and lmms-eval's directory reading of the same path", () => {
    const dir = tree({
      'run_2026-08-21T20-01-02.5.json': 1000,
      'run_2026-08-21T21-00-00.json': 2000,
      'other_2026-08-21T21-00-00.json': 3000,
      'run.json/model/20261122_100637_results.json': 500,
    });
    expect(findResultsFiles(path.join(dir, 'run.json')).map((f) => path.relative(dir, f))).toEqual([
      'run_2026-08-21T21-00-00.json',
      'run_2026-08-21T20-01-02.5.json',
      'run.json/model/20261122_100637_results.json',
    ]);
  });

  it('returns [] for a missing directory', () => {
    expect(findResultsFiles('/nonexistent/lmms-tui/out')).toEqual([]);
    expect(findResultsFiles('/nonexistent/lmms-tui/out.json')).toEqual([]);
  });

  it('finds the checked-in fixtures', () => {
    const tmp = tempDir('lmms-tui-results-');
    cleanup = tmp.cleanup;
    const src = new URL('./fixtures/lme/out/EleutherAI__pythia-160m/results_2026-08-21T19-56-54.123456.json', import.meta.url);
    mkdirSync(path.join(tmp.dir, 'm'));
    copyFileSync(src, path.join(tmp.dir, 'm', 'results_2026-08-21T19-56-54.123456.json'));
    expect(findResultsFiles(tmp.dir)).toHaveLength(1);
  });
});
