/**
 * Finding the installed harness without importing it (harness-facts §3): one Python call that asks
 * `importlib.util.find_spec` for the top-level package (never a dotted name, which would import the
 * parent) and `importlib.metadata.version` for the distribution. It takes tens of milliseconds and
 * sees exactly what a run sees: the same interpreter, set-up line, PYTHONPATH and working directory.
 */
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from '../errors.js';
import { demoHarnessDir } from '../paths.js';
import { HARNESS_MODULE, type Harness } from '../spec.js';
import { askedVia, defaultPython, PROBE_MARKER, runPythonJson, type PythonTarget } from './python.js';

export interface PackageProbe {
  /** `spec.origin`, e.g. `/…/site-packages/lmms_eval/__init__.py`. */
  origin: string | null;
  /** The package directory (`submodule_search_locations[0]`). */
  dir: string | null;
  /** Distribution version, null when importable but not installed (a bare checkout on the path). */
  version: string | null;
  editable: boolean;
  error?: string;
}

export interface PythonProbe {
  executable: string;
  pythonVersion: string;
  sysPath: string[];
  packages: Record<string, PackageProbe>;
}

export interface HarnessLocation {
  harness: Harness;
  module: string;
  /** The interpreter as asked (after defaults), and the set-up line, to start runs the same way. */
  python: string;
  setup?: string;
  executable: string;
  pythonVersion: string;
  sysPath: string[];
  packageDir: string;
  /** `<packageDir>/tasks`: the first task root. */
  tasksDir: string;
  version: string | null;
  editable: boolean;
  /** Things that will go wrong at run time although the package was found. */
  warnings: string[];
}

export interface LocateOptions extends PythonTarget {
  harness: Harness;
  /** Reuse a probe younger than this (ms). Default 30 s; 0 always asks Python. */
  maxAgeMs?: number;
}

const PIP_NAME: Record<Harness, string> = { 'lmms-eval': 'lmms-eval', 'lm-eval': 'lm-eval' };

const PROBE_CODE = `
import sys, os, json
def pkg(mod):
    info = {"origin": None, "dir": None, "version": None, "editable": False}
    try:
        import importlib.util
        spec = importlib.util.find_spec(mod)
    except Exception as e:
        spec = None
        info["error"] = "%s: %s" % (type(e).__name__, e)
    if spec is not None:
        info["origin"] = spec.origin
        locs = list(spec.submodule_search_locations or [])
        if locs:
            info["dir"] = locs[0]
    try:
        import importlib.metadata as md
        info["version"] = md.version(mod)
        try:
            du = md.distribution(mod).read_text("direct_url.json")
            if du:
                info["editable"] = bool(json.loads(du).get("dir_info", {}).get("editable"))
        except Exception:
            pass
    except Exception:
        pass
    return info
out = {"executable": sys.executable, "pythonVersion": "%d.%d.%d" % sys.version_info[:3], "sysPath": sys.path,
       "packages": {m: pkg(m) for m in ("lmms_eval", "lm_eval")}}
sys.stdout.write("\\n${PROBE_MARKER}\\n" + json.dumps(out) + "\\n")
`;

const cache = new Map<string, { at: number; probe: Promise<PythonProbe> }>();

function probeKey(target: PythonTarget): string {
  const env = target.env ?? process.env;
  const h = createHash('sha256');
  h.update(JSON.stringify([target.python ?? defaultPython(env, target.setup), target.setup ?? '', target.cwd ?? '']));
  for (const k of Object.keys(env).sort()) h.update(`\0${k}=${env[k]}`);
  return h.digest('hex');
}

/** Asks the interpreter where both harness packages are; cached for `maxAgeMs` per interpreter + environment. */
export function probePython(target: PythonTarget, maxAgeMs = 30_000): Promise<PythonProbe> {
  const key = probeKey(target);
  const hit = cache.get(key);
  if (hit && Date.now() - hit.at < maxAgeMs) return hit.probe;
  // A neutral working directory: Python puts it on sys.path, and a stray `lmms_eval/` folder in
  // wherever lmms-tui was started must not shadow the installed package.
  const probe = runPythonJson<PythonProbe>({ ...target, cwd: target.cwd ?? tmpdir() }, PROBE_CODE, 'locating the harness');
  cache.set(key, { at: Date.now(), probe });
  probe.catch(() => cache.delete(key));
  return probe;
}

/** Forgets cached probes (tests, or after the user installs something). */
export function clearProbeCache(): void {
  cache.clear();
}

/** Turns a probe into the location of one harness, or a UserError saying what to install. */
export function locationFromProbe(probe: PythonProbe, options: LocateOptions): HarnessLocation {
  const { harness } = options;
  const module = HARNESS_MODULE[harness];
  const python = options.python ?? defaultPython(options.env, options.setup);
  const pkg = probe.packages[module];
  if (!pkg?.dir) {
    const why = pkg?.error ? ` (${pkg.error})` : '';
    throw new UserError(
      `${module} is not installed for ${probe.executable} (asked via ${askedVia(options)})${why}`,
      `install it with \`pip install ${PIP_NAME[harness]}\` or pick another interpreter with --python / --setup`,
    );
  }
  const warnings: string[] = [];
  if (!pkg.version && harness === 'lm-eval') {
    warnings.push(`lm_eval at ${pkg.dir} is not an installed distribution; \`python -m lm_eval\` will fail (PackageNotFoundError). Install it with \`pip install -e <checkout>\`.`);
  }
  return {
    harness,
    module,
    python,
    setup: options.setup,
    executable: probe.executable,
    pythonVersion: probe.pythonVersion,
    sysPath: probe.sysPath,
    packageDir: pkg.dir,
    tasksDir: path.join(pkg.dir, 'tasks'),
    version: pkg.version,
    editable: pkg.editable,
    warnings,
  };
}

/** Where `harness` is installed for the given interpreter; a UserError names what is missing. */
export async function locateHarness(options: LocateOptions): Promise<HarnessLocation> {
  const probe = await probePython(options, options.maxAgeMs);
  return locationFromProbe(probe, options);
}

/** The environment that makes the built-in demo harness importable (PYTHONPATH first). */
export function demoEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dir = demoHarnessDir();
  return { ...env, PYTHONPATH: env.PYTHONPATH ? `${dir}${path.delimiter}${env.PYTHONPATH}` : dir };
}
