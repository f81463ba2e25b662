/**
 * Persistent user settings (conf 15): the last spec the launch form held, named presets, recently used
 * tasks and models, and UI settings. One JSON file, `<config dir>/config.json`, where the config dir is
 * `$LMMS_TUI_HOME/config` when that is set (tests, demo) and `~/.config/lmms-tui` (XDG) otherwise.
 *
 * Everything read back is checked by hand rather than by a conf schema: a schema violation makes conf
 * either throw on open or wipe the whole file, and a hand-edited preset file should cost the user one
 * bad entry, not all their presets.
 */
import { mkdtempSync, renameSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import Conf from 'conf';
import { ensurePrivateDir, narrow, PRIVATE_FILE_MODE } from './private-files.js';
import { HARNESSES, type EvalSpec } from './spec.js';
import { withoutOversized } from './limits.js';

export type ClipboardMode = 'auto' | 'osc52' | 'tmux' | 'off';
export type GlyphMode = 'unicode' | 'ascii';

export interface UiSettings {
  /** How `y` copies: OSC 52 raw, wrapped for tmux passthrough, picked from $TMUX (auto), or never. */
  clipboard: ClipboardMode;
  glyphs: GlyphMode;
}

export const DEFAULT_SETTINGS: UiSettings = { clipboard: 'auto', glyphs: 'unicode' };
export const CLIPBOARD_MODES: readonly ClipboardMode[] = ['auto', 'osc52', 'tmux', 'off'];
export const GLYPH_MODES: readonly GlyphMode[] = ['unicode', 'ascii'];

/** How many recent tasks / models are remembered (most recent first). */
export const RECENT_LIMIT = 30;

interface Stored {
  lastSpec?: unknown;
  presets?: unknown;
  recentTasks?: unknown;
  recentModels?: unknown;
  settings?: unknown;
  resultsFolders?: unknown;
}

export interface OpenSettingsOptions {
  /** Directory holding config.json; default `settingsDir(env)`. */
  dir?: string;
  env?: NodeJS.ProcessEnv;
}

/** `$LMMS_TUI_HOME/config`, else `$XDG_CONFIG_HOME/lmms-tui`, else `~/.config/lmms-tui`. */
export function settingsDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LMMS_TUI_HOME) return path.join(path.resolve(env.LMMS_TUI_HOME), 'config');
  const xdg = env.XDG_CONFIG_HOME && path.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : path.join(homedir(), '.config');
  return path.join(xdg, 'lmms-tui');
}

export class SettingsStore {
  readonly #conf: Conf<Stored>;
  /** Set when the file on disk was unreadable (moved aside) or its dir unusable (a temp dir is used). */
  readonly warning: string | undefined;

  constructor(opts: OpenSettingsOptions = {}) {
    const cwd = opts.dir ?? settingsDir(opts.env);
    const confOpts = {
      projectName: 'lmms-tui',
      cwd,
      // Preset names may contain dots; dot-notation would turn `v1.5` into a nested key.
      accessPropertiesByDotNotation: false,
      // The last spec and presets hold env lines such as HF_TOKEN=…: the owner's alone (conf's default is
      // 0666 less the umask, and it creates the directory with mkdir's default mode).
      configFileMode: PRIVATE_FILE_MODE,
    };
    let warning: string | undefined;
    let conf: Conf<Stored>;
    try {
      // Before conf opens it: a 0700 directory, and a file an older version wrote 0644 narrowed to 0600.
      ensurePrivateDir(cwd);
      narrow(path.join(cwd, 'config.json'));
      conf = new Conf<Stored>(confOpts);
    } catch (err) {
      const file = path.join(cwd, 'config.json');
      const why = err instanceof Error ? err.message : String(err);
      if (err instanceof SyntaxError) {
        // Malformed JSON: keep the user's file for repair instead of letting conf clear it silently.
        const bad = `${file}.bad-${Date.now()}`;
        renameSync(file, bad);
        warning = `settings file was unreadable (${why}); moved to ${bad}`;
        conf = new Conf<Stored>(confOpts);
      } else {
        // An unwritable config dir (EACCES, read-only home) must not keep the TUI from starting.
        // mkdtemp makes the directory 0700.
        const tmp = mkdtempSync(path.join(tmpdir(), 'lmms-tui-settings-'));
        warning = `cannot use ${file} (${why}); settings and presets are kept in ${tmp} for this session only`;
        conf = new Conf<Stored>({ ...confOpts, cwd: tmp });
      }
    }
    this.#conf = conf;
    this.warning = warning;
  }

  get path(): string {
    return this.#conf.path;
  }

  lastSpec(): EvalSpec | undefined {
    return sanitizeSpec(this.#conf.get('lastSpec'));
  }

  setLastSpec(spec: EvalSpec): void {
    this.#conf.set('lastSpec', cleanSpec(spec));
  }

  presetNames(): string[] {
    return Object.keys(this.#presets()).sort((a, b) => a.localeCompare(b));
  }

  loadPreset(name: string): EvalSpec | undefined {
    return sanitizeSpec(this.#presets()[name]);
  }

  hasPreset(name: string): boolean {
    return Object.hasOwn(this.#presets(), name);
  }

  savePreset(name: string, spec: EvalSpec): void {
    const trimmed = name.trim();
    if (trimmed === '') throw new Error('a preset needs a name');
    this.#conf.set('presets', { ...this.#presets(), [trimmed]: cleanSpec(spec) });
  }

  /** False when there was no such preset. */
  deletePreset(name: string): boolean {
    const all = { ...this.#presets() };
    if (!Object.hasOwn(all, name)) return false;
    delete all[name];
    this.#conf.set('presets', all);
    return true;
  }

  recentTasks(): string[] {
    return stringList(this.#conf.get('recentTasks'));
  }

  /** Moves `tasks` to the front (first one first), dropping duplicates and the oldest past the limit. */
  addRecentTasks(tasks: readonly string[]): void {
    this.#conf.set('recentTasks', pushRecent(this.recentTasks(), tasks));
  }

  recentModels(): string[] {
    return stringList(this.#conf.get('recentModels'));
  }

  addRecentModel(model: string): void {
    if (model.trim() === '') return;
    this.#conf.set('recentModels', pushRecent(this.recentModels(), [model]));
  }

  settings(): UiSettings {
    const raw = this.#conf.get('settings');
    const obj = isRecord(raw) ? raw : {};
    return {
      clipboard: CLIPBOARD_MODES.includes(obj.clipboard as ClipboardMode) ? (obj.clipboard as ClipboardMode) : DEFAULT_SETTINGS.clipboard,
      glyphs: GLYPH_MODES.includes(obj.glyphs as GlyphMode) ? (obj.glyphs as GlyphMode) : DEFAULT_SETTINGS.glyphs,
    };
  }

  setSetting<K extends keyof UiSettings>(key: K, value: UiSettings[K]): void {
    this.#conf.set('settings', { ...this.settings(), [key]: value });
  }

  /** Folders the user added to the results index (`lmms-tui results add`), absolute, in the order added. */
  resultsFolders(): string[] {
    return stringList(this.#conf.get('resultsFolders'));
  }

  /** Adds an absolute folder; false when it was already there. */
  addResultsFolder(folder: string): boolean {
    const abs = path.resolve(folder);
    const current = this.resultsFolders();
    if (current.includes(abs)) return false;
    this.#conf.set('resultsFolders', [...current, abs]);
    return true;
  }

  /** False when the folder was not in the list. */
  removeResultsFolder(folder: string): boolean {
    const abs = path.resolve(folder);
    const current = this.resultsFolders();
    if (!current.includes(abs)) return false;
    this.#conf.set('resultsFolders', current.filter((f) => f !== abs));
    return true;
  }

  #presets(): Record<string, unknown> {
    const raw = this.#conf.get('presets');
    return isRecord(raw) ? raw : {};
  }
}

/** Opens the settings store; the one-liner most callers want. */
export function openSettings(opts: OpenSettingsOptions = {}): SettingsStore {
  return new SettingsStore(opts);
}

function pushRecent(current: readonly string[], added: readonly string[]): string[] {
  const fresh = added.filter((t) => t.trim() !== '');
  const seen = new Set(fresh);
  return [...new Set(fresh), ...current.filter((t) => !seen.has(t))].slice(0, RECENT_LIMIT);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Drops unset fields ('' / undefined / NaN) so the stored JSON stays small and readable, and fields over
 * their size limit (core/limits.ts): a pasted megabyte must not come back on every start.
 */
function cleanSpec(spec: EvalSpec): EvalSpec {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(withoutOversized(spec))) {
    if (v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) continue;
    out[k] = v;
  }
  return out as unknown as EvalSpec;
}

/**
 * A stored spec is trusted only as far as its shape: the three required fields must be right; other
 * fields are kept as they are and the form's validation reports anything odd in them.
 */
export function sanitizeSpec(v: unknown): EvalSpec | undefined {
  if (!isRecord(v)) return undefined;
  if (!HARNESSES.includes(v.harness as EvalSpec['harness'])) return undefined;
  // A file written before the size limits may hold a huge value: leave it out rather than load it.
  const spec = withoutOversized({ ...v }) as unknown as EvalSpec;
  spec.model = typeof spec.model === 'string' ? spec.model : '';
  spec.tasks = stringList(spec.tasks);
  if (spec.env !== undefined) spec.env = stringList(spec.env);
  if (spec.extra_args !== undefined) spec.extra_args = stringList(spec.extra_args);
  return spec;
}
