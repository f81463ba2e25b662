/**
 * The help overlay's content and the footer hints, both derived from the bindings table so they can never
 * drift from what the keys really do (codex-cli's hand-written help screen did).
 */
import { displayKey } from './keys.js';
import { SCOPE_TITLES, type Binding, type Scope } from './types.js';

export interface HelpRow {
  keys: string;
  help: string;
}
export interface HelpSection {
  scope: Scope;
  title: string;
  rows: HelpRow[];
}

const SCOPE_ORDER: readonly Scope[] = ['global', 'list', 'jobs', 'log', 'results', 'runs', 'compare', 'samples', 'launch', 'form-field', 'picker', 'input', 'overlay'];

export function formatKeys(keys: readonly string[], ascii = false): string {
  return keys.map((k) => displayKey(k, ascii)).join('/');
}

export function helpSections(bindings: readonly Binding[], ascii = false): HelpSection[] {
  const sections: HelpSection[] = [];
  for (const scope of SCOPE_ORDER) {
    const rows = bindings.filter((b) => b.scope === scope).map((b) => ({ keys: formatKeys(b.keys, ascii), help: b.help }));
    if (rows.length > 0) sections.push({ scope, title: SCOPE_TITLES[scope], rows });
  }
  return sections;
}

/** Help as plain lines (the overlay windows these), optionally filtered by a search string. */
export function helpLines(bindings: readonly Binding[], filter = '', ascii = false): string[] {
  const f = filter.toLowerCase();
  const out: string[] = [];
  for (const s of helpSections(bindings, ascii)) {
    const rows = f ? s.rows.filter((r) => `${r.keys} ${r.help} ${s.title}`.toLowerCase().includes(f)) : s.rows;
    if (rows.length === 0) continue;
    if (out.length > 0) out.push('');
    out.push(s.title);
    const w = Math.max(...rows.map((r) => r.keys.length));
    for (const r of rows) out.push(`  ${r.keys.padEnd(w)}  ${r.help}`);
  }
  return out;
}

export interface FooterHint {
  key: string;
  label: string;
}

/** Footer hints for the focused scopes, most specific first, then the global ones; each action once. */
export function footerHints(bindings: readonly Binding[], scopes: readonly Scope[], ascii = false): FooterHint[] {
  const out: FooterHint[] = [];
  const seen = new Set<string>();
  for (const scope of scopes) {
    for (const b of bindings) {
      if (b.scope !== scope || !b.footer || seen.has(b.action)) continue;
      seen.add(b.action);
      out.push({ key: displayKey(b.keys[0]!, ascii), label: b.footerLabel ?? b.help });
    }
  }
  return out;
}
