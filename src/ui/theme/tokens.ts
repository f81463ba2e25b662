/**
 * Semantic colour tokens. Components ask for a meaning ('error', 'running', 'muted'), never a colour, so the
 * 16-colour palette (what tmux and SSH sessions reliably have; style.md B.11) and the 256-colour one stay in
 * one place, and NO_COLOR (https://no-color.org) switches every colour off at once. Nothing relies on colour
 * alone: states also carry a glyph and a word, the selection is drawn inverse.
 */
export type Token =
  | 'text' | 'muted' | 'accent' | 'border' | 'borderFocus' | 'title'
  | 'success' | 'error' | 'warning' | 'info' | 'debug'
  | 'running' | 'queued' | 'stopped' | 'match' | 'secret' | 'headerBg';

export type ColorMode = 'none' | '16' | '256';

const PALETTE_16: Record<Token, string | undefined> = {
  text: undefined,
  muted: 'gray',
  accent: 'cyan',
  border: 'gray',
  borderFocus: 'cyan',
  title: 'whiteBright',
  success: 'green',
  error: 'red',
  warning: 'yellow',
  info: 'blue',
  debug: 'gray',
  running: 'cyan',
  queued: 'yellow',
  stopped: 'magenta',
  match: 'yellowBright',
  secret: 'magenta',
  headerBg: 'blue',
};

const PALETTE_256: Record<Token, string | undefined> = {
  text: undefined,
  muted: 'ansi256(245)',
  accent: 'ansi256(39)',
  border: 'ansi256(240)',
  borderFocus: 'ansi256(39)',
  title: 'ansi256(255)',
  success: 'ansi256(71)',
  error: 'ansi256(203)',
  warning: 'ansi256(214)',
  info: 'ansi256(75)',
  debug: 'ansi256(244)',
  running: 'ansi256(45)',
  queued: 'ansi256(179)',
  stopped: 'ansi256(170)',
  match: 'ansi256(226)',
  secret: 'ansi256(176)',
  headerBg: 'ansi256(24)',
};

export function palette(mode: ColorMode): Record<Token, string | undefined> {
  if (mode === 'none') return Object.fromEntries(Object.keys(PALETTE_16).map((k) => [k, undefined])) as Record<Token, undefined>;
  return mode === '256' ? PALETTE_256 : PALETTE_16;
}

/** NO_COLOR (any non-empty value) and TERM=dumb switch colour off; 256 colours when the terminal says so. */
export function detectColorMode(env: NodeJS.ProcessEnv = process.env): ColorMode {
  if (env.NO_COLOR) return 'none';
  if (env.TERM === 'dumb') return 'none';
  if (/256/.test(env.TERM ?? '') || /truecolor|24bit/i.test(env.COLORTERM ?? '')) return '256';
  return '16';
}
