/**
 * Drop-in compatibility with the harnesses' own HTTP services (issue #6):
 * - lmms-eval server mode and TrustyAI's lm-eval-server, on the root paths of every listener of the
 *   per-user server (`registerCompatRoutes`, called from buildApp);
 * - lmms-eval's web UI backend, as its own listener (`lmms-tui web`, see webui.ts), because its `/health`,
 *   `/models` and `/tasks` have other shapes than server mode's.
 *
 * Each surface answers in FastAPI's error shapes (`{"detail": …}`) in its own fastify scope, so the native
 * `/api/v1` keeps its own error format and the bearer-token check of `serve` applies to both.
 */
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { ServerContext } from '../server/context.js';
import { Catalog } from './catalog.js';
import { compatOptionsFromEnv, type CompatOptions } from './config.js';
import { installFastApiErrors } from './fastapi.js';
import { LesIds } from './les-ids.js';
import { registerLmEvalServerRoutes } from './lm-eval-server.js';
import { registerLmmsServerRoutes } from './lmms-server.js';

export { compatOptionsFromEnv, COMPAT_ENV, type CompatOptions, type HarnessTarget } from './config.js';

interface CompatState {
  opts: CompatOptions;
  catalog: Catalog;
  ids: LesIds;
}

// One state per server, shared by its listeners (the socket app and the TCP app are built from one context).
const states = new WeakMap<ServerContext, CompatState>();

function stateFor(ctx: ServerContext, opts?: CompatOptions): CompatState {
  let s = states.get(ctx);
  if (!s) {
    const o = opts ?? compatOptionsFromEnv();
    s = {
      opts: o,
      catalog: new Catalog(o.lmms, { cacheDir: path.join(ctx.paths.stateDir, 'cache', 'discovery'), log: ctx.log }),
      ids: LesIds.forStateDir(ctx.paths.stateDir),
    };
    states.set(ctx, s);
  }
  return s;
}

/** Registers lmms-eval server mode and lm-eval-server routes at the root of `app`. Options default to the environment. */
export function registerCompatRoutes(app: FastifyInstance, ctx: ServerContext, opts?: CompatOptions): void {
  const state = stateFor(ctx, opts);
  void app.register(async (scope) => {
    installFastApiErrors(scope, ctx.log);
    registerLmmsServerRoutes(scope, ctx, state.opts, state.catalog);
    registerLmEvalServerRoutes(scope, ctx, state.opts, state.ids);
  });
}
