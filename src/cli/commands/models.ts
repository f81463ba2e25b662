import { Option, type Command } from 'commander';
import { demoEnv, listModels, locateHarness, type ModelInfo } from '../../core/discovery/index.js';
import { HARNESSES, type Harness } from '../../core/spec.js';
import { action, guardEpipe, printJson, table, usageExit, writeOut } from '../client-helpers.js';

interface ModelsOptions {
  harness: Harness;
  python?: string;
  setup?: string;
  json?: boolean;
  probe?: boolean;
  demo?: boolean;
}

export function modelsTable(models: readonly ModelInfo[]): string {
  const rows = models.map((m) => [m.name + (m.source === 'probe' ? ' (plugin)' : ''), m.kind, m.aliases.join(', ') || '-', m.problem ?? '']);
  return table(['NAME', 'KIND', 'ALIASES', 'PROBLEM'], rows);
}

/** `lmms-tui models [--harness H] [--python P] [--setup S] [--json] [--probe]` */
export function registerModels(program: Command): void {
  usageExit(program.command('models').description('list the model names the harness accepts for --model'))
    .addOption(new Option('--harness <harness>', 'which harness').choices(HARNESSES).default('lmms-eval'))
    .option('--python <path>', 'Python interpreter (default: the active venv or conda env, else python3)')
    .option('--setup <line>', 'environment set-up line run first, e.g. "source .venv/bin/activate"')
    .option('--json', 'print a JSON array of {name, aliases, kind, ...}')
    .option('--probe', 'also import the registry in Python to see plugins (slower)')
    .option('--demo', 'use the built-in demo harness')
    .action(
      action(async (opts: ModelsOptions) => {
        guardEpipe();
        const env = opts.demo ? demoEnv() : process.env;
        const location = await locateHarness({ harness: opts.harness, python: opts.python, setup: opts.setup, env });
        const models = await listModels(location, { probe: opts.probe, env });
        if (opts.json) return void (await printJson(models));
        await writeOut(`${modelsTable(models)}\n`);
        const aliases = models.reduce((n, m) => n + m.aliases.length, 0);
        const broken = models.filter((m) => m.problem).length;
        const note = opts.probe ? '' : ' · static list (--probe to include plugins)';
        const brokenNote = broken ? ` · ${broken} with a missing class` : '';
        process.stderr.write(`${models.length} models, ${aliases} aliases${brokenNote} · ${location.module} ${location.version ?? ''} at ${location.packageDir}${note}\n`);
      }),
    );
}
