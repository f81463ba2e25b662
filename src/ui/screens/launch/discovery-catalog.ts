/**
 * The real Catalog: discovery (src/core/discovery) run in this process. The harness is located the way a
 * run would find it (the spec's interpreter and set-up line; the demo harness through PYTHONPATH), the
 * index comes from the on-disk cache when warm (and is revalidated in the background) or is built with
 * progress when cold.
 */
import type { TaskIndex } from '../../../core/discovery/index.js';
import type { TaskList } from '../../../state/launch.js';
import type { Catalog, CatalogRequest } from './catalog.js';

/** Loaded on first use: the form draws before discovery's code is even parsed. */
const discovery = (): Promise<typeof import('../../../core/discovery/index.js')> => import('../../../core/discovery/index.js');

function toList(index: TaskIndex, fromCache: boolean, resolveTasks: Awaited<ReturnType<typeof discovery>>['resolveTasks']): TaskList {
  return {
    entries: index.entries,
    errors: index.errors,
    fromCache,
    resolve: (value) => {
      const r = resolveTasks(index, value, index.harness);
      return { tasks: r.tasks, unmatched: r.unmatched, expanded: r.expanded, fatal: r.fatal, messages: r.messages };
    },
  };
}

export function discoveryCatalog(): Catalog {
  return {
    async loadTasks(req, onProgress) {
      const { loadTaskIndex, resolveTasks, demoEnv } = await discovery();
      const r = await loadTaskIndex({
        harness: req.harness,
        ...(req.python ? { python: req.python } : {}),
        ...(req.setup ? { setup: req.setup } : {}),
        ...(req.includePath ? { includePaths: [req.includePath] } : {}),
        env: req.demo ? demoEnv() : process.env,
        onProgress: (p: { done: number; total: number }) => onProgress(`indexing tasks… ${p.done}/${p.total} files`),
      });
      return {
        list: toList(r.index, r.fromCache, resolveTasks),
        revalidate: r.revalidate.then((fresh: TaskIndex | null) => (fresh ? toList(fresh, false, resolveTasks) : null)),
      };
    },
    async loadModels(req) {
      const { locateHarness, listModels, demoEnv } = await discovery();
      const location = await locateHarness({
        harness: req.harness,
        ...(req.python ? { python: req.python } : {}),
        ...(req.setup ? { setup: req.setup } : {}),
        env: req.demo ? demoEnv() : process.env,
      });
      const models = await listModels(location);
      return models.map((m) => ({ name: m.name, aliases: [...m.aliases], kind: m.kind, ...(m.problem ? { problem: m.problem } : {}), ...(m.pretrained ? { pretrained: m.pretrained } : {}) }));
    },
  };
}

let shared: Catalog | null = null;

export function defaultCatalog(): Catalog {
  shared ??= discoveryCatalog();
  return shared;
}
