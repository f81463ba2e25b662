/**
 * Key parsing and naming. Raw terminal input (one token per event, see input/stdin-filter.ts) becomes a
 * KeyPress with a canonical `name` that the bindings table uses: printable keys are themselves ('j', 'G',
 * '/', '?'), others are words ('enter', 'escape', 'tab', 'S-tab', 'up', 'pagedown', 'space', 'backspace'),
 * Ctrl chords are 'C-<letter>' and Meta chords 'M-<key>'.
 */
export interface KeyPress {
  name: string;
  /** Text the key would insert into a field ('' for keys that insert nothing). */
  text: string;
  ctrl: boolean;
  meta: boolean;
  shift: boolean;
  /** The raw input, for debugging and tests. */
  raw: string;
}

const CSI_NAMES: Record<string, string> = {
  A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end', Z: 'S-tab',
  '1~': 'home', '7~': 'home', '4~': 'end', '8~': 'end', '5~': 'pageup', '6~': 'pagedown', '3~': 'delete', '2~': 'insert',
};

function key(name: string, raw: string, mods: Partial<KeyPress> = {}): KeyPress {
  return { name, text: '', ctrl: false, meta: false, shift: false, raw, ...mods };
}

export function parseKey(raw: string): KeyPress {
  if (raw === '\r' || raw === '\n') return key('enter', raw);
  if (raw === '\t') return key('tab', raw);
  if (raw === '\x7f' || raw === '\b') return key('backspace', raw);
  if (raw === '\x1b' || raw === '\x1b\x1b') return key('escape', raw);
  if (raw === ' ') return { ...key('space', raw), text: ' ' };
  if (raw.length === 1 && raw.charCodeAt(0) < 0x20) {
    const c = raw.charCodeAt(0);
    return key(c === 0 ? 'C-space' : `C-${String.fromCharCode(c + 96)}`, raw, { ctrl: true });
  }
  const csi = /^\x1b(?:\[|O)(?:(\d+)(?:;(\d+))?)?([A-Za-z~])$/.exec(raw);
  if (csi) {
    const [, p1, p2, fin] = csi;
    const code = fin === '~' ? `${p1 ?? ''}~` : fin!;
    const mod = p2 ? Number(p2) - 1 : 0;
    const name = CSI_NAMES[code] ?? `unknown:${raw.slice(1)}`;
    return key(name, raw, { shift: (mod & 1) !== 0 || name === 'S-tab', meta: (mod & 2) !== 0, ctrl: (mod & 4) !== 0 });
  }
  if (raw.startsWith('\x1b') && raw.length >= 2) {
    const inner = parseKey(raw.slice(1));
    return { ...inner, name: `M-${inner.name}`, text: '', meta: true };
  }
  // A printable code point (or, if input bypassed the filter, a run of text: keep it as text).
  const printable = !/[\x00-\x1f\x7f]/.test(raw);
  const single = [...raw].length === 1;
  return {
    name: single ? raw : '',
    text: printable ? raw : '',
    ctrl: false,
    meta: false,
    shift: single && raw !== raw.toLowerCase(),
    raw,
  };
}

/** True for keys that type a character (what a focused text field takes instead of commands). */
export function isPrintable(k: KeyPress): boolean {
  return k.text !== '' && !k.ctrl && !k.meta;
}

const DISPLAY: Record<string, string> = {
  enter: 'Enter', escape: 'Esc', tab: 'Tab', 'S-tab': 'S-Tab', space: 'Space', backspace: 'Bksp', delete: 'Del',
  up: '↑', down: '↓', left: '←', right: '→', pageup: 'PgUp', pagedown: 'PgDn', home: 'Home', end: 'End',
};
const DISPLAY_ASCII: Record<string, string> = { ...DISPLAY, up: 'Up', down: 'Down', left: 'Left', right: 'Right' };

/** How a key name is written in the help overlay and footer. */
export function displayKey(name: string, ascii = false): string {
  const table = ascii ? DISPLAY_ASCII : DISPLAY;
  if (table[name]) return table[name]!;
  if (name.startsWith('C-')) return `Ctrl-${name.slice(2).toUpperCase()}`;
  if (name.startsWith('M-')) return `Alt-${displayKey(name.slice(2), ascii)}`;
  return name;
}

/** Raw input for a key name, used by tests and the benchmark to "press" keys. */
export function keyToRaw(name: string): string {
  const table: Record<string, string> = {
    Enter: '\r', enter: '\r', Escape: '\x1b', Esc: '\x1b', escape: '\x1b', Tab: '\t', tab: '\t', 'S-Tab': '\x1b[Z', 'S-tab': '\x1b[Z',
    Up: '\x1b[A', up: '\x1b[A', Down: '\x1b[B', down: '\x1b[B', Right: '\x1b[C', right: '\x1b[C', Left: '\x1b[D', left: '\x1b[D',
    Home: '\x1b[H', home: '\x1b[H', End: '\x1b[F', end: '\x1b[F', PageUp: '\x1b[5~', pageup: '\x1b[5~', PageDown: '\x1b[6~', pagedown: '\x1b[6~',
    Space: ' ', space: ' ', Backspace: '\x7f', backspace: '\x7f', Delete: '\x1b[3~', delete: '\x1b[3~',
  };
  if (table[name] !== undefined) return table[name]!;
  const ctrl = /^C-([a-z])$/i.exec(name);
  if (ctrl) return String.fromCharCode(ctrl[1]!.toLowerCase().charCodeAt(0) - 96);
  return name;
}
