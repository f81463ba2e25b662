/**
 * `lmms-tui config import FILE` and `lmms-tui config export [spec flags] [--out FILE]`: the harness's
 * `--config` YAML to and from specs (harness-facts §4.3). Import prints the spec JSON (or, with
 * --preview, the exact script each entry would run) and reports every key the harness would reject.
 * `config show` / `config set KEY VALUE`: the UI settings (clipboard mode, glyphs) kept with conf.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Option, type Command } from 'commander';
import { buildCommand } from '../../core/command/build.js';
import { validateSpec } from '../../core/command/validate.js';
import { exportConfigYaml, importConfigYaml, type ConfigEntry } from '../../core/config-yaml.js';
import { formatError, UserError } from '../../core/errors.js';
import { demoHarnessDir } from '../../core/paths.js';
import { redactScript, redactSpec, specSecrets } from '../../core/redact.js';
import { writePrivateFile } from '../../core/private-files.js';
import { CLIPBOARD_MODES, GLYPH_MODES, openSettings, type ClipboardMode, type GlyphMode } from '../../core/settings.js';
import { HARNESSES, type EvalSpec, type Harness } from '../../core/spec.js';
import { addSpecOptions, extraArgsOf, specFromOptions } from '../spec-options.js';
import { formatProblems, processIO, type PreviewIO } from './preview.js';

/** Where the commands write (the same as preview's); tests pass their own to capture output in-process. */
export type ConfigIO = PreviewIO;

export function registerConfig(program: Command, io: ConfigIO = processIO): Command {
  const config = program.command('config').description("import or export a harness's --config YAML; show or change UI settings");

  config
    .command('import')
    .description('read a --config YAML and print the spec(s) as JSON, or the command each would run')
    .argument('<file>', 'YAML file (a mapping, or for lmms-eval a list of mappings)')
    .addOption(new Option('--harness <name>', 'read the file as this harness does').choices([...HARNESSES]))
    .option('--preview', 'print the exact script of each entry instead of JSON')
    .option('--strict', 'exit 2 when the file has keys the harness would reject')
    .option('--reveal', 'print secrets (env values, api_key= …) in clear; default masked as ••••••')
    .action((file: string, opts: { harness?: Harness; preview?: boolean; strict?: boolean; reveal?: boolean }) => {
      guard(io, () => runImport(io, file, opts));
    });

  config
    .command('show')
    .description('print the UI settings, preset names and where they are stored')
    .action(() => {
      guard(io, () => {
        const s = openSettings();
        io.out(`${JSON.stringify({ file: s.path, settings: s.settings(), presets: s.presetNames() }, null, 2)}\n`);
      });
    });

  config
    .command('set')
    .description(`change a UI setting: clipboard (${CLIPBOARD_MODES.join('|')}) or glyphs (${GLYPH_MODES.join('|')})`)
    .argument('<key>', 'clipboard or glyphs')
    .argument('<value>', 'the new value')
    .action((key: string, value: string) => {
      guard(io, () => runSet(io, key, value));
    });

  const exp = config
    .command('export')
    .description('write the spec given by flags as a --config YAML (stdout, or -O FILE; -o is the harness\'s --output_path)')
    .option('-O, --out <file>', 'write to FILE (mode 0600) instead of stdout')
    .option('--force', 'overwrite an existing FILE')
    .option('--include-secrets', 'write secret values in clear (default: ${NAME} references for env lines and set-up exports, masked elsewhere)');
  addSpecOptions(exp);
  exp.action((_extra: unknown, opts: Record<string, unknown>, self: Command) => {
    guard(io, () => runExport(io, self, opts));
  });
  return config;
}

function guard(io: ConfigIO, fn: () => void): void {
  try {
    fn();
  } catch (err) {
    io.err(`lmms-tui config: ${formatError(err)}\n`);
    io.setExitCode(err instanceof UserError ? 2 : 1);
  }
}

function runSet(io: ConfigIO, key: string, value: string): void {
  const s = openSettings();
  if (key === 'clipboard' && (CLIPBOARD_MODES as readonly string[]).includes(value)) s.setSetting('clipboard', value as ClipboardMode);
  else if (key === 'glyphs' && (GLYPH_MODES as readonly string[]).includes(value)) s.setSetting('glyphs', value as GlyphMode);
  else {
    const allowed = key === 'clipboard' ? CLIPBOARD_MODES : key === 'glyphs' ? GLYPH_MODES : null;
    throw new UserError(
      allowed ? `${JSON.stringify(value)} is not a ${key} setting` : `unknown setting ${JSON.stringify(key)}`,
      allowed ? `use one of ${allowed.join(', ')}` : 'settings are clipboard and glyphs',
    );
  }
  io.err(`${key} = ${value} (${s.path})\n`);
}

function runImport(io: ConfigIO, file: string, opts: { harness?: Harness; preview?: boolean; strict?: boolean; reveal?: boolean }): void {
  const abs = path.resolve(io.cwd(), file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (err) {
    throw new UserError(`cannot read ${abs}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, 'check the path');
  }
  const entries = importConfigYaml(text, opts.harness ? { harness: opts.harness } : {});
  reportNotes(io, entries);
  let masked = false;
  const shown = (script: string, spec: EvalSpec) => {
    const out = opts.reveal ? script : redactScript(script, specSecrets(spec));
    if (out !== script) masked = true;
    io.out(out);
  };
  if (opts.preview) {
    let bad = 0;
    entries.forEach((entry, i) => {
      if (entries.length > 1) io.out(`# --- entry ${i + 1} of ${entries.length} ---\n`);
      const problems = validateSpec(entry.spec);
      if (problems.length > 0) {
        bad += 1;
        io.err(`entry ${i + 1} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${formatProblems(problems)}`);
        return;
      }
      const demo = entry.spec.demo ? { demoHarnessDir: demoHarnessDir() } : {};
      const script = buildCommand(entry.spec, { cwd: io.cwd(), ...demo }).script;
      shown(script, entry.spec);
    });
    if (bad > 0) io.setExitCode(2);
  } else {
    const specs = entries.map((e) => (opts.reveal ? e.spec : redactSpec(e.spec)));
    if (specs.some((sp, i) => JSON.stringify(sp) !== JSON.stringify(entries[i]!.spec))) masked = true;
    io.out(`${JSON.stringify(specs.length === 1 ? specs[0] : specs, null, 2)}\n`);
  }
  if (masked) io.err('note: secrets are masked as ••••••; --reveal prints them\n');
  if (opts.strict && entries.some((e) => e.unknownKeys.length > 0)) io.setExitCode(2);
}

function reportNotes(io: ConfigIO, entries: readonly ConfigEntry[]): void {
  entries.forEach((entry, i) => {
    const where = entries.length > 1 ? `entry ${i + 1}: ` : '';
    for (const note of entry.notes) io.err(`note: ${where}${note}\n`);
  });
}

/** The arguments as typed (the root command keeps them), to tell `-o` from `--output_path`. */
function typedArgs(cmd: Command): readonly string[] {
  let root = cmd;
  while (root.parent) root = root.parent;
  return (root as unknown as { rawArgs?: string[] }).rawArgs ?? [];
}

function runExport(io: ConfigIO, self: Command, opts: Record<string, unknown>): void {
  // `-o FILE` reads like "output file" but is the harness's own `-o` (--output_path): without this the
  // YAML went to stdout and FILE became the results directory of the exported spec.
  const args = typedArgs(self);
  const dashDash = args.indexOf('--');
  const shortO = (dashDash < 0 ? args : args.slice(0, dashDash)).some((a) => a === '-o' || (/^-o./.test(a) && !a.startsWith('--')));
  if (shortO && typeof opts.out !== 'string') {
    throw new UserError(
      `-o is the harness's --output_path (where results go), not the YAML file: nothing was written`,
      `write the YAML to FILE with -O FILE (or --out FILE); to set output_path, spell it --output_path ${JSON.stringify(String(opts.output_path ?? 'DIR'))}`,
    );
  }
  const { extraArgs, problems: strays } = extraArgsOf(self);
  const spec = specFromOptions(opts, extraArgs);
  const problems = [...strays, ...validateSpec(spec)];
  if (problems.length > 0) {
    io.err(`lmms-tui config export: the spec has ${problems.length} problem${problems.length > 1 ? 's' : ''}:\n${formatProblems(problems)}`);
    io.setExitCode(2);
    return;
  }
  const { text, warnings } = exportConfigYaml(spec, { includeSecrets: opts.includeSecrets === true });
  for (const w of warnings) io.err(`warning: ${w}\n`);
  const out = typeof opts.out === 'string' ? path.resolve(io.cwd(), opts.out) : undefined;
  if (!out) {
    io.out(text);
    return;
  }
  if (existsSync(out) && opts.force !== true) throw new UserError(`${out} exists`, 'add --force to overwrite it');
  writePrivateFile(out, text);
  io.err(`wrote ${out} (mode 0600)\n`);
}
