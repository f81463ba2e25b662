/**
 * PyYAML as an oracle: the harnesses parse with it, so the fast reader must agree with it. Used when
 * python3 with PyYAML is installed; the tests that need it skip (with a message) otherwise.
 */
import { spawnSync } from 'node:child_process';
import { FunctionRef } from '../../src/core/discovery/yaml-scalars.js';

const PY = `
import sys, json, yaml, math
class L(yaml.FullLoader): pass
L.add_constructor('!function', lambda l, n: {"__function__": l.construct_scalar(n)})
def conv(v):
    if isinstance(v, dict): return {(k if isinstance(k, str) else "\\u0000?"): conv(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)): return [conv(x) for x in v]
    if isinstance(v, float):
        if math.isnan(v): return "__nan__"
        if math.isinf(v): return "__inf__" if v > 0 else "__-inf__"
    return v if isinstance(v, (str, int, float, bool)) or v is None else "__other__"
out = []
for doc in json.load(sys.stdin):
    try: out.append({"ok": conv(yaml.load(doc, Loader=L))})
    except Exception as e: out.append({"err": str(e).split("\\n")[0]})
json.dump(out, sys.stdout)
`;

export const pyyamlAvailable = spawnSync('python3', ['-c', 'import yaml'], { stdio: 'ignore' }).status === 0;

export type OracleAnswer = { ok: unknown } | { err: string };

/** Parses every document with PyYAML's FullLoader (lmms-eval's loader) in one Python run. */
export function pyyamlParse(docs: readonly string[]): OracleAnswer[] {
  const res = spawnSync('python3', ['-c', PY], { input: JSON.stringify(docs), maxBuffer: 64 << 20 });
  if (res.status !== 0) throw new Error(`python3 failed: ${res.stderr}`);
  return JSON.parse(res.stdout.toString()) as OracleAnswer[];
}

/** Our values in the oracle's JSON shape: `!function` as {__function__}, special floats as strings. */
export function toOracleShape(v: unknown): unknown {
  if (v instanceof FunctionRef) return { __function__: v.ref };
  if (Array.isArray(v)) return v.map(toOracleShape);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v)) o[k.startsWith('\u0000') ? '\u0000?' : k] = toOracleShape((v as Record<string, unknown>)[k]);
    return o;
  }
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '__nan__';
    if (v === Infinity) return '__inf__';
    if (v === -Infinity) return '__-inf__';
  }
  return v;
}
