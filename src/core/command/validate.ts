/**
 * Spec validation: every problem at once, each naming the spec field and the fix, so a form or a CLI can
 * show the whole list instead of making the user fix one thing per attempt.
 *
 * Empty strings in optional text fields count as unset (forms hold '' for an untouched field); the
 * builder skips them the same way.
 */
import type { Problem } from '../errors.js';
import { FLAGS, HARNESSES, type EvalSpec, type FlagDef, type Harness } from '../spec.js';
import { parseEnvLine } from './env-lines.js';

/** int flags where 0 makes no sense (the rest accept 0). */
const POSITIVE_INTS = new Set(['max_batch_size', 'repeats', 'max_tokens']);
const BATCH = /^(?:auto(?::[1-9]\d*)?|[1-9]\d*)$/;
/**
 * C0 controls except tab, DEL and C1 controls: none belongs in one argv value or one script line. Also the
 * Unicode bidi controls (U+061C, U+200E/F, U+202A-U+202E, U+2066-U+2069): they make a task name or a
 * command read differently on screen from what runs ("Trojan Source", https://trojansource.codes/).
 */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

export function validateSpec(spec: EvalSpec): Problem[] {
  const problems: Problem[] = [];
  const add = (field: string, message: string, fix: string): void => {
    problems.push({ field, message, fix });
  };
  const harness = HARNESSES.includes(spec.harness) ? spec.harness : null;
  if (!harness) add('harness', `unknown harness ${show(spec.harness)}`, 'use lmms-eval or lm-eval');

  if (text(add, 'model', spec.model)) {
    if (spec.model.trim() === '') add('model', 'model is empty', 'give a model name, e.g. hf or llava');
    else if (/\s/.test(spec.model)) add('model', 'model name contains whitespace', 'give the registry name; settings go in model_args');
  }
  if (optionalText(add, 'model_args', spec.model_args)) checkKeyValues(add, 'model_args', spec.model_args!);
  checkList(add, 'tasks', spec.tasks, true);
  if (optionalText(add, 'python', spec.python, 'give the interpreter path only') && /\s/.test(spec.python ?? '')) {
    add('python', `interpreter ${show(spec.python)} contains whitespace`, 'give the interpreter path only; set-up goes in setup');
  }
  optionalText(add, 'setup', spec.setup, 'setup is one line; chain commands with &&');
  checkEnv(add, spec.env);
  if (spec.num_gpus !== undefined && !(Number.isInteger(spec.num_gpus) && spec.num_gpus >= 1)) {
    add('num_gpus', `num_gpus${Number.isNaN(spec.num_gpus) ? '' : ` ${show(spec.num_gpus)}`} is not a positive whole number`, 'use 1, or more for accelerate data parallelism');
  }
  if (spec.extra_args !== undefined) checkList(add, 'extra_args', spec.extra_args, false);
  if (spec.demo !== undefined && typeof spec.demo !== 'boolean') add('demo', 'demo must be true or false', 'set true or false');

  for (const flag of FLAGS) checkFlag(add, flag, spec[flag.name], harness);
  if (typeof spec.gen_kwargs === 'string' && spec.gen_kwargs !== '' && !CONTROL.test(spec.gen_kwargs)) checkKeyValues(add, 'gen_kwargs', spec.gen_kwargs);
  if (typeof spec.seed === 'string' && spec.seed !== '' && !CONTROL.test(spec.seed)) checkSeed(add, spec.seed);
  if (harness === 'lm-eval' && isSet(spec.samples) && isSet(spec.limit)) {
    add('samples', 'lm-eval does not allow samples together with limit', 'remove one of samples or limit');
  }
  return problems;
}

type Add = (field: string, message: string, fix: string) => void;

function isSet(v: unknown): boolean {
  return v !== undefined && v !== null && v !== '' && v !== false;
}

function checkFlag(add: Add, flag: FlagDef, value: unknown, harness: Harness | null): void {
  if (!isSet(value)) return;
  const field = flag.name;
  const spelled = `--${flag.cli ?? flag.name}`;
  if (harness && !flag.harnesses.includes(harness)) {
    add(field, `${harness} has no ${spelled}`, 'remove it or switch harness');
    return;
  }
  switch (flag.kind) {
    case 'bool':
      if (typeof value !== 'boolean') add(field, `${spelled} must be true or false`, 'set true or false');
      return;
    case 'optbool':
      if (typeof value === 'boolean') return;
      if (!text(add, field, value)) return;
      if (harness === 'lmms-eval') add(field, `lmms-eval's ${spelled} takes no template name`, 'set it to true, or switch to lm-eval');
      return;
    case 'string':
      if (!text(add, field, value)) return;
      if (flag.choices && !flag.choices.includes(value)) {
        add(field, `${show(value)} is not allowed for ${spelled}`, `use one of ${flag.choices.join(', ')}`);
      }
      return;
    case 'batch': {
      const s = typeof value === 'number' ? String(value) : value;
      if (typeof s !== 'string' || !BATCH.test(s)) add(field, `batch size ${show(value)} is not valid`, 'use auto, auto:N or a positive whole number');
      return;
    }
    case 'int': {
      const min = POSITIVE_INTS.has(field) ? 1 : 0;
      if (!(typeof value === 'number' && Number.isInteger(value) && value >= min)) {
        const what = Number.isNaN(value) ? '' : ` ${show(value)}`;
        add(field, `${spelled}${what} is not a ${min ? 'positive' : 'non-negative'} whole number`, `use a whole number of ${min} or more`);
      }
      return;
    }
    case 'float':
      if (!(typeof value === 'number' && Number.isFinite(value))) add(field, `${spelled} is not a number`, 'use a number, e.g. 0.5');
      return;
    case 'limit':
      checkLimit(add, value, harness);
  }
}

/**
 * `k=v,…` text as the harnesses split it: at every comma outside quotes, brackets and braces, then at
 * the first `=`. An item without `=` (`pretrained=foo,bar` gives `bar`) means a comma inside a value was
 * taken as the start of another argument, or an argument lost its value: the run would fail at start-up
 * or run with other arguments than written. A JSON object (`{"temperature": 0}`) is left to the harness.
 */
function checkKeyValues(add: Add, field: 'model_args' | 'gen_kwargs', value: string): void {
  if (value.trim().startsWith('{')) return;
  const items: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let cur = '';
  for (const c of value) {
    if (quote) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{' || c === '(') depth += 1;
    else if ((c === ']' || c === '}' || c === ')') && depth > 0) depth -= 1;
    else if (c === ',' && depth === 0) {
      items.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  items.push(cur);
  const example = field === 'model_args' ? 'pretrained=org/model,dtype=bfloat16' : 'temperature=0,max_new_tokens=128';
  items.forEach((item, i) => {
    const t = item.trim();
    if (t === '') return; // a trailing or doubled comma: skipped by the harness
    const eq = t.indexOf('=');
    if (eq < 0) {
      const prev = i > 0 ? items[i - 1]!.trim() : '';
      const what = prev.includes('=') ? `${show(t)} has no "=": the harness splits ${field} at every comma, so it reads ${show(prev)} and then an argument ${show(t)}` : `${show(t)} has no "=" (${field} is key=value pairs)`;
      add(field, what, `write key=value pairs separated by commas, e.g. ${example}; a value holding a comma goes in quotes or brackets`);
    } else if (eq === 0) {
      add(field, `${show(t)} has no key before "="`, `write key=value pairs, e.g. ${example}`);
    }
  });
}

/** Both harnesses read --seed as one int, or 3-4 comma items each an int or None. */
function checkSeed(add: Add, value: string): void {
  const items = value.split(',').map((x) => x.trim());
  const bad = items.filter((x) => x !== 'None' && !/^[+-]?\d+$/.test(x));
  if (bad.length || (items.length !== 1 && items.length !== 3 && items.length !== 4)) {
    const why = bad.length ? `${show(bad[0])} is not a whole number or None` : `it has ${items.length} items`;
    add('seed', `seed ${show(value)}: ${why}`, 'use one whole number (e.g. 42) or 3-4 comma items, each a whole number or None (python, numpy, torch[, fewshot]), e.g. 0,1234,1234,1234');
  }
}

function checkLimit(add: Add, value: unknown, harness: Harness | null): void {
  const allowed = harness === 'lm-eval'
    ? 'a count above 0 (e.g. 100) or a fraction between 0 and 1 (e.g. 0.1); omit limit to run all documents'
    : 'a count above 0 (e.g. 100), a fraction between 0 and 1 (e.g. 0.1), or -1 (or no limit) for all documents';
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    add('limit', Number.isNaN(value) ? 'limit is not a number' : `limit ${show(value)} is not a number`, `use ${allowed}`);
  } else if (value === -1 && harness !== 'lm-eval') {
    return; // lmms-eval's "all documents"
  } else if (value <= 0) {
    add('limit', `limit ${value} is not allowed`, `use ${allowed}`);
  } else if (value > 1 && !Number.isInteger(value)) {
    // The harness would silently truncate 2.5 to 2: neither the fraction nor the count the user meant.
    add('limit', `limit ${value} is neither a fraction below 1 nor a whole count`, 'use a whole count (e.g. 2) or a fraction below 1');
  }
}

function checkEnv(add: Add, env: unknown): void {
  if (env === undefined) return;
  if (!Array.isArray(env)) {
    add('env', 'env must be a list of lines', 'give lines like NAME=value');
    return;
  }
  env.forEach((line: unknown, i) => {
    const field = `env line ${i + 1}`;
    if (!text(add, field, line, 'one variable per line')) return;
    const parsed = parseEnvLine(line);
    if (parsed.kind !== 'invalid') return;
    if (parsed.reason === 'form') add(field, `${show(line)} is not NAME=value`, 'write NAME=value, export NAME=value or # comment');
    else if (parsed.reason === 'name') add(field, `${show(parsed.name)} is not a valid variable name`, 'use letters, digits and _, not starting with a digit');
    else if (parsed.reason === 'space') add(field, `value of ${parsed.name} has unquoted whitespace`, `quote it: ${parsed.name}="a b"`);
    else add(field, `value of ${parsed.name} has an unclosed quote, $(, \${ or a trailing \\`, 'close it');
  });
}

function checkList(add: Add, field: 'tasks' | 'extra_args', list: unknown, isTasks: boolean): void {
  if (!Array.isArray(list)) {
    add(field, `${field} must be a list`, isTasks ? 'give task names, e.g. mme,mmmu_val' : 'give a list of arguments');
    return;
  }
  if (isTasks && list.length === 0) add(field, 'no tasks given', 'give at least one task, e.g. mme');
  list.forEach((item: unknown, i) => {
    if (typeof item !== 'string') add(field, `item ${i + 1} is not text`, 'give text items');
    else if (isTasks && item.trim() === '') add(field, `item ${i + 1} is empty`, 'remove the empty item (a stray comma?)');
    else controls(add, field, item, `item ${i + 1}`);
  });
}

/** True when `value` is a string without control characters; otherwise reports why. */
function text(add: Add, field: string, value: unknown, fix?: string): value is string {
  if (typeof value !== 'string') {
    add(field, `${field} must be text`, 'give a text value');
    return false;
  }
  return controls(add, field, value, field, fix);
}

function optionalText(add: Add, field: string, value: unknown, fix?: string): boolean {
  if (value === undefined || value === '') return false;
  return text(add, field, value, fix);
}

function controls(add: Add, field: string, value: string, what: string, fix = 'remove it'): boolean {
  const m = CONTROL.exec(value);
  if (!m) return true;
  add(field, `${what} contains ${describe(m[0])} at position ${m.index + 1}`, fix);
  return false;
}

function describe(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0x061c || code === 0x200e || code === 0x200f || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)) {
    return `the bidirectional control character U+${code.toString(16).toUpperCase()} (it makes text display in another order than it runs)`;
  }
  if (c === '\n') return 'a newline';
  if (c === '\r') return 'a carriage return';
  if (c === '\0') return 'a NUL byte';
  return `control character U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** A value quoted for a message, cut short so one bad field cannot flood the problem list. */
function show(v: unknown): string {
  // NaN is what the CLI keeps for an unparsable number; the user typed text, not "NaN".
  const s = typeof v === 'string' ? JSON.stringify(v) : Number.isNaN(v) ? '(not a number)' : String(JSON.stringify(v) ?? v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/**
 * `num_gpus` against what the host can give: the pool's size when there is one, else `max` (the visible
 * device count, or 8). Each "GPU" becomes one `accelerate launch` process, so 100000 would fork-bomb
 * the machine rather than fail.
 */
export function gpuBoundProblem(spec: Pick<EvalSpec, 'num_gpus'>, bound: { pool: readonly number[] | null; max: number }): Problem | null {
  const need = spec.num_gpus ?? 1;
  if (!Number.isInteger(need) || need < 1) return null; // validateSpec reports it
  if (bound.pool && need > bound.pool.length) {
    return {
      field: 'num_gpus',
      message: `the job needs ${need} GPUs but the pool has ${bound.pool.length} (${bound.pool.join(',')})`,
      fix: `ask for at most ${bound.pool.length}, or start lmms-tui with a larger --gpus pool`,
    };
  }
  if (!bound.pool && need > bound.max) {
    return {
      field: 'num_gpus',
      message: `num_gpus ${need} is more than the ${bound.max} GPUs this host allows per job`,
      fix: `ask for at most ${bound.max}, or raise the bound with --max-gpus / LMMS_TUI_MAX_GPUS where the server starts`,
    };
  }
  return null;
}

/**
 * The submission around a spec: the submitter's environment and working directory. A name with `=`
 * (`RANK=` → `RANK==3` in the job, past the launcher-variable scrub), an empty name, or a NUL anywhere
 * (the kernel would cut the string there) cannot reach the job as the user meant.
 */
export function validateSubmission(opts: { cwd?: string; env?: Record<string, string> | null }): Problem[] {
  const problems: Problem[] = [];
  if (opts.cwd !== undefined && opts.cwd.includes('\0')) {
    problems.push({ field: 'cwd', message: `cwd contains a NUL byte at position ${opts.cwd.indexOf('\0') + 1}`, fix: 'send the working directory without it' });
  }
  for (const [name, value] of Object.entries(opts.env ?? {})) {
    const field = `env.${name}`;
    if (name === '') problems.push({ field: 'env', message: 'a variable has an empty name', fix: 'remove it or give it a name' });
    else if (name.includes('=')) problems.push({ field, message: `variable name ${show(name)} contains "="`, fix: `send the name without "=" (e.g. ${show(name.split('=')[0])}) and the value separately` });
    else if (name.includes('\0')) problems.push({ field, message: `variable name ${show(name)} contains a NUL byte`, fix: 'remove it' });
    if (typeof value !== 'string') problems.push({ field, message: 'value must be text', fix: 'send a string' });
    else if (value.includes('\0')) problems.push({ field, message: `value contains a NUL byte at position ${value.indexOf('\0') + 1}`, fix: 'remove it; the kernel would cut the value there' });
  }
  return problems;
}
