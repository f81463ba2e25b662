/**
 * Secret masking for anything lmms-tui shows or stores (harness-facts §7.4): lmms-eval logs the hub token in
 * clear text at INFO (`Evaluation tracker args: {... 'token': 'hf_…'}`), and API keys travel in env vars.
 */

export const MASK = '••••••';

/** Literal values shorter than this are not masked: masking `1` or `true` everywhere would garble logs. */
const MIN_LITERAL = 6;

// Names whose value is a secret. Deliberately narrow for lowercase names: `max_new_tokens`, `eos_token`,
// `pad_token` or `sort_key` are ordinary settings that show up in model_args and gen_kwargs.
const LOWER_NAMES =
  '(?:[A-Za-z0-9]+_)*(?:api_?key|access_?key|secret_?key|private_?key|client_secret|secret|password|passwd)' +
  '|(?:(?:hf|hub|access|auth|api|bearer|refresh|id|github|gh|wandb|openai|session)_)?token';
// Environment-style names: HF_TOKEN, OPENAI_API_KEY, AWS_SECRET_ACCESS_KEY, DB_PASSWORD.
const UPPER_NAMES = '[A-Z][A-Z0-9_]*(?:TOKEN|KEY|SECRET|PASSWORD|PASSWD)';
/** Case-insensitive copy of a pattern's letters (Node 20 has no inline `(?i:…)`; a global `i` would widen UPPER_NAMES). */
function ci(pattern: string): string {
  return pattern.replace(/(?<!\\)[a-z](?![^[]*\])/g, (c) => `[${c}${c.toUpperCase()}]`);
}
const NAME = `(?<![A-Za-z0-9_.-])(?:${UPPER_NAMES}|${ci(LOWER_NAMES)})(?![A-Za-z0-9_-])`;

// Values that carry no secret: masking them would only hide useful information.
const EMPTY_VALUE = /^(?:None|null|undefined|''|""|\*+|•+)?$/;

const RULES: { re: RegExp; replace: (m: string, ...groups: string[]) => string }[] = [
  // Quoted key and value, as in a Python dict or JSON: 'token': 'hf_…' / "api_key": "sk-…".
  {
    re: new RegExp(`(['"])(${NAME})\\1(\\s*:\\s*)(['"])(.*?)\\4`, 'g'),
    replace: (m, q, name, sep, vq, value) => (EMPTY_VALUE.test(value ?? '') ? m : `${q}${name}${q}${sep}${vq}${MASK}${vq}`),
  },
  // name='value' / name: "value" (Python kwargs repr, YAML).
  {
    re: new RegExp(`(${NAME})(\\s*[=:]\\s*)(['"])(.*?)\\3`, 'g'),
    replace: (m, name, sep, q, value) => (EMPTY_VALUE.test(value ?? '') ? m : `${name}${sep}${q}${MASK}${q}`),
  },
  // name=value / name: value, unquoted, up to a separator (k=v,k=v lists, env lines, query strings).
  {
    re: new RegExp(`(${NAME})(=|:[ \\t]*)([^\\s,;&'")\\]}]+)`, 'g'),
    replace: (m, name, sep, value) => (EMPTY_VALUE.test(value ?? '') ? m : `${name}${sep}${MASK}`),
  },
  // Bare well-known token shapes, wherever they appear.
  { re: /\bhf_[A-Za-z0-9]{20,}/g, replace: () => MASK },
  { re: /\bsk-[A-Za-z0-9_-]{20,}/g, replace: () => MASK },
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

/** Masks secrets in one line of text. `secretValues` are literal values to mask too (see secretEnvValues). */
export function redactSecrets(line: string, secretValues: readonly string[] = []): string {
  let out = line;
  if (secretValues.length) {
    const re = literalRegex(secretValues);
    if (re) out = out.replace(re, MASK);
  }
  for (const rule of RULES) out = out.replace(rule.re, rule.replace as (m: string, ...a: unknown[]) => string);
  return out;
}

const SECRET_ENV_NAME = /TOKEN|KEY|SECRET|PASSWORD|PASSWD/i;

/** Values of env vars whose names say they hold secrets (HF_TOKEN, OPENAI_API_KEY, …), for redactSecrets. */
export function secretEnvValues(env: Record<string, string | undefined>): string[] {
  const out: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (!value || !SECRET_ENV_NAME.test(name)) continue;
    if (value.length < MIN_LITERAL || /^(?:true|false|yes|no|none|null|\d+)$/i.test(value)) continue;
    out.push(value);
  }
  return out;
}
