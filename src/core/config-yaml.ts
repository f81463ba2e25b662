/**
 * Import and export of the harnesses' `--config` YAML (harness-facts §4.3).
 *
 * lmms-eval reads a mapping or a LIST of mappings (one run each), keyed by argparse dest names, with an
 * `env:` mapping; the values skip argparse's `type=`, hence its quirks: `seed` must be a YAML list (a
 * string is indexed character by character), `tasks` / `model_args` / `gen_kwargs` must be comma
 * strings. lm-eval reads one mapping, no `env:`, and accepts mappings for its k=v fields.
 *
 * The harnesses' YAML has no place for what lmms-tui adds around the command (harness, interpreter, set-up
 * line, GPU count, extra argv, demo); export keeps those in a `# lmms-tui: {json}` comment on each entry so
 * a round trip loses nothing, and the harness ignores the comment.
 */
import { Document, isMap, isSeq, parseDocument, YAMLMap, type Node } from 'yaml';
import { UserError } from './errors.js';
import { isSecretName, MASK, redactSecrets, redactSpec } from './redact.js';
import { FLAG_BY_NAME, FLAGS, HARNESSES, type EvalSpec, type FlagDef, type Harness } from './spec.js';

export interface ConfigEntry {
  spec: EvalSpec;
  /** Keys the harness would reject or that lmms-tui cannot represent; none of them were imported. */
  unknownKeys: string[];
  /** Conversions made and harness quirks that apply, one sentence each. */
  notes: string[];
}

export interface ImportOptions {
  /** Harness to read the file for; default: the `# lmms-tui:` comment, else lmms-eval. */
  harness?: Harness;
}

/** lmms-eval dests that lmms-tui has no field for: reported, not imported. */
const LMMS_ONLY_DESTS = new Set(['power_analysis', 'effect_size', 'alpha', 'power', 'correlation', 'std_a', 'std_b', 'tui']);
/** Values that are k=v comma strings on the CLI; lmms-eval needs them as strings in YAML too. */
const KV_FIELDS = new Set(['model_args', 'gen_kwargs', 'wandb_args', 'wandb_config_args', 'swanlab_args', 'trackio_args', 'hf_hub_log_args', 'launcher_args']);
const MARKER = /^\s*lmms-tui:\s*(\{.*\})\s*$/m;

export function importConfigYaml(text: string, opts: ImportOptions = {}): ConfigEntry[] {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    const line = e.linePos?.[0]?.line;
    throw new UserError(`config YAML does not parse${line ? ` (line ${line})` : ''}: ${e.message.split('\n')[0]}`, 'fix the YAML syntax');
  }
  const root = doc.contents;
  const maps: { map: YAMLMap; comment: string | undefined }[] = [];
  if (isMap(root)) maps.push({ map: root, comment: [doc.commentBefore, root.commentBefore].filter(Boolean).join('\n') });
  else if (isSeq(root)) {
    root.items.forEach((item, i) => {
      if (!isMap(item)) throw new UserError(`config entry ${i + 1} is not a mapping`, 'each list item must be a mapping of argument names to values');
      maps.push({ map: item, comment: [i === 0 ? doc.commentBefore : undefined, root.commentBefore, item.commentBefore].filter(Boolean).join('\n') });
    });
  } else {
    throw new UserError('config YAML root is neither a mapping nor a list of mappings', 'write `model: …`, `tasks: …` keys, or a list of such mappings');
  }
  if (maps.length === 0) throw new UserError('config YAML has no entries', 'add at least one mapping with model and tasks');
  const entries = maps.map(({ map, comment }) => importEntry(map.toJSON() as Record<string, unknown>, launcherFields(comment), opts));
  if (isSeq(root) && entries.some((e) => e.spec.harness === 'lm-eval')) {
    entries[0]!.notes.push('lm-eval reads a single mapping, not a list; each entry was imported as its own spec');
  }
  return entries;
}

function launcherFields(comment: string | undefined): Record<string, unknown> {
  const m = comment ? MARKER.exec(comment) : null;
  if (!m) return {};
  try {
    const parsed: unknown = JSON.parse(m[1]!);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function importEntry(raw: Record<string, unknown>, launcher: Record<string, unknown>, opts: ImportOptions): ConfigEntry {
  const harness = opts.harness ?? (HARNESSES.includes(launcher.harness as Harness) ? (launcher.harness as Harness) : 'lmms-eval');
  const spec: EvalSpec = { harness, model: '', tasks: [] };
  const unknownKeys: string[] = [];
  const notes: string[] = [];
  if (typeof launcher.python === 'string') spec.python = launcher.python;
  if (typeof launcher.setup === 'string') spec.setup = launcher.setup;
  if (typeof launcher.num_gpus === 'number') spec.num_gpus = launcher.num_gpus;
  if (Array.isArray(launcher.extra_args)) spec.extra_args = launcher.extra_args.map(String);
  if (launcher.demo === true) spec.demo = true;

  for (const [key, value] of Object.entries(raw)) {
    if (value === null || value === undefined) continue; // `key:` with no value means unset
    if (key === 'model') spec.model = String(value);
    else if (key === 'tasks') spec.tasks = importTasks(value, harness, notes);
    else if (key === 'model_args') spec.model_args = importKv(key, value, harness, notes);
    else if (key === 'env') importEnv(value, harness, spec, notes, unknownKeys);
    else {
      const flag = FLAG_BY_NAME.get(key);
      if (!flag || !flag.harnesses.includes(harness) || key === 'config') {
        unknownKeys.push(key);
        notes.push(unknownReason(key, harness, flag));
        continue;
      }
      const converted = importFlag(flag, value, harness, notes);
      if (converted !== undefined) (spec as unknown as Record<string, unknown>)[key] = converted;
    }
  }
  if (harness === 'lmms-eval' && spec.verbosity) {
    notes.push('lmms-eval takes its log level from the command line, not the YAML; lmms-tui passes verbosity as --verbosity');
  }
  return { spec, unknownKeys, notes };
}

function unknownReason(key: string, harness: Harness, flag: FlagDef | undefined): string {
  if (key === 'config') return 'config: a config cannot name another config; ignored';
  if (flag) return `${key}: ${harness} has no such argument (it belongs to ${flag.harnesses.join(', ')}); ${harness} would reject the file`;
  if (harness === 'lmms-eval' && LMMS_ONLY_DESTS.has(key)) return `${key}: lmms-tui has no field for this lmms-eval argument; ignored`;
  if (key === 'num_samples') return 'num_samples: not a dest name; lmms-eval calls it repeats and would reject the file';
  const dest = key.replace(/-/g, '_');
  if (dest !== key && FLAG_BY_NAME.has(dest)) return `${key}: keys are dest names; write ${dest} (${harness} would reject the file)`;
  return `${key}: unknown key; ${harness} would reject the file ("Unknown keys in config file")`;
}

function importTasks(value: unknown, harness: Harness, notes: string[]): string[] {
  if (Array.isArray(value)) {
    if (harness === 'lmms-eval') notes.push('tasks: lmms-eval needs a comma string, not a list; converted');
    return value.map((t) => String(t).trim()).filter((t) => t !== '');
  }
  return String(value)
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

function importKv(key: string, value: unknown, harness: Harness, notes: string[]): string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    if (key === 'metadata') return JSON.stringify(value);
    if (harness === 'lmms-eval') notes.push(`${key}: lmms-eval needs a k=v,… string, not a mapping; converted`);
    return Object.entries(value)
      .map(([k, v]) => `${k}=${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
      .join(',');
  }
  return String(value);
}

function importEnv(value: unknown, harness: Harness, spec: EvalSpec, notes: string[], unknownKeys: string[]): void {
  if (harness === 'lm-eval') {
    unknownKeys.push('env');
    notes.push('env: lm-eval has no env section; ignored (add the variables in the env editor)');
    return;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    unknownKeys.push('env');
    notes.push('env: must be a mapping of NAME: value; ignored');
    return;
  }
  const lines: string[] = [];
  for (const [name, v] of Object.entries(value as Record<string, unknown>)) {
    const literal = v === null ? '' : String(v);
    if (/\$\{[A-Za-z_][A-Za-z0-9_]*:[-=?+]/.test(literal)) {
      notes.push(`env ${name}: lmms-eval's loader leaves \${VAR:-default} unexpanded (os.path.expandvars); lmms-tui runs it through bash, which applies the default`);
    }
    lines.push(`${name}=${literalToEnvValue(literal)}`);
  }
  spec.env = [...(spec.env ?? []), ...lines];
}

function importFlag(flag: FlagDef, value: unknown, harness: Harness, notes: string[]): unknown {
  const name = flag.name;
  if (name === 'seed') return importSeed(value, harness, notes);
  if (KV_FIELDS.has(name) || name === 'metadata') return importKv(name, value, harness, notes);
  switch (flag.kind) {
    case 'bool':
      if (typeof value === 'boolean') return value;
      notes.push(`${name}: expected true or false, got ${JSON.stringify(value)}; ignored`);
      return undefined;
    case 'optbool':
      return typeof value === 'boolean' ? value : String(value);
    case 'int':
    case 'float':
    case 'limit':
      if (typeof value === 'number') return value;
      notes.push(`${name}: ${harness} reads YAML values without converting them; ${JSON.stringify(value)} should be a number`);
      return Number.isFinite(Number(value)) && String(value).trim() !== '' ? Number(value) : Number.NaN;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

function importSeed(value: unknown, harness: Harness, notes: string[]): string {
  if (Array.isArray(value)) return value.map((v) => (v === null ? 'None' : String(v))).join(',');
  if (typeof value === 'string' && value.includes(',') && harness === 'lmms-eval') {
    notes.push('seed: lmms-eval needs a YAML list such as [0, 1234, 1234, 1234]; a string is indexed character by character. Converted');
  }
  return String(value);
}

export interface ExportResult {
  text: string;
  /** What could not be written, or was written in a converted form. */
  warnings: string[];
  /** Names of the secrets found (env vars, k=v keys, fields), whether written as references, masked or in clear. */
  secrets: string[];
}

export interface ExportOptions {
  /**
   * Write secrets in clear. Default: a secret-named env line or set-up export is written as a `${NAME}`
   * reference (the environment that runs the file provides it), and a secret inside another field
   * (api_key= in model_args) is masked, since the harness expands no variables there.
   */
  includeSecrets?: boolean;
}

/** What export found and did with secrets; turned into one warning per secret. */
interface SecretLog {
  include: boolean;
  found: { name: string; how: 'reference' | 'masked' | 'clear'; where: string }[];
}

/**
 * YAML for one or more specs. lmms-eval gets a list of mappings (one run each); lm-eval gets one mapping
 * and so accepts exactly one spec.
 */
export function exportConfigYaml(input: EvalSpec | readonly EvalSpec[], opts: ExportOptions = {}): ExportResult {
  const specs = Array.isArray(input) ? (input as readonly EvalSpec[]) : [input as EvalSpec];
  if (specs.length === 0) throw new UserError('nothing to export', 'give a spec');
  const harness = specs[0]!.harness;
  if (specs.some((s) => s.harness !== harness)) throw new UserError('specs for different harnesses cannot share one config file', 'export each harness separately');
  if (harness === 'lm-eval' && specs.length > 1) throw new UserError('lm-eval reads a single mapping, so one spec per file', 'export the specs one at a time');
  const warnings: string[] = [];
  const doc = new Document();
  const log: SecretLog = { include: opts.includeSecrets === true, found: [] };
  const maps = specs.map((spec) => exportEntry(doc, spec, warnings, log));
  for (const f of log.found) {
    if (f.how === 'reference') warnings.push(`${f.where}: holds a secret; written as \${${f.name}}, to be provided by the environment that runs the file (--include-secrets writes the value)`);
    else if (f.how === 'masked') warnings.push(`${f.where}: holds a secret (${f.name}); written masked as ${MASK} because the harness expands no variables there (--include-secrets writes the value)`);
    else warnings.push(`${f.where}: secret ${f.name} written in clear (--include-secrets)`);
  }
  if (harness === 'lm-eval') {
    doc.contents = maps[0]!;
    doc.commentBefore = maps[0]!.commentBefore ?? null;
    maps[0]!.commentBefore = null;
  } else doc.contents = doc.createNode(maps) as Node;
  return { text: doc.toString({ lineWidth: 0 }), warnings, secrets: [...new Set(log.found.map((f) => f.name))] };
}

/** A free-text value with its secrets masked (or kept, with includeSecrets), each one logged. */
function guardText(value: string, where: string, log: SecretLog): string {
  const masked = redactSecrets(value);
  if (masked === value) return value;
  const names = secretNamesIn(value);
  for (const name of names.length ? names : ['a token']) log.found.push({ name, how: log.include ? 'clear' : 'masked', where });
  return log.include ? value : masked;
}

/** Secret-named keys in a text (`api_key=…`, `--token …`), for the warning. */
function secretNamesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)\s*[=:]|--([A-Za-z][A-Za-z0-9_-]*)\s/g)) {
    const name = m[1] ?? m[2]!;
    if (isSecretName(name)) out.push(name);
  }
  return [...new Set(out)];
}

/** Set-up text with each secret-named `export NAME=value` turned into a reference; other secrets masked. */
function guardSetup(setup: string, log: SecretLog): string {
  if (log.include) return guardText(setup, 'setup', log);
  const referenced = setup.replace(/(^|[\s;&|])(export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s;&|]*)/g, (m, pre, exp, name, value) => {
    if (!isSecretName(name) || value === '' || /^\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$/.test(value)) return m;
    log.found.push({ name, how: 'reference', where: 'setup' });
    return `${pre}${exp ?? ''}${name}=\${${name}}`;
  });
  return guardText(referenced, 'setup', log);
}

function exportEntry(doc: Document, spec: EvalSpec, warnings: string[], log: SecretLog): YAMLMap {
  const map = new YAMLMap();
  const set = (k: string, v: unknown): void => {
    map.add(doc.createPair(k, v));
  };
  set('model', spec.model);
  if (spec.model_args) set('model_args', guardText(spec.model_args, 'model_args', log));
  set('tasks', spec.tasks.join(','));
  for (const flag of FLAGS) {
    const value = spec[flag.name];
    if (value === undefined || value === '' || value === false || (typeof value === 'number' && Number.isNaN(value))) continue;
    if (!flag.harnesses.includes(spec.harness)) {
      warnings.push(`${flag.name}: ${spec.harness} has no such argument; not exported`);
      continue;
    }
    if (flag.name === 'config') {
      warnings.push('config: a config file cannot name another; not exported');
      continue;
    }
    if (flag.name === 'seed') set('seed', exportSeed(String(value), warnings));
    else if (flag.kind === 'batch' && /^\d+$/.test(String(value))) set(flag.name, Number(value));
    else set(flag.name, typeof value === 'string' ? guardText(value, flag.name, log) : value);
  }
  const env = exportEnv(spec, warnings, log);
  if (env) set('env', env);
  const launcher: Record<string, unknown> = { harness: spec.harness };
  for (const k of ['python', 'setup', 'num_gpus', 'extra_args', 'demo'] as const) {
    const v = spec[k];
    if (v !== undefined && v !== '' && !(Array.isArray(v) && v.length === 0)) launcher[k] = v;
  }
  if (typeof launcher.setup === 'string') launcher.setup = guardSetup(launcher.setup, log);
  if (Array.isArray(launcher.extra_args)) {
    const words = launcher.extra_args as string[];
    const masked = redactSpec({ extra_args: words }).extra_args!;
    if (masked.some((w, i) => w !== words[i])) {
      log.found.push({ name: secretNamesIn(`${words.join(' ')} `)[0] ?? 'a token', how: log.include ? 'clear' : 'masked', where: 'extra_args' });
      if (!log.include) launcher.extra_args = masked;
    }
  }
  // A leading space keeps the comment readable: `# lmms-tui: {...}`.
  map.commentBefore = ` lmms-tui: ${JSON.stringify(launcher)}`;
  return map;
}

/** lmms-eval needs a list; a single value means "all four seeds", as `--seed 42` does on the CLI. */
function exportSeed(seed: string, warnings: string[]): unknown {
  const items = seed.split(',').map((s) => s.trim());
  const parsed = items.map((s) => (s === 'None' ? null : /^-?\d+$/.test(s) ? Number(s) : undefined));
  if (parsed.some((p) => p === undefined) || (items.length !== 1 && items.length !== 3 && items.length !== 4)) {
    warnings.push(`seed: ${JSON.stringify(seed)} is not one int or 3-4 comma items; exported as text, which lmms-eval cannot read`);
    return seed;
  }
  return items.length === 1 ? [parsed[0], parsed[0], parsed[0], parsed[0]] : parsed;
}

function exportEnv(spec: EvalSpec, warnings: string[], log: SecretLog): Record<string, string> | undefined {
  const lines = spec.env ?? [];
  if (lines.length === 0) return undefined;
  if (spec.harness === 'lm-eval') {
    warnings.push(`env: lm-eval's config has no env section; ${lines.length} env line(s) not exported`);
    return undefined;
  }
  const out: Record<string, string> = {};
  let dropped = 0;
  for (const line of lines) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) {
      if (line.trim() !== '') dropped += 1;
      continue;
    }
    const name = m[1]!;
    const { literal, warning } = envValueToLiteral(m[2]!.trim());
    if (isSecretName(name) && literal !== '' && literal !== `\${${name}}` && literal !== `$${name}`) {
      log.found.push({ name, how: log.include ? 'clear' : 'reference', where: `env ${name}` });
      if (!log.include) {
        // lmms-eval expands the env section with os.path.expandvars, so the reference reads the variable of
        // the environment that runs the file; lmms-tui's import turns it into HF_TOKEN=${HF_TOKEN}.
        out[name] = `\${${name}}`;
        continue;
      }
    }
    if (warning) warnings.push(`env ${name}: ${warning}`);
    out[name] = literal;
  }
  if (dropped > 0) warnings.push(`env: ${dropped} comment line(s) not exported (YAML mapping has no place for them)`);
  return out;
}

/** Shell-safe characters that need no quoting in an env value (bash reads them back unchanged). */
const BARE = /^[A-Za-z0-9_@%+=:,./-]*$/;
/**
 * `$NAME`, `${NAME}` or `${NAME:-word}` whose word is plain text and `$NAME` / `${NAME}`: kept as an
 * expansion (`${HF_HOME:-$HOME/.cache}`).
 */
const EXPANSION = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+](?:[^}"'`$\\]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})*)?\})/;
/** The operator and word of a `${NAME<op>word}` expansion. */
const DEFAULT_WORD = /^(\$\{[A-Za-z_][A-Za-z0-9_]*(:?[-=?+]))(.*)\}$/s;

/**
 * `~` where bash would expand it unquoted (the start of the text or after a `:`, followed by `/`, `:`
 * or the end) written as `$HOME`, so the meaning survives being put inside double quotes, where bash
 * leaves `~` alone. `~user` forms are left as they are.
 */
function tildeToHome(word: string, op: string): string {
  // After a `:` only for `-` and `+`: bash assigns the word of `${X:=word}` without expanding `:~`.
  return word.replace(op.includes('=') ? /(^)~(?=\/|:|$)/ : /(^|:)~(?=\/|:|$)/g, '$1$HOME');
}

/**
 * An env value as lmms-eval would set it (a literal after `$VAR` expansion) → shell text for an env line.
 * `$VAR` / `${VAR}` stay expansions; every other character is literal, so `~` and `$(` are quoted.
 */
export function literalToEnvValue(literal: string): string {
  if (BARE.test(literal) && !literal.startsWith('~')) return literal;
  let out = '"';
  for (let i = 0; i < literal.length; i += 1) {
    const c = literal[i]!;
    if (c === '$') {
      const m = EXPANSION.exec(literal.slice(i));
      if (m) {
        // A default written by hand as `${HF_HOME:-~/.cache}` means the home directory (bash expands `~`
        // in an unquoted default word); inside the double quotes below it would stay a literal `~`.
        const d = DEFAULT_WORD.exec(m[0]);
        out += d ? `${d[1]}${tildeToHome(d[3]!, d[2]!)}}` : m[0];
        i += m[0].length - 1;
      } else out += '\\$';
    } else if (c === '"' || c === '\\' || c === '`') out += `\\${c}`;
    else out += c;
  }
  return `${out}"`;
}

/** `$NAME` at `i`, if there is one. */
function bareName(value: string, i: number): { text: string; length: number } | null {
  const m = /^\$[A-Za-z_][A-Za-z0-9_]*/.exec(value.slice(i));
  return m ? { text: m[0], length: m[0].length } : null;
}

/**
 * Braces each `$NAME` (which ended at a quote or escape in the shell text) that literal text now follows,
 * since `$A'X'` becomes `$A` then `X`, which would read as `$AX`.
 */
function braceNames(out: string, names: readonly [number, number][]): string {
  for (let k = names.length - 1; k >= 0; k--) {
    const [start, end] = names[k]!;
    if (/[A-Za-z0-9_]/.test(out[end] ?? '')) out = `${out.slice(0, start)}\${${out.slice(start + 1, end)}}${out.slice(end)}`;
  }
  return out;
}

/**
 * Shell text of an env value → the literal for a YAML `env:` entry, undoing quotes and escapes. What
 * lmms-eval cannot reproduce (command substitution, `~`, `$` inside single quotes) comes back as a warning.
 */
export function envValueToLiteral(value: string): { literal: string; warning?: string } {
  let out = '';
  let warning: string | undefined;
  let i = 0;
  // bash expands an unquoted `~` at the start of an assignment's value and after each unquoted `:`
  // (`PATH=~/a:~/b`); lmms-eval does not expand `~` at all, so these are written as $HOME.
  let colonAt = -2;
  const names: [number, number][] = [];
  const tildeHere = () => (i === 0 || colonAt === i - 1) && value[i] === '~' && (i + 1 === value.length || value[i + 1] === '/' || value[i + 1] === ':');
  while (i < value.length) {
    const c = value[i]!;
    const expansion = c === '$' ? /^\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=?+](?:[^}"'`$\\{]|\$[A-Za-z_][A-Za-z0-9_]*|\$\{[A-Za-z_][A-Za-z0-9_]*\})*\}/.exec(value.slice(i)) : null;
    const name = c === '$' ? bareName(value, i) : null;
    if (name) {
      names.push([out.length, out.length + name.text.length]);
      out += name.text;
      i += name.length;
    } else if (tildeHere()) {
      out += '$HOME';
      i += 1;
      warning = 'lmms-eval does not expand ~; written as $HOME';
    } else if (expansion) {
      // An unquoted default word gets tilde expansion too (`${HF_HOME:-~/.cache}` is under $HOME).
      const d = DEFAULT_WORD.exec(expansion[0])!;
      const word = tildeToHome(d[3]!, d[2]!);
      if (word !== d[3]) warning = 'lmms-eval does not expand ~; written as $HOME';
      out += `${d[1]}${word}}`;
      i += expansion[0].length;
    } else if (c === "'") {
      const end = value.indexOf("'", i + 1);
      const part = end < 0 ? value.slice(i + 1) : value.slice(i + 1, end);
      if (part.includes('$')) warning = "lmms-eval expands $ even where the shell value single-quoted it";
      out += part;
      i = end < 0 ? value.length : end + 1;
    } else if (c === '"') {
      i += 1;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < value.length && '$`"\\'.includes(value[i + 1]!)) {
          if (value[i + 1] === '$' && /[A-Za-z_{]/.test(value[i + 2] ?? '')) warning = 'lmms-eval would expand this escaped $';
          out += value[i + 1];
          i += 2;
          continue;
        }
        if (value[i] === '`' || value.startsWith('$(', i)) warning = 'command substitution is not supported by lmms-eval; exported as text';
        const inner = value[i] === '$' ? bareName(value, i) : null;
        if (inner) {
          names.push([out.length, out.length + inner.text.length]);
          out += inner.text;
          i += inner.length;
          continue;
        }
        if (value.startsWith('${', i) && /^\$\{[A-Za-z_][A-Za-z0-9_]*:?[-=?+](?:[^}]*:)?~/.test(value.slice(i))) {
          warning = 'this ~ is quoted (bash keeps it literal), but a ~ in a ${…:-default} of the YAML is read back as the home directory';
        }
        out += value[i];
        i += 1;
      }
      i += 1;
    } else if (c === '\\' && i + 1 < value.length) {
      out += value[i + 1];
      i += 2;
    } else {
      if (c === '`' || value.startsWith('$(', i)) warning = 'command substitution is not supported by lmms-eval; exported as text';
      if (c === ':') colonAt = i;
      out += c;
      i += 1;
    }
  }
  out = braceNames(out, names);
  return warning ? { literal: out, warning } : { literal: out };
}
