/**
 * What the MCP tools talk to: the caller's own per-user server (over its 0700 Unix socket, started on first
 * use like any job command), and the discovery catalogue per harness. No scheduler lives in this process,
 * so jobs an agent submits are ordinary jobs: the TUI shows them and they outlive the agent.
 */
import { ServerUnreachableError } from '../client/errors.js';
import type { LmmsClient } from '../client/client.js';
import { connect, type ConnectOptions } from '../client/connect.js';
import { Catalog } from '../compat/catalog.js';
import type { Harness } from '../core/spec.js';
import type { McpDefaults } from './spec.js';

export interface McpContextOptions {
  defaults: McpDefaults;
  connect?: ConnectOptions;
  /** Directory relative paths in a spec resolve against (default: where `lmms-tui mcp` was started). */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export class McpContext {
  readonly defaults: McpDefaults;
  readonly cwd: string;
  private client: Promise<LmmsClient> | null = null;
  private readonly catalogs = new Map<string, Catalog>();
  private inflight = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly closing = new AbortController();
  /** Aborted when the session ends: a tool still waiting for a run stops waiting (the run goes on). */
  readonly signal = this.closing.signal;

  /** The environment the user's state dir and settings are found from (the results index reads them). */
  get env(): NodeJS.ProcessEnv {
    return this.opts.env ?? this.opts.connect?.env ?? process.env;
  }

  constructor(private readonly opts: McpContextOptions) {
    this.defaults = opts.defaults;
    this.cwd = opts.cwd ?? process.cwd();
  }

  private connectOnce(): Promise<LmmsClient> {
    if (!this.client) {
      const job = connect({ autoStart: true, ...this.opts.connect, env: this.opts.env ?? this.opts.connect?.env });
      this.client = job;
      job.catch(() => {
        if (this.client === job) this.client = null;
      });
    }
    return this.client;
  }

  /**
   * Runs `fn` with a client of the user's server. If the server has gone away (stopped, upgraded), the call
   * starts a new one and is tried once more: an agent's session can last longer than a server. A call that
   * changes something (`once`: submit, stop, cancel) is retried only when it cannot have arrived (nothing
   * was listening), never after a connection that broke mid-request, so a job is never submitted twice.
   */
  async withClient<T>(fn: (client: LmmsClient) => Promise<T>, opts: { once?: boolean } = {}): Promise<T> {
    const client = await this.connectOnce();
    try {
      return await fn(client);
    } catch (err) {
      if (!(err instanceof ServerUnreachableError)) throw err;
      const code = (err.original as NodeJS.ErrnoException | undefined)?.code;
      if (opts.once && code !== 'ECONNREFUSED' && code !== 'ENOENT') throw err;
      client.close();
      this.client = null;
      return fn(await this.connectOnce());
    }
  }

  /** The task and model catalogue of a harness, with this session's interpreter and set-up defaults. */
  catalog(harness: Harness, python = this.defaults.python, setup = this.defaults.setup, demo = this.defaults.demo): Catalog {
    const key = JSON.stringify([harness, python ?? null, setup ?? null, demo]);
    let c = this.catalogs.get(key);
    if (!c) {
      c = new Catalog({ harness, python, setup, demo }, { env: this.opts.env, cwd: this.cwd });
      this.catalogs.set(key, c);
    }
    return c;
  }

  /** Counts a request in flight, so the session's end can let its answer go out first. */
  async track<T>(fn: () => Promise<T>): Promise<T> {
    this.inflight++;
    try {
      return await fn();
    } finally {
      if (--this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
    }
  }

  /** Ends waits for runs and resolves once every request in flight has been answered. */
  async drain(): Promise<void> {
    this.closing.abort();
    if (this.inflight > 0) await new Promise<void>((r) => this.idleWaiters.push(r));
  }

  close(): void {
    void this.client?.then((c) => c.close()).catch(() => undefined);
    this.client = null;
  }
}
