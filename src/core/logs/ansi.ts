/**
 * ANSI escape removal. lmms-eval's loguru sink sets colorize=True, so colour codes reach our log file
 * even through a pipe (harness-facts §6.1); every parser works on stripped text.
 */

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), the 8-bit CSI (0x9b), and the remaining two-byte
// escapes (ESC followed by one byte from @ to _ other than [ and ], e.g. ESC M, ESC 7, ESC =).
// OSC is matched lazily up to its terminator so a hyperlink (OSC 8) loses its wrapper but keeps its text.
// eslint-disable-next-line no-control-regex
const ANSI_RE = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x9b[0-?]*[ -/]*[@-~]|\x1b[@-Z\\^_]|\x1b[()#][0-9A-Za-z]/g;

export function stripAnsi(s: string): string {
  // The common case (lm-eval's plain stderr, tqdm bars) has no escapes at all: skip the regex.
  if (!s.includes('\x1b') && !s.includes('\x9b')) return s;
  return s.replace(ANSI_RE, '');
}
