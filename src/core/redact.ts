/**
 * The one redaction rule: every face that shows or returns a spec, a command, a job record or a log line
 * (CLI, TUI, the API and its compat surfaces, the web UI) masks secrets with these functions, and only the
 * explicit reveal options (`--reveal`, `?reveal=1`) skip them. What runs is never masked.
 *
 * What counts as a secret:
 * - a value whose NAME says so (isSecretName): env lines and `--setup` text (`export MY_PASSWORD=…`),
 *   `api_key=…` inside `k=v,k=v` lists (model_args, gen_kwargs, hf_hub_log_args), `token: …`, `"api_key": "…"`,
 *   `--token VALUE`, query strings;
 * - `Authorization:` header values, the password of a `scheme://user:password@host` URL;
 * - well-known token shapes anywhere (`hf_…`, `sk-…`, `ghp_…`, `Bearer …`);
 * - the literal values of secret-named variables, wherever they reappear (secretValues / specSecrets):
 *   lmms-eval logs the hub token in clear text at INFO (`Evaluation tracker args: {... 'token': 'hf_…'}`).
 */
import type { EvalSpec } from './spec.js';

export const MASK = '••••••';

/** Literal values shorter than this are not masked: masking `1` or `true` everywhere would garble logs. */
const MIN_LITERAL = 6;

// ---------------------------------------------------------------------------------------------------------
// Names

/** Last words that make a name secret: HF_TOKEN, OPENAI_API_KEY, DB_PASS, GOOGLE_CREDENTIALS, HF_AUTH. */
const SECRET_LAST = new Set([
  'token', 'key', 'secret', 'secrets', 'password', 'passwd', 'passphrase', 'pass', 'credential', 'credentials',
  'auth', 'authorization', 'apikey', 'cookie',
]);
/** Run-together words ending like a secret: PGPASSWORD, HFTOKEN, apikey, accesskey. */
const SECRET_SUFFIX = /(?:password|passwd|passphrase|secret|token|apikey|accesskey|secretkey|privatekey)$/;
/**
 * `<word>_token` / `<word>_key` that are ordinary settings: tokenizer special tokens (eos_token, pad_token,
 * image_token…) and sort or lookup keys (sort_key, doc_key). They appear in model_args and gen_kwargs.
 */
const ORDINARY_QUALIFIER = new Set([
  // tokens of a tokenizer or a chat template
  'eos', 'bos', 'pad', 'unk', 'sep', 'cls', 'mask', 'eot', 'start', 'end', 'stop', 'special', 'added', 'image', 'video',
  'audio', 'vision', 'think', 'thinking', 'reasoning', 'placeholder', 'chat', 'prefix', 'suffix', 'decoder', 'default',
  'first', 'last', 'next', 'max', 'min', 'num', 'new', 'im',
  // keys of a mapping or a dataset
  'sort', 'doc', 'group', 'primary', 'foreign', 'cache', 'dict', 'hash', 'partition', 'label', 'answer', 'question',
  'text', 'input', 'output', 'target', 'index', 'column', 'field', 'metric', 'task', 'sample', 'map', 'lookup',
  'shard', 'split', 'dataset', 'data', 'prompt', 'context', 'result', 'results', 'choice', 'choices', 'gold', 'media',
  'score', 'filter', 'template', 'config',
]);

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * True when a variable, key or flag name says its value is a secret. Deliberately by words, not
 * substrings: `max_new_tokens`, `eos_token`, `sort_key`, `PASSES`, `AUTHOR`, `SSH_AUTH_SOCK`, `PWD` and
 * `TOKENIZERS_PARALLELISM` are ordinary.
 */
export function isSecretName(name: string): boolean {
  const hit = nameCache.get(name);
  if (hit !== undefined) return hit;
  const secret = judgeName(name);
  // Log lines repeat the same few names; keep the cache bounded anyway.
  if (nameCache.size > 4096) nameCache.clear();
  nameCache.set(name, secret);
  return secret;
}

const nameCache = new Map<string, boolean>();

function judgeName(name: string): boolean {
  const w = words(name);
  const last = w[w.length - 1];
  if (!last) return false;
  if (SECRET_LAST.has(last)) {
    if ((last === 'token' || last === 'key') && w.length > 1 && ORDINARY_QUALIFIER.has(w[w.length - 2]!)) return false;
    return true;
  }
  return SECRET_SUFFIX.test(last) && !/tokens$/.test(last);
}

// ---------------------------------------------------------------------------------------------------------
// Text

// Values that carry no secret: masking them would only hide useful information.
const EMPTY_VALUE = /^(?:None|null|undefined|''|""|\*+|•+|true|false|True|False|yes|no|0|1)?$/;
/** `Authorization: Bearer x`: the scheme word is kept, the credential after it is masked. */
const AUTH_SCHEME = /^(?:Bearer|Basic|Digest|Token|Negotiate)$/i;
/** A value that only refers to another variable (`${HF_TOKEN}`, `$HF_TOKEN`) holds no secret itself. */
const REFERENCE = /^\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[A-Za-z_][A-Za-z0-9_]*\})$/;

const IDENT = '[A-Za-z_][A-Za-z0-9_.-]*';
/** A name starts at a boundary (`export NAME=`, `,api_key=`, `--token=`, `?token=`), not inside a word. */
const START = '(?<![A-Za-z0-9_.])';

const keep = (value: string): boolean => EMPTY_VALUE.test(value) || REFERENCE.test(value) || value.startsWith(MASK);

type Rule = { re: RegExp; replace: (m: string, ...groups: string[]) => string };

const RULES: Rule[] = [
  // Authorization / Proxy-Authorization header values, with or without a scheme word.
  {
    re: /\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)((?:Bearer|Basic|Digest|Token|Negotiate)\s+)?([^\s"',;]+)/gi,
    replace: (m, name, sep, scheme, value) =>
      value!.startsWith(MASK) || (!scheme && AUTH_SCHEME.test(value!)) ? m : `${name}${sep}${scheme ?? ''}${MASK}`,
  },
  // Quoted key and value, as in a Python dict or JSON: 'token': 'hf_…' / "api_key": "sk-…".
  {
    re: new RegExp(`(['"])(${IDENT})\\1(\\s*:\\s*)(['"])(.*?)\\4`, 'g'),
    replace: (m, q, name, sep, vq, value) => (!isSecretName(name!) || keep(value ?? '') ? m : `${q}${name}${q}${sep}${vq}${MASK}${vq}`),
  },
  // name='value' / name: "value" (Python kwargs repr, YAML, shell).
  {
    re: new RegExp(`${START}(${IDENT})(\\s*[=:]\\s*)(['"])(.*?)\\3`, 'g'),
    replace: (m, name, sep, q, value) => (!isSecretName(name!) || keep(value ?? '') ? m : `${name}${sep}${q}${MASK}${q}`),
  },
  // name=value / name: value, unquoted, up to a separator (k=v,k=v lists, env lines, query strings).
  {
    re: new RegExp(`${START}(${IDENT})(=|:(?!//)[ \\t]*)(\\$\\{[^}\\s]*\\}|[^\\s,;&'")\\]}]+)`, 'g'),
    // A match whose name is ordinary may still hold one inside (`url=http://h/?token=…`, `args=token=…`).
    replace: (m, name, sep, value) =>
      !isSecretName(name!) ? (MAYBE.test(value!) ? `${name}${sep}${applyRules(value!)}` : m) : keep(value ?? '') || AUTH_SCHEME.test(value!) ? m : `${name}${sep}${MASK}`,
  },
  // --token VALUE / --password VALUE (a set-up line running `huggingface-cli login --token …`).
  {
    re: /(?<![A-Za-z0-9_])(--?)([A-Za-z][A-Za-z0-9_-]*)(\s+)(['"]?)([^\s'"-][^\s'"]*)\4/g,
    replace: (m, dash, name, space, q, value) => (!isSecretName(name!) || keep(value ?? '') ? m : `${dash}${name}${space}${q}${MASK}${q}`),
  },
  // scheme://user:password@host
  {
    re: /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/:@'"]+):([^\s/@'"]+)@/gi,
    replace: (m, scheme, user, pw) => (pw === MASK ? m : `${scheme}${user}:${MASK}@`),
  },
  // Bare well-known token shapes, wherever they appear.
  { re: /\bhf_[A-Za-z0-9]{20,}/g, replace: () => MASK },
  { re: /\bsk-[A-Za-z0-9_-]{20,}/g, replace: () => MASK },
  { re: /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/g, replace: () => MASK },
  { re: /\bxox[abprs]-[A-Za-z0-9-]{10,}/g, replace: () => MASK },
  { re: /\b(Bearer\s+)[A-Za-z0-9._~+/-]{16,}=*/g, replace: (_m, b) => `${b}${MASK}` },
];

const literalCache = new Map<string, RegExp | null>();

function literalRegex(values: readonly string[]): RegExp | null {
  const key = values.join('\u0000');
  const hit = literalCache.get(key);
  if (hit !== undefined) return hit;
  const usable = [...new Set(values.filter((v) => v.length >= MIN_LITERAL))]
    // Longest first so a value containing another is masked whole.
    .sort((a, b) => b.length - a.length)
    .map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const re = usable.length ? new RegExp(usable.join('|'), 'g') : null;
  // A job's secret list rarely changes; keep the cache from growing without bound anyway.
  if (literalCache.size > 64) literalCache.clear();
  literalCache.set(key, re);
  return re;
}

/**
 * Masks secrets in text (one line or many). `secretValues` are literal values to mask too, wherever they
 * appear (see secretEnvValues and specSecrets).
 */
export function redactSecrets(text: string, secretValues: readonly string[] = []): string {
  let out = text;
  if (secretValues.length) {
    const re = literalRegex(secretValues);
    if (re) out = out.replace(re, MASK);
  }
  return applyRules(out);
}

/**
 * Every rule needs one of these somewhere in the text: a secret word, a token prefix, or a URL password. Most
 * log lines have none and skip the rules (the log of a flooding job goes through here line by line).
 */
const MAYBE = /token|key|secret|pass|credential|auth|cookie|bearer|hf_|sk-|gh[pousr]_|github_pat_|xox|:\/\/[^\s/@]*:[^\s/@]*@/i;

function applyRules(text: string): string {
  if (!MAYBE.test(text)) return text;
  let out = text;
  for (const rule of RULES) out = out.replace(rule.re, rule.replace as (m: string, ...a: unknown[]) => string);
  return out;
}

/** Same rule under the name the structured helpers use. */
export const redactText = redactSecrets;

// ---------------------------------------------------------------------------------------------------------
// Literal secret values

function usableSecret(value: string): boolean {
  return value.length >= MIN_LITERAL && !/^(?:true|false|yes|no|none|null|\d+)$/i.test(value) && !value.includes('$') && !value.startsWith(MASK);
}

/** Values of env vars whose names say they hold secrets (HF_TOKEN, OPENAI_API_KEY, …), for redactSecrets. */
export function secretEnvValues(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || !isSecretName(name) || !usableSecret(value)) continue;
    out.push(value);
  }
  return out;
}

const unquote = (v: string): string => v.trim().replace(/^(['"])(.*)\1$/, '$2');

/** `NAME=value` / `export NAME=value` assignments in env lines or set-up text, values unquoted. */
function assignments(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const line of text.split(/\r?\n|;|&&/)) {
    const re = /(?:^|\s)(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|\S*)/g;
    for (let m = re.exec(line); m; m = re.exec(line)) out.push([m[1]!, unquote(m[2]!)]);
  }
  return out;
}

/** `name=value` pairs of a `k=v,k=v` list (model_args, gen_kwargs, wandb_args …). */
function kvPairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.push([part.slice(0, eq).trim(), unquote(part.slice(eq + 1))]);
  }
  return out;
}

/** Fields of a spec that hold free text a secret may be written into. */
const KV_FIELDS = ['model_args', 'gen_kwargs', 'wandb_args', 'wandb_config_args', 'swanlab_args', 'trackio_args', 'hf_hub_log_args', 'launcher_args'] as const;

/**
 * The literal secret values a job carries: secret-named variables of its captured environment, its env
 * lines and set-up text, and secret-named keys of its k=v fields. Masked wherever they reappear (the job's
 * log, its error tail, a field that mentions them again).
 */
export function specSecrets(spec: Partial<EvalSpec> | null | undefined, env?: Record<string, string | undefined> | null): string[] {
  const values = env ? secretEnvValues(env) : [];
  if (!spec || typeof spec !== 'object') return values;
  const pairs: [string, string][] = [];
  if (Array.isArray(spec.env)) for (const line of spec.env) if (typeof line === 'string') pairs.push(...assignments(line));
  if (typeof spec.setup === 'string') pairs.push(...assignments(spec.setup));
  for (const f of KV_FIELDS) {
    const v = spec[f];
    if (typeof v === 'string') pairs.push(...kvPairs(v));
  }
  for (const [name, value] of pairs) if (isSecretName(name) && usableSecret(value)) values.push(value);
  return [...new Set(values)];
}

// ---------------------------------------------------------------------------------------------------------
// Structured helpers

/**
 * One env line for display: the value of a secret-named assignment becomes MASK (a `${VAR}` reference is
 * kept, it holds nothing), anything else goes through the text rule.
 */
export function redactEnvLine(line: string, secrets: readonly string[] = []): string {
  // Only a line that is one assignment of one shell word; `export A=x && echo …` is text for the rules below.
  const m = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s'"]*)\s*$/.exec(line);
  if (m && isSecretName(m[2]!)) {
    const value = unquote(m[3]!);
    if (value !== '' && !REFERENCE.test(value) && !value.startsWith(MASK)) return `${m[1]}${m[2]}=${MASK}`;
  }
  return redactSecrets(line, secrets);
}

/** A script or command (the job script, a preview, an argv joined for display). */
export function redactScript(script: string, secrets: readonly string[] = []): string {
  return script
    .split('\n')
    .map((line) => redactEnvLine(line, secrets))
    .join('\n');
}

/**
 * A spec for display: env lines, the set-up line, model_args, gen_kwargs and every other free text field
 * (extra_args too) with secrets masked. The copy is for showing only; submitting it would run the masks.
 * Works on any JSON-like request too (a compat surface's echo): a string under a secret-named key, at any
 * depth (`model_args: {api_key: …}`, `env_vars: {HF_TOKEN: …}`), is masked whole.
 */
export function redactSpec<T extends object>(spec: T, extraSecrets: readonly string[] = []): T {
  if (!spec || typeof spec !== 'object') return spec;
  const secrets = [...specSecrets(spec as Partial<EvalSpec>), ...extraSecrets];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(spec)) {
    if (k === 'env' && Array.isArray(v)) out.env = v.map((l) => (typeof l === 'string' ? redactEnvLine(l, secrets) : l));
    else if (k === 'setup' && typeof v === 'string') out.setup = redactScript(v, secrets);
    else out[k] = redactValue(k, v, secrets);
  }
  return out as T;
}

function redactValue(key: string | null, v: unknown, secrets: readonly string[]): unknown {
  if (typeof v === 'string') return key !== null && isSecretName(key) && !keep(v) ? MASK : redactSecrets(v, secrets);
  if (Array.isArray(v)) {
    // Argv-like lists (extra_args): `--api_key VALUE` masks the word after a secret-named flag.
    return v.map((x, i) => {
      const prev = v[i - 1];
      if (typeof x === 'string' && typeof prev === 'string' && /^--?[A-Za-z][A-Za-z0-9_-]*$/.test(prev) && isSecretName(prev) && !keep(x)) return MASK;
      return redactValue(null, x, secrets);
    });
  }
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactValue(k, x, secrets)]));
  return v;
}

/**
 * Any JSON-like value with secrets masked by the same rule: secret-named keys at any depth, `NAME=value`
 * text, token shapes. For values a face echoes back from a request (a 422 body's `input`).
 */
export function redactData(value: unknown): unknown {
  return redactValue(null, value, []);
}

/** Values of the secret-named variables of an environment map become MASK; other values are kept. */
export function redactEnvMap(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) out[k] = isSecretName(k) && v !== '' ? MASK : v;
  return out;
}

/** The parts of a job record that can hold secrets. */
export interface RedactableJob {
  spec: EvalSpec;
  script?: string | null;
  env?: Record<string, string> | null;
  error?: string | null;
  error_tail?: string[];
  label?: string | null;
}

/**
 * A job record for display: spec, script, error, log tail and label masked, and the captured environment's
 * secret-named values masked (the API leaves the environment out altogether).
 */
export function redactJob<T extends RedactableJob>(job: T): T {
  const secrets = specSecrets(job.spec, job.env ?? null);
  const out: T = { ...job, spec: redactSpec(job.spec, secrets) };
  if (typeof job.script === 'string') out.script = redactScript(job.script, secrets);
  if (job.env && typeof job.env === 'object') out.env = redactEnvMap(job.env);
  if (typeof job.error === 'string') out.error = redactSecrets(job.error, secrets);
  // A label is typed by the user and may have been pasted from the command line, secret and all.
  if (typeof job.label === 'string') out.label = redactSecrets(job.label, secrets);
  if (Array.isArray(job.error_tail)) out.error_tail = job.error_tail.map((l) => (typeof l === 'string' ? redactSecrets(l, secrets) : l));
  return out;
}

/** True when the spec carries anything the rule would mask (for "secrets masked (r)" hints and export warnings). */
export function specHasSecrets(spec: Partial<EvalSpec>): boolean {
  return JSON.stringify(redactSpec(spec)) !== JSON.stringify(spec);
}
