import { createContext, useContext } from 'react';
import { detectColorMode, palette, type ColorMode, type Token } from './tokens.js';
import { ASCII, UNICODE, detectGlyphMode, type GlyphMode, type Glyphs } from './glyphs.js';

export type { Token, ColorMode } from './tokens.js';
export type { Glyphs, GlyphMode } from './glyphs.js';

export interface Theme {
  colorMode: ColorMode;
  glyphMode: GlyphMode;
  glyphs: Glyphs;
  /** Ink colour for a token; undefined means "terminal default" (always so under NO_COLOR). */
  color(token: Token): string | undefined;
}

export function createTheme(opts: { colorMode?: ColorMode; glyphMode?: GlyphMode; env?: NodeJS.ProcessEnv; glyphSetting?: string } = {}): Theme {
  const env = opts.env ?? process.env;
  const colorMode = opts.colorMode ?? detectColorMode(env);
  const glyphMode = opts.glyphMode ?? detectGlyphMode(env, opts.glyphSetting);
  const colors = palette(colorMode);
  return { colorMode, glyphMode, glyphs: glyphMode === 'ascii' ? ASCII : UNICODE, color: (t) => colors[t] };
}

export const ThemeContext = createContext<Theme>(createTheme({ colorMode: 'none', glyphMode: 'unicode' }));

export function useTheme(): Theme {
  return useContext(ThemeContext);
}
