import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findErrorMarker } from '../../src/core/logs/scan.js';
import { tempDir } from './helpers.js';

const tmp = tempDir();
afterAll(() => tmp.cleanup());
let n = 0;
const log = (content: string) => {
  const p = tmp.file(`scan-${n++}.log`);
  writeFileSync(p, content);
  return p;
};

const E = '\x1b';
const INFO = `${E}[32m2026-11-22 10:06:37${E}[0m | ${E}[1mINFO    ${E}[0m | lmms_eval.__main__:cli_evaluate:700 - ${E}[1mSelected Tasks: ['mme']${E}[0m\n`;
const LMMS_ERROR = `${E}[32m2026-11-22 10:06:40${E}[0m | ${E}[31m${E}[1mERROR   ${E}[0m | lmms_eval.__main__:cli_evaluate:596 - ${E}[31m${E}[1mError during evaluation: Tasks not found: ['nope']. Please set --verbosity=DEBUG to get more information.${E}[0m\n`;
const TRACEBACK = [
  'Traceback (most recent call last):',
  '  File "/x/lm_eval/__main__.py", line 10, in <module>',
  '    cli_evaluate()',
  '  File "/x/lm_eval/_cli/run.py", line 388, in _execute',
  '    raise ValueError(f"Tasks not found: {missing}")',
  "ValueError: Tasks not found: ['nope']",
  '',
].join('\n');

describe('findErrorMarker', () => {
  it("finds lmms-eval's ERROR record and reports its message", async () => {
    const m = await findErrorMarker(log(INFO + TRACEBACK + LMMS_ERROR));
    expect(m).toMatchObject({ kind: 'record', level: 'ERROR' });
    expect(m?.message).toBe("Error during evaluation: Tasks not found: ['nope']. Please set --verbosity=DEBUG to get more information.");
  });

  it("reports a bare traceback by its exception line (lm-eval's uncaught error)", async () => {
    const m = await findErrorMarker(log(`2026-08-21:19:56:54 INFO     [_cli.run:388] Selected Tasks: ['nope']\n${TRACEBACK}`));
    expect(m).toMatchObject({ kind: 'traceback', message: "ValueError: Tasks not found: ['nope']" });
  });

  it('returns null for a clean log, including WARNING lines and a missing file', async () => {
    expect(await findErrorMarker(log(`${INFO}2026-08-21:19:56:54 WARNING  [x:1] careful\nthe word ERROR in a print\n`))).toBeNull();
    expect(await findErrorMarker(tmp.file('missing.log'))).toBeNull();
  });

  it('finds markers cut by read boundaries and follows a traceback across chunks', async () => {
    const content = `${INFO.repeat(3)}${TRACEBACK}`;
    for (const chunkBytes of [3, 7, 64]) {
      const m = await findErrorMarker(log(content), { chunkBytes });
      expect(m?.message, `chunk ${chunkBytes}`).toBe("ValueError: Tasks not found: ['nope']");
      expect(m?.offset).toBe(Buffer.byteLength(INFO) * 3);
    }
  });

  it('finds an error record written right after a tqdm redraw in a large log', async () => {
    let bars = '';
    for (let i = 0; i < 50_000; i++) bars += `\rModel Responding: ${Math.floor(i / 500)}%|          | ${i}/50000 [00:01<00:20,  7.01it/s]`;
    const m = await findErrorMarker(log(INFO + bars + LMMS_ERROR));
    expect(m?.message).toMatch(/^Error during evaluation: Tasks not found/);
  });
});
