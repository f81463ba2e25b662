import { describe, expect, it } from 'vitest';
import { ALL_BINDINGS } from '../../src/ui/keymap/all-bindings.js';
import { footerHints, formatKeys, helpLines } from '../../src/ui/keymap/help.js';
import { displayKey, keyToRaw, parseKey } from '../../src/ui/keymap/keys.js';
import { actionFor } from '../../src/ui/keymap/dispatch.js';
import { SCOPE_TITLES, type Scope } from '../../src/ui/keymap/types.js';
import { focusedScopes } from '../../src/ui/shell/layout.js';

const SCOPES = Object.keys(SCOPE_TITLES) as Scope[];

describe('keymap data', () => {
  it('binds no key twice within a scope', () => {
    const clashes: string[] = [];
    for (const scope of SCOPES) {
      const seen = new Map<string, string>();
      for (const b of ALL_BINDINGS.filter((x) => x.scope === scope)) {
        for (const k of b.keys) {
          if (seen.has(k)) clashes.push(`${scope}: ${k} is both ${seen.get(k)} and ${b.action}`);
          seen.set(k, b.action);
        }
      }
    }
    expect(clashes).toEqual([]);
  });

  it('uses only key names the parser produces (so every binding can actually fire)', () => {
    for (const b of ALL_BINDINGS) {
      for (const k of b.keys) expect(parseKey(keyToRaw(k)).name, `${b.scope}/${b.action}: ${k}`).toBe(k);
    }
  });

  it('lists every binding in the help overlay, with its keys', () => {
    const text = helpLines(ALL_BINDINGS).join('\n');
    for (const b of ALL_BINDINGS) {
      const row = `${formatKeys(b.keys)}`;
      expect(text, `${b.scope}/${b.action}`).toContain(b.help);
      expect(text).toMatch(new RegExp(`${row.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s+${b.help.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });

  it('shows every footer binding in the footer data of its scope, and gives every scope a footer', () => {
    for (const scope of SCOPES) {
      const hints = footerHints(ALL_BINDINGS, [scope]);
      const marked = ALL_BINDINGS.filter((b) => b.scope === scope && b.footer);
      expect(marked.length, `scope ${scope} has footer hints`).toBeGreaterThan(0);
      for (const b of marked) expect(hints).toContainEqual({ key: displayKey(b.keys[0]!), label: b.footerLabel ?? b.help });
    }
  });

  it('keeps destructive actions on uppercase keys and never binds Esc to quit', () => {
    for (const action of ['stop', 'cancel', 'retry', 'remove', 'launch']) {
      for (const b of ALL_BINDINGS.filter((x) => x.action === action && ['jobs', 'log', 'launch'].includes(x.scope))) {
        for (const k of b.keys) expect(k, `${b.scope}/${action}`).toMatch(/^[A-Z]$/);
      }
    }
    expect(ALL_BINDINGS.filter((b) => b.keys.includes('escape') && /quit/.test(b.action))).toEqual([]);
  });

  it('maps keys to actions by scope', () => {
    expect(actionFor(ALL_BINDINGS, 'jobs', parseKey('S'))).toBe('stop');
    expect(actionFor(ALL_BINDINGS, 'log', parseKey('G'))).toBe('bottom');
    expect(actionFor(ALL_BINDINGS, 'log', parseKey('\x1b[F'))).toBe('bottom');
    expect(actionFor(ALL_BINDINGS, 'list', parseKey('\x04'))).toBe('page-down');
    expect(actionFor(ALL_BINDINGS, 'global', parseKey('s'))).toBeUndefined();
  });

  it('derives the footer scopes from focus', () => {
    expect(focusedScopes({ overlay: null, textInputActive: false, screen: 'jobs', pane: 'log' })).toEqual(['log', 'global']);
    expect(focusedScopes({ overlay: 'help', textInputActive: false, screen: 'jobs', pane: 'table' })).toEqual(['overlay']);
    expect(focusedScopes({ overlay: 'picker:tasks', textInputActive: true, screen: 'launch', pane: 'form' })).toEqual(['picker', 'input']);
    expect(focusedScopes({ overlay: null, textInputActive: true, screen: 'jobs', pane: 'log' })).toEqual(['input']);
  });
});

describe('parseKey', () => {
  it('names keys as the bindings spell them', () => {
    const cases: [string, string][] = [
      ['j', 'j'], ['G', 'G'], ['\r', 'enter'], ['\x1b', 'escape'], ['\t', 'tab'], ['\x1b[Z', 'S-tab'], [' ', 'space'],
      ['\x03', 'C-c'], ['\x15', 'C-u'], ['\x1b[A', 'up'], ['\x1bOB', 'down'], ['\x1b[5~', 'pageup'], ['\x1b[6~', 'pagedown'],
      ['\x1b[H', 'home'], ['\x1b[1~', 'home'], ['\x1b[4~', 'end'], ['\x7f', 'backspace'], ['\x1b[3~', 'delete'], ['\x1bj', 'M-j'],
      ['é', 'é'], ['/', '/'],
    ];
    for (const [raw, name] of cases) expect(parseKey(raw).name, JSON.stringify(raw)).toBe(name);
    expect(parseKey('\x1b[1;5A')).toMatchObject({ name: 'up', ctrl: true });
    expect(parseKey('x').text).toBe('x');
    expect(parseKey('\x1b[A').text).toBe('');
  });
});
