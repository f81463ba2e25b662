/**
 * model_args given as a mapping (lmms-eval server mode's `model_args: {…}`, an MCP tool's object) joined
 * into the `k=v,k=v` text the harnesses parse. lmms-eval turns each value into text with Python's `str()`
 * and splits the result at every comma, so a key with `=` or `,`, a bare comma in a value, or a line break
 * would silently become other arguments: those are returned as issues for the face to word in its own
 * vocabulary (a 422 detail, a Problem), and left out of the text.
 */

/** Python's `str()` of a JSON value, as lmms-eval turns a model_args dict into `k=v` pairs. */
export function pyStr(v: unknown): string {
  if (v === true) return 'True';
  if (v === false) return 'False';
  if (v === null) return 'None';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return JSON.stringify(v);
}

export interface ModelArgsIssue {
  key: string;
  value: unknown;
  /** bad-key: empty or holding a character `badKey` refuses; comma: a bare comma in the value; line-break. */
  kind: 'bad-key' | 'comma' | 'line-break';
}

/** `k=v,…` from a mapping; `text` is undefined when nothing is left. `badKey` matches a character a key may not hold. */
export function joinModelArgs(args: Record<string, unknown>, badKey: RegExp): { text: string | undefined; issues: ModelArgsIssue[] } {
  const parts: string[] = [];
  const issues: ModelArgsIssue[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (!key || badKey.test(key)) {
      issues.push({ key, value, kind: 'bad-key' });
      continue;
    }
    const s = pyStr(value);
    // JSON in brackets or quotes is one argument to lmms-eval's parser; a bare comma starts the next one.
    if (s.includes(',') && !/^[[{"']/.test(s)) issues.push({ key, value, kind: 'comma' });
    else if (/[\r\n]/.test(s)) issues.push({ key, value, kind: 'line-break' });
    else parts.push(`${key}=${s}`);
  }
  return { text: parts.length ? parts.join(',') : undefined, issues };
}
