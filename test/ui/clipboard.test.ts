import { describe, expect, it } from 'vitest';
import { clipboardSequence, copyNote, MAX_OSC52_BYTES, osc52, tmuxPassthrough } from '../../src/ui/clipboard.js';

describe('OSC 52 clipboard', () => {
  const text = 'python3 -m lmms_eval --tasks mme';
  const b64 = Buffer.from(text).toString('base64');

  it('writes a raw OSC 52 sequence, the tmux passthrough envelope, both in auto mode under tmux, or nothing', () => {
    expect(osc52(text)).toBe(`\x1b]52;c;${b64}\x07`);
    expect(clipboardSequence(text, 'osc52', {})).toBe(osc52(text));
    // Inside the envelope every ESC is doubled and the envelope ends with ST.
    expect(clipboardSequence(text, 'tmux', {})).toBe(`\x1bPtmux;\x1b\x1b]52;c;${b64}\x07\x1b\\`);
    expect(clipboardSequence(text, 'auto', {})).toBe(osc52(text));
    expect(clipboardSequence(text, 'auto', { TMUX: '/tmp/tmux-0/default,1,0' })).toBe(osc52(text) + tmuxPassthrough(osc52(text)));
    expect(clipboardSequence(text, 'off', {})).toBe('');
  });

  it('refuses payloads terminals would drop, and says how each copy went', () => {
    const big = 'x'.repeat(MAX_OSC52_BYTES + 1);
    expect(clipboardSequence(big, 'osc52', {})).toBe('');
    expect(copyNote(big, 'osc52', {})).toMatch(/too long/);
    expect(copyNote(text, 'off', {})).toMatch(/clipboard is off/);
    expect(copyNote(text, 'auto', { TMUX: 'x' })).toMatch(/raw and tmux passthrough/);
    expect(copyNote(text, 'osc52', {})).toBe('sent to the clipboard with OSC 52');
  });
});
