/**
 * Model names each harness accepts in `--model` (harness-facts §2, §9).
 *
 * Static (default, ~ms, no Python): read the registry literals from the package's
 * `models/__init__.py`. lmms-eval: `AVAILABLE_SIMPLE_MODELS`, `AVAILABLE_CHAT_TEMPLATE_MODELS`,
 * `MODEL_ALIASES`; a bare class name means `lmms_eval.models.<simple|chat>.<id>.<Class>`. lm-eval:
 * `MODEL_MAPPING` (name → "module:Class"); names sharing a class are each other's aliases.
 *
 * Probe (opt-in, slower): import the registry module in the target Python, which also sees
 * lmms-eval's entry-point plugins and `LMMS_EVAL_PLUGINS`. Needs only the stdlib and loguru.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Harness } from '../spec.js';
import type { HarnessLocation } from './locate.js';
import { readPyAssignment, type PyValue } from './pyliteral.js';
import { PROBE_MARKER, runPythonJson } from './python.js';

/** chat: message-based tasks; simple: plain tasks; chat+simple: chat unless --force_simple. */
export type ModelKind = 'chat' | 'simple' | 'chat+simple';

export interface ModelInfo {
  name: string;
  aliases: string[];
  /**
   * lmms-eval: which implementations exist. lm-eval has no such split; there `chat` marks the
   * chat-completions API wrappers (they expect --apply_chat_template), a heuristic on the class name.
   */
  kind: ModelKind;
  chat_class?: string;
  simple_class?: string;
  /** lm-eval: `module:Class`. */
  target?: string;
  /** Where the name was seen: the static registry, or only the import probe (a plugin). */
  source: 'static' | 'probe';
  /** Set when the class cannot be found statically: `--model` with this name fails at import. */
  problem?: string;
  /** The class's default for `pretrained` (its `__init__` signature), read statically when it has one. */
  pretrained?: string;
}

/**
 * The `pretrained` default in the `__init__` of `cls` in a module's source, e.g. lmms-eval's
 * `def __init__(self, pretrained: str = "lmms-lab/llava-onevision-qwen2-7b-ov", ...)`.
 */
export function pretrainedDefault(source: string, cls: string): string | undefined {
  const at = source.search(new RegExp(`^class\\s+${cls}\\b`, 'm'));
  if (at < 0) return undefined;
  const body = source.slice(at);
  const init = body.search(/\bdef\s+__init__\s*\(/);
  // The next class starts another body: an __init__ after it is not this class's.
  const next = body.slice(1).search(/^class\s/m);
  if (init < 0 || (next >= 0 && init > next + 1)) return undefined;
  const sig = body.slice(init, init + 4000);
  const end = sig.search(/\)\s*(->\s*[^:]+)?:/);
  const m = /\bpretrained\s*(?::\s*[^=,)]+)?=\s*(?:"([^"\n]+)"|'([^'\n]+)')/.exec(end > 0 ? sig.slice(0, end) : sig);
  return m ? (m[1] ?? m[2]) : undefined;
}

function strings(v: PyValue): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : [];
}

function stringDict(v: PyValue): Record<string, string> {
  const out: Record<string, string> = {};
  if (v && typeof v === 'object' && !Array.isArray(v)) for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

function kindOf(chat: boolean, simple: boolean): ModelKind {
  return chat && simple ? 'chat+simple' : chat ? 'chat' : 'simple';
}

const byName = (a: ModelInfo, b: ModelInfo): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** Parses a registry source file (pure; see the module comment for the two formats). */
export function parseModelRegistry(source: string, harness: Harness): ModelInfo[] {
  if (harness === 'lm-eval') {
    const mapping = stringDict(readPyAssignment(source, 'MODEL_MAPPING'));
    const byTarget = new Map<string, string[]>();
    for (const [name, target] of Object.entries(mapping)) byTarget.set(target, [...(byTarget.get(target) ?? []), name]);
    return Object.entries(mapping)
      .map(([name, target]): ModelInfo => ({
        name,
        aliases: byTarget.get(target)!.filter((n) => n !== name),
        kind: /chat/i.test(target.split(':').pop() ?? '') ? 'chat' : 'simple',
        target,
        source: 'static',
      }))
      .sort(byName);
  }
  const simple = stringDict(readPyAssignment(source, 'AVAILABLE_SIMPLE_MODELS'));
  const chat = stringDict(readPyAssignment(source, 'AVAILABLE_CHAT_TEMPLATE_MODELS'));
  const aliasValue = readPyAssignment(source, 'MODEL_ALIASES');
  const aliases: Record<string, string[]> = {};
  if (aliasValue && typeof aliasValue === 'object' && !Array.isArray(aliasValue)) {
    for (const [k, v] of Object.entries(aliasValue)) aliases[k] = strings(v);
  }
  const classPath = (kind: 'simple' | 'chat', id: string, cls: string): string => (cls.includes('.') ? cls : `lmms_eval.models.${kind}.${id}.${cls}`);
  const ids = [...new Set([...Object.keys(simple), ...Object.keys(chat)])];
  return ids
    .map((id): ModelInfo => {
      const m: ModelInfo = {
        name: id,
        // The registry drops duplicates, empty names and the id itself from a manifest's aliases.
        aliases: [...new Set(aliases[id] ?? [])].filter((a) => a && a !== id),
        kind: kindOf(id in chat, id in simple),
        source: 'static',
      };
      if (chat[id]) m.chat_class = classPath('chat', id, chat[id]);
      if (simple[id]) m.simple_class = classPath('simple', id, simple[id]);
      return m;
    })
    .sort(byName);
}

/** Module file and class name of a dotted class path inside the package, or null if it lives elsewhere. */
function classFile(packageDir: string, module: string, classPath: string): [string, string] | null {
  const parts = classPath.split('.');
  const cls = parts.pop()!;
  if (parts[0] !== module) return null;
  const rel = parts.slice(1).join('/');
  return [path.join(packageDir, `${rel}.py`), cls];
}

/** Marks entries whose class is missing from its module file (those fail at `--model` time). */
export function checkModelClasses(models: ModelInfo[], location: Pick<HarnessLocation, 'packageDir' | 'module'>): void {
  const cache = new Map<string, string | null>();
  const read = (f: string): string | null => {
    if (!cache.has(f)) cache.set(f, existsSync(f) ? readFileSync(f, 'utf8') : null);
    return cache.get(f)!;
  };
  for (const m of models) {
    const problems: string[] = [];
    const targets: [string, string | undefined][] = [['chat', m.chat_class], ['simple', m.simple_class]];
    if (m.target) targets.push(['', m.target.replace(':', '.')]);
    for (const [kind, cp] of targets) {
      if (!cp) continue;
      const found = classFile(location.packageDir, location.module, cp);
      if (!found) continue;
      const [file, cls] = found;
      const text = read(file);
      const label = kind ? `${kind} class ${cls}` : `class ${cls}`;
      const rel = path.relative(path.dirname(location.packageDir), file);
      if (text === null) problems.push(`${label}: no module file ${rel}`);
      else if (!new RegExp(`^class\\s+${cls}\\b`, 'm').test(text)) problems.push(`${label} not found in ${rel}`);
      else m.pretrained ??= pretrainedDefault(text, cls);
    }
    if (problems.length > 0) m.problem = problems.join('; ');
  }
}

interface ProbeAnswer {
  models: { name: string; aliases: string[]; chat: string | null; simple: string | null; target: string | null }[];
  error: string | null;
}

const PROBE_CODE: Record<Harness, string> = {
  'lmms-eval': `
import sys, json
out = {"models": [], "error": None}
try:
    import lmms_eval.models as m
    for i in m.list_available_models(False):
        man = m.get_model_manifest(i)
        out["models"].append({"name": man.model_id, "aliases": list(man.aliases), "chat": man.chat_class_path, "simple": man.simple_class_path, "target": None})
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
sys.stdout.write("\\n${PROBE_MARKER}\\n" + json.dumps(out) + "\\n")
`,
  'lm-eval': `
import sys, json
out = {"models": [], "error": None}
try:
    import lm_eval.models
    from lm_eval.api import registry as r
    reg = r.model_registry
    items = reg.items() if hasattr(reg, "items") else [(k, reg.get(k)) for k in reg.keys()]
    for name, t in items:
        target = t if isinstance(t, str) else "%s:%s" % (getattr(t, "__module__", "?"), getattr(t, "__qualname__", repr(t)))
        out["models"].append({"name": name, "aliases": [], "chat": None, "simple": None, "target": target})
except Exception as e:
    out["error"] = "%s: %s" % (type(e).__name__, e)
sys.stdout.write("\\n${PROBE_MARKER}\\n" + json.dumps(out) + "\\n")
`,
};

export interface ListModelsOptions {
  /** Also import the registry in Python to see plugins (slower: starts Python). */
  probe?: boolean;
  /** Check that each class exists in its module file (default true). */
  checkClasses?: boolean;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
}

/** Names for `--model`, from the static registry, plus (with `probe`) what only an import sees. */
export async function listModels(location: HarnessLocation, options: ListModelsOptions = {}): Promise<ModelInfo[]> {
  const file = path.join(location.packageDir, 'models', '__init__.py');
  const source = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const models = parseModelRegistry(source, location.harness);
  if (options.checkClasses !== false) checkModelClasses(models, location);
  if (!options.probe) return models;
  const answer = await runPythonJson<ProbeAnswer>(
    { python: location.python, setup: location.setup, env: options.env, cwd: options.cwd, timeoutMs: options.timeoutMs },
    PROBE_CODE[location.harness],
    'listing models',
  );
  if (answer.error) throw new UserError(`importing ${location.module}'s model registry failed: ${answer.error}`, 'the static list (without --probe) needs no import');
  const known = new Map(models.map((m) => [m.name, m]));
  for (const p of answer.models) {
    if (known.has(p.name)) continue;
    const m: ModelInfo = { name: p.name, aliases: p.aliases, kind: kindOf(!!p.chat, !!p.simple), source: 'probe' };
    if (p.chat) m.chat_class = p.chat;
    if (p.simple) m.simple_class = p.simple;
    if (p.target) {
      m.target = p.target;
      m.kind = /chat/i.test(p.target.split(':').pop() ?? '') ? 'chat' : 'simple';
    }
    models.push(m);
  }
  if (location.harness === 'lm-eval') {
    // Names sharing a class are aliases; recompute over static and probed names together.
    const byTarget = new Map<string, string[]>();
    for (const m of models) if (m.target) byTarget.set(m.target, [...(byTarget.get(m.target) ?? []), m.name]);
    for (const m of models) if (m.target) m.aliases = byTarget.get(m.target)!.filter((n) => n !== m.name);
  }
  return models.sort(byName);
}
