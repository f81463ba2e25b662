/**
 * Discovery against the real installs: `lmms-tui tasks --json` and `models --json`, through the shipped
 * entry (bin/lmms-tui.js over dist/cli.js), must say what each harness's own TaskManager and model
 * registry say, computed live by the venv's Python (test/real/oracle.py). The ground truth does not
 * need ../shared: the installed package is it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { Harness } from '../../src/core/spec.js';
import { cleanupTasks, materializeTasks, modelRegistry, taskManagerNames } from './helpers.js';
import { describeReal, ROOT } from './venvs.js';

const ENTRY = path.join(ROOT, 'bin', 'lmms-tui.js');
const homes: string[] = [];
afterAll(() => {
  cleanupTasks();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
});

function lmmsTui(args: string[], home: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, LMMS_TUI_HOME: home, PYTHONPATH: '' };
  delete env.VIRTUAL_ENV;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRY, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

interface Ours {
  name: string;
  type: string;
  yaml_path: string | null;
  root: string;
  members?: string[];
  also_defined_in?: string[];
}

const abs = (root: string, p: string): string => realpathSync(path.isAbsolute(p) ? p : path.join(root, p));

for (const harness of ['lm-eval', 'lmms-eval'] as Harness[]) {
  describeReal([harness], `discovery on the real ${harness}`, (py) => {
    it(
      'tasks --json lists every name TaskManager lists, with its type, YAML file and members, cold and warm',
      async () => {
        const include = path.join(materializeTasks(), harness);
        const truth = await taskManagerNames(py[harness], harness, [include]);
        const home = mkdtempSync(path.join(tmpdir(), 'lmms-real-disc-'));
        homes.push(home);
        for (const pass of ['cold', 'warm']) {
          const res = await lmmsTui(['tasks', '--harness', harness, '--python', py[harness], '--include-path', include, '--json'], home);
          expect(res.code, `${pass}: ${res.stderr}`).toBe(0);
          const ours = new Map((JSON.parse(res.stdout) as Ours[]).map((e) => [e.name, e]));
          const missing = Object.keys(truth.names).filter((n) => !ours.has(n));
          const extra = [...ours.keys()].filter((n) => !(n in truth.names));
          const wrongType = Object.entries(truth.names).filter(([n, t]) => ours.get(n) && ours.get(n)!.type !== t.type);
          expect({ pass, missing, extra, wrongType }).toEqual({ pass, missing: [], extra: [], wrongType: [] });
          // lmms-eval walks in raw directory order, so of two files defining one name either may win;
          // the loser is then reported in also_defined_in.
          const wrongPath = Object.entries(truth.names).filter(([n, t]) => {
            const e = ours.get(n)!;
            if (t.yaml_path === null || e.yaml_path === null) return t.yaml_path !== e.yaml_path;
            const candidates = [e.yaml_path, ...(harness === 'lmms-eval' ? (e.also_defined_in ?? []) : [])].map((p) => abs(e.root, p));
            return !candidates.includes(t.yaml_path);
          });
          expect(wrongPath.map(([n]) => n)).toEqual([]);
          const wrongMembers = Object.entries(truth.names).filter(([n, t]) => t.members && JSON.stringify(ours.get(n)!.members ?? []) !== JSON.stringify(t.members));
          expect(wrongMembers.map(([n, t]) => ({ n, ours: ours.get(n)!.members, truth: t.members }))).toEqual([]);
          // Our own tasks are there, so the include path really was indexed.
          expect(ours.get(harness === 'lm-eval' ? 'lmtui_group' : 'lmtui_vgroup')?.type).toBe('group');
        }
      },
      300_000,
    );

    it(
      'models --json (and --probe) lists exactly the names --model accepts, with their aliases',
      async () => {
        const truth = await modelRegistry(py[harness], harness);
        const home = mkdtempSync(path.join(tmpdir(), 'lmms-real-models-'));
        homes.push(home);
        for (const probe of [[], ['--probe']]) {
          const res = await lmmsTui(['models', '--harness', harness, '--python', py[harness], '--json', ...probe], home);
          expect(res.code, res.stderr).toBe(0);
          const ours = JSON.parse(res.stdout) as { name: string; aliases: string[]; kind: string; target?: string }[];
          expect(ours.map((m) => m.name).sort()).toEqual(Object.keys(truth).sort());
          for (const m of ours) {
            const t = truth[m.name]!;
            expect([...m.aliases].sort(), m.name).toEqual(t.aliases);
            if (t.kind) expect(m.kind, m.name).toBe(t.kind);
            if (t.target && m.target) expect(m.target, m.name).toBe(t.target);
          }
        }
      },
      180_000,
    );
  });
}
