/**
 * Copy to the user's clipboard with OSC 52, which works over SSH because the terminal does the copying.
 * tmux ignores an application's raw OSC 52 under its default `set-clipboard external`; it honours it with
 * `set-clipboard on`, or when wrapped in the DCS passthrough envelope `ESC P tmux; … ESC \` with
 * `allow-passthrough on` (off by default since tmux 3.3). Either choice breaks someone (style.md B.11.4),
 * so it is a setting: auto | osc52 | tmux | off. The copied text is always also shown, so it can be
 * selected by hand when no mode works.
 */
import type { ClipboardMode } from '../core/settings.js';

export type { ClipboardMode };

/** Terminals cap OSC 52 payloads (xterm: 100 kB of base64 by default); longer copies are refused. */
export const MAX_OSC52_BYTES = 74_994;

export function osc52(text: string): string {
  return `\x1b]52;c;${Buffer.from(text, 'utf8').toString('base64')}\x07`;
}

/** The sequence wrapped for tmux passthrough: every ESC inside doubled. */
export function tmuxPassthrough(seq: string): string {
  return `\x1bPtmux;${seq.replace(/\x1b/g, '\x1b\x1b')}\x1b\\`;
}

/**
 * Bytes to write for a copy, or '' for none. `auto` sends the raw sequence, and inside tmux ($TMUX) also the
 * passthrough envelope, so whichever of set-clipboard / allow-passthrough the user enabled takes it.
 */
export function clipboardSequence(text: string, mode: ClipboardMode, env: NodeJS.ProcessEnv = process.env): string {
  if (mode === 'off' || Buffer.byteLength(text) > MAX_OSC52_BYTES) return '';
  const seq = osc52(text);
  if (mode === 'osc52') return seq;
  if (mode === 'tmux') return tmuxPassthrough(seq);
  return env.TMUX ? seq + tmuxPassthrough(seq) : seq;
}

/** How a copy went, for the panel that shows the copied text. */
export function copyNote(text: string, mode: ClipboardMode, env: NodeJS.ProcessEnv = process.env): string {
  if (mode === 'off') return 'clipboard is off (setting): select the text below by hand';
  if (Buffer.byteLength(text) > MAX_OSC52_BYTES) return 'too long for OSC 52: select the text below by hand';
  const how = mode === 'tmux' ? 'OSC 52 via tmux passthrough' : mode === 'auto' && env.TMUX ? 'OSC 52 (raw and tmux passthrough)' : 'OSC 52';
  return `sent to the clipboard with ${how}`;
}
