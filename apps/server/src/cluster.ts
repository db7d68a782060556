/**
 * `npm run cluster`: the multi-instance topology on one machine, started by one command (docs/operating.md).
 * A supervisor (this process) migrates the database once, then runs every part of the platform as a child
 * process started from the same entry points operators use one by one — N × main.ts (the 0Gate API on
 * consecutive ports, worker and 0trace off), M × worker-main.ts, exchange-main.ts, widget-main.ts, hub-main.ts — and a
 * small round-robin front on PORT (@fastify/reply-from over an undici BalancedPool) in front of the API
 * instances. A child that exits without being asked to is started again with backoff; SIGTERM/SIGINT stop
 * the front, forward the signal to every child and exit once they are gone.
 *
 * PostgreSQL and Redis are required: PGlite allows one process per data directory, and rate limits and
 * 0trace nonces must be shared by every instance.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Env, SettingsReader } from '@0bit/core/settings';
import { openDatabase } from '@0bit/db/connection';
import { migrateToLatest } from '@0bit/db/migrate';
import replyFrom from '@fastify/reply-from';
import Fastify, { type FastifyInstance } from 'fastify';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { resolveLocalSecrets } from './dev/local-secrets.ts';
import { startUnits, stopOnSignals, type Unit } from './units.ts';

export interface ClusterOptions {
  /** The platform's own settings (PORT is the front's port here). */
  config: Config;
  apiInstances: number;
  /** The first API instance listens here, the next on +1, … */
  apiBasePort: number;
  workers: number;
  /** The 0trace API (EXCHANGE_ENABLED) on EXCHANGE_PORT, the widget (WIDGET_ENABLED) on WIDGET_PORT, the Hub (HUB_ENABLED) on HUB_PORT. */
  exchange: boolean;
  widget: boolean;
  hub: boolean;
  /** The first restart of a crashed child waits this long, doubling per crash in a row up to the maximum. */
  restartBackoffMs: number;
  restartMaxBackoffMs: number;
  /** How long children get after SIGTERM before they are SIGKILLed. */
  stopTimeoutMs: number;
  /** How long the API instances may take to answer /health at start-up. */
  startTimeoutMs: number;
  /**
   * METRICS_PORT (one Prometheus endpoint per process): each child gets its own, consecutive from this one in
   * start order (api-1, api-2, …, worker-1, …, 0trace); null when METRICS_PORT is unset.
   */
  metricsBasePort: number | null;
}

const FLAGS = {
  'api-instances': 'CLUSTER_API_INSTANCES',
  workers: 'CLUSTER_WORKERS',
  'api-base-port': 'CLUSTER_API_BASE_PORT',
  port: 'PORT',
} as const;

export const CLUSTER_USAGE = `Usage: npm run cluster -- [--api-instances N] [--workers M] [--api-base-port P] [--port P]

Flags override the environment: CLUSTER_API_INSTANCES (2), CLUSTER_WORKERS (2), CLUSTER_API_BASE_PORT (PORT+1),
PORT (the front, 4000). Also CLUSTER_RESTART_BACKOFF_MS (500), CLUSTER_RESTART_MAX_BACKOFF_MS (10000),
CLUSTER_STOP_TIMEOUT_SECONDS (30), CLUSTER_START_TIMEOUT_SECONDS (120); EXCHANGE_ENABLED / WIDGET_ENABLED
switch the 0trace API and the widget off. DATABASE_URL (PostgreSQL) and REDIS_URL are required.`;

/** Reads the cluster's settings (flags win over the environment) and the platform's; every problem at once. */
export function readClusterOptions(env: Env, argv: readonly string[] = []): ClusterOptions {
  const problems: string[] = [];
  const overlay: Record<string, string> = {};
  try {
    const { values } = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.keys(FLAGS).map((name) => [name, { type: 'string' as const }])),
      strict: true,
    });
    for (const [flag, name] of Object.entries(FLAGS)) {
      const value = values[flag];
      if (typeof value === 'string') overlay[name] = value;
    }
  } catch (error) {
    problems.push(`${(error as Error).message}\n${CLUSTER_USAGE}`);
  }
  const merged: Env = { ...env, ...overlay };
  const settings = new SettingsReader(merged);
  let config: Config | undefined;
  try {
    config = loadConfig(merged);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.push(...error.problems);
  }
  if (!merged.DATABASE_URL)
    problems.push(
      'npm run cluster needs PostgreSQL: set DATABASE_URL (PGlite allows one process per data directory; use npm start without it)',
    );
  if (!merged.REDIS_URL)
    problems.push(
      'npm run cluster needs Redis: set REDIS_URL (rate limits and 0trace nonces must be shared by every instance)',
    );
  const frontPort = config?.port ?? 4000;
  const options = {
    apiInstances: settings.int('CLUSTER_API_INSTANCES', 2, 1, 64),
    apiBasePort: settings.int('CLUSTER_API_BASE_PORT', Math.min(frontPort + 1, 65535), 1, 65535),
    workers: settings.int('CLUSTER_WORKERS', 2, 0, 64),
    restartBackoffMs: settings.int('CLUSTER_RESTART_BACKOFF_MS', 500, 10, 60_000),
    restartMaxBackoffMs: settings.int('CLUSTER_RESTART_MAX_BACKOFF_MS', 10_000, 10, 600_000),
    stopTimeoutMs: settings.int('CLUSTER_STOP_TIMEOUT_SECONDS', 30, 1, 600) * 1000,
    startTimeoutMs: settings.int('CLUSTER_START_TIMEOUT_SECONDS', 120, 5, 3600) * 1000,
  };
  const metricsBasePort = merged.METRICS_PORT ? settings.int('METRICS_PORT', 1, 1, 65535) : null;
  problems.push(...settings.problems);
  if (!config) throw new ConfigError(problems);
  const exchange = config.exchange.enabled;

  const widget = config.widget.enabled;
  const hub = config.hub.enabled;
  // Every part listens on a fixed port of its own: the front must know where the API instances are.
  const ports: Array<[string, number]> = [
    ['PORT (the front)', config.port],
    ...Array.from({ length: options.apiInstances }, (_, i): [string, number] => [
      `API instance ${i + 1} (CLUSTER_API_BASE_PORT+${i})`,
      options.apiBasePort + i,
    ]),
    ...(exchange ? [['EXCHANGE_PORT (0trace)', config.exchange.port] as [string, number]] : []),
    ...(widget ? [['WIDGET_PORT (widget)', config.widget.port] as [string, number]] : []),
    ...(hub ? [['HUB_PORT (Partner Hub)', config.hub.port] as [string, number]] : []),
  ];
  if (metricsBasePort !== null) {
    const children = options.apiInstances + options.workers + (exchange ? 1 : 0);
    for (let k = 0; k < children; k++)
      ports.push([`metrics of child ${k + 1} (METRICS_PORT+${k})`, metricsBasePort + k]);
  }
  for (const [what, port] of ports)
    if (port === 0 || port > 65535)
      problems.push(`${what} must be a fixed port from 1 to 65535 in a cluster (got ${port})`);
  for (const [i, [what, port]] of ports.entries())
    for (const [other, second] of ports.slice(i + 1))
      if (port === second) problems.push(`${what} and ${other} are both port ${port}; give each its own`);
  if (problems.length > 0) throw new ConfigError(problems);
  return { config, ...options, exchange, widget, hub, metricsBasePort };
}

/**
 * One kind of child process: which entry point beside this file it runs, how many, and the environment that
 * makes it that part. To add a part (the Partner Hub, once it exists), add a kind here with its entry point
 * and port; the supervisor, restarts, shutdown and output prefixes need no change.
 */
export interface ProcessKind {
  /** Child names are `${name}-${n}` when there can be several, else `name`. */
  name: string;
  entry: 'main' | 'worker-main' | 'exchange-main' | 'widget-main' | 'hub-main';
  count: number;
  /** Node flags the entry's npm script passes (package.json), besides the loader this process runs with. */
  nodeArgs?: string[];
  env(index: number): Record<string, string>;
  /** Whether it serves Prometheus metrics on METRICS_PORT (the widget has none). */
  metrics: boolean;
  /** Where the child answers GET /health once it is up (the cluster is ready when every such child does). */
  healthPort?(index: number): number;
}

export function processKinds(options: ClusterOptions): ProcessKind[] {
  const { config } = options;
  const frontUrl = `http://localhost:${config.port}`;
  // The demo partner (DEMO_PARTNER=on, development only) is ensured by one process, not raced by N.
  const demoOnlyFirst = (index: number): Record<string, string> =>
    index === 0 ? {} : { DEMO_PARTNER: 'off' };
  return [
    {
      name: 'api',
      entry: 'main',
      count: options.apiInstances,
      env: (i) => ({
        PORT: String(options.apiBasePort + i),
        // This process is the 0Gate API only: the parts below run as processes of their own.
        WEBHOOK_WORKER_ENABLED: 'false',
        EXCHANGE_ENABLED: 'false',
        WIDGET_ENABLED: 'false',
        // The Partner Hub runs as a process of its own (below).
        HUB_ENABLED: 'false',
        ...demoOnlyFirst(i),
      }),
      healthPort: (i) => options.apiBasePort + i,
      metrics: true,
    },
    { name: 'worker', entry: 'worker-main', count: options.workers, env: () => ({}), metrics: true },
    {
      name: '0trace',
      entry: 'exchange-main',
      count: options.exchange ? 1 : 0,
      nodeArgs: ['--max-semi-space-size=64'],
      env: () => ({ EXCHANGE_PORT: String(config.exchange.port) }),
      metrics: true,
    },
    {
      name: 'widget',
      entry: 'widget-main',
      count: options.widget ? 1 : 0,
      metrics: false,
      // The widget's browser calls go through the front, like a partner's.
      env: () => ({
        WIDGET_PORT: String(config.widget.port),
        WIDGET_API_BASE_URL: config.widget.apiBaseUrl ?? frontUrl,
      }),
    },
    {
      name: 'hub',
      entry: 'hub-main',
      count: options.hub ? 1 : 0,
      metrics: false,
      env: () => ({ HUB_PORT: String(config.hub.port) }),
    },
  ];
}

const say = (line: string) => writeLine(`cluster  | ${line}`);

/** Output must never block or break the supervisor: a closed stdout (its reader gone) is ignored. */
function writeLine(line: string): void {
  if (process.stdout.writable) process.stdout.write(`${line}\n`);
}
process.stdout.on('error', () => {});

/** The entry point beside this file, run the way this file runs (TypeScript through tsx, or compiled). */
function entryCommand(kind: ProcessKind): { command: string; args: string[] } {
  const here = fileURLToPath(import.meta.url);
  const extension = here.endsWith('.ts') ? '.ts' : '.js';
  return {
    command: process.execPath,
    // The loader (--import tsx) carries over; a debugger flag would make every child fight for its port.
    args: [
      ...process.execArgv.filter((arg) => !arg.startsWith('--inspect')),
      ...(kind.nodeArgs ?? []),
      join(dirname(here), `${kind.entry}${extension}`),
    ],
  };
}

/** A child process the supervisor keeps running: restarted with backoff when it exits unasked. */
export class Supervised {
  child: ChildProcess | null = null;
  restarts = 0;
  #crashesInARow = 0;
  #startedAt = 0;
  #stopping = false;
  #restartTimer: NodeJS.Timeout | undefined;
  #exited: Promise<void> = Promise.resolve();

  constructor(
    readonly name: string,
    private readonly command: { command: string; args: string[] },
    private readonly env: NodeJS.ProcessEnv,
    private readonly backoff: { initialMs: number; maxMs: number },
  ) {}

  start(): void {
    // Its own process group: a Ctrl-C in the terminal reaches the supervisor only, which forwards it once
    // (a second signal would make the child's shutdown skip its drain).
    const child = spawn(this.command.command, this.command.args, {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    this.#startedAt = Date.now();
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => writeLine(`${this.name.padEnd(8)} | ${line}`));
    this.#exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        if (this.child === child) this.child = null;
        resolve();
        if (this.#stopping) return;
        // A child that ran a while before it died starts again at once-ish; a crash loop backs off.
        if (Date.now() - this.#startedAt > 30_000) this.#crashesInARow = 0;
        const delay = Math.min(this.backoff.maxMs, this.backoff.initialMs * 2 ** this.#crashesInARow);
        this.#crashesInARow++;
        this.restarts++;
        say(
          `${this.name} (pid ${child.pid}) exited unexpectedly (code ${code}, signal ${signal}); restart ${this.restarts} in ${delay} ms`,
        );
        this.#restartTimer = setTimeout(() => {
          if (this.#stopping) return;
          this.start();
          say(`${this.name} restarted (pid ${this.child?.pid})`);
        }, delay);
      });
    });
    child.on('error', (error) => say(`${this.name} could not be spawned: ${error.message}`));
  }

  /** SIGTERM (or the signal given), then SIGKILL after `timeoutMs`; resolves once the child is gone. */
  async stop(signal: NodeJS.Signals, timeoutMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([this.#exited, late])) === 'late') {
      say(`${this.name} (pid ${child.pid}) did not stop within ${timeoutMs} ms; SIGKILL`);
      child.kill('SIGKILL');
      await this.#exited;
    }
    clearTimeout(timer);
  }

  /** Last resort when the supervisor itself exits: no child outlives it. */
  killNow(): void {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    this.child?.kill('SIGKILL');
  }
}

/** Every child of the cluster as one unit: started in kind order, stopped together. */
function childrenUnit(
  options: ClusterOptions,
  children: Supervised[],
  signal: { name: NodeJS.Signals },
): Unit {
  return {
    name: 'cluster children',
    async start() {
      const lines: string[] = [];
      let serial = 0;
      for (const kind of processKinds(options))
        for (let i = 0; i < kind.count; i++) {
          const metricsPort =
            options.metricsBasePort === null || !kind.metrics ? null : options.metricsBasePort + serial++;
          const name =
            kind.count > 1 || kind.name === 'api' || kind.name === 'worker'
              ? `${kind.name}-${i + 1}`
              : kind.name;
          const child = new Supervised(
            name,
            entryCommand(kind),
            {
              ...process.env,
              ...kind.env(i),
              // A child without metrics must not bind the operator's METRICS_PORT either.
              METRICS_PORT: metricsPort === null ? '' : String(metricsPort),
            },
            { initialMs: options.restartBackoffMs, maxMs: options.restartMaxBackoffMs },
          );
          children.push(child);
          child.start();
          const port = kind.healthPort?.(i);
          say(
            `${name} started (pid ${child.child?.pid})${port ? ` on port ${port}` : ''}${metricsPort === null ? '' : `, metrics on port ${metricsPort}`}`,
          );
          if (port) lines.push(`  ${name}: http://localhost:${port}`);
        }
      const deadline = Date.now() + options.startTimeoutMs;
      const host = upstreamHost(options.config.host);
      for (const kind of processKinds(options))
        for (let i = 0; i < kind.count; i++) {
          const port = kind.healthPort?.(i);
          if (port) await waitForHealth(`http://${host}:${port}/health`, deadline);
        }
      return lines;
    },
    async stop() {
      await Promise.all(children.map((c) => c.stop(signal.name, options.stopTimeoutMs)));
      say('every child has stopped');
    },
  };
}

const upstreamHost = (host: string) =>
  host === '0.0.0.0' || host === '::' || host === '' ? '127.0.0.1' : host;

async function waitForHealth(url: string, deadline: number): Promise<void> {
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {}
    if (Date.now() > deadline) throw new Error(`${url} did not answer 200 in time`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * The front: a round-robin reverse proxy on PORT over the API instances (undici's BalancedPool, which also
 * sends fewer requests to an instance that fails). Bodies stream through untouched; the client's Host stays
 * (HOST_MODES maps hosts to modes) and X-Forwarded-For/-Proto/-Host are set for TRUST_PROXY=true. An instance
 * that cannot be reached answers 502 in the platform's error envelope: the write did not run or its answer
 * was lost, so a retry with the same Idempotency-Key is safe and gets one effect.
 */
export function frontUnit(options: ClusterOptions): Unit & { readonly url: string } {
  const { config } = options;
  const host = upstreamHost(config.host);
  const upstreams = Array.from(
    { length: options.apiInstances },
    (_, i) => `http://${host}:${options.apiBasePort + i}`,
  );
  let app: FastifyInstance | undefined;
  return {
    name: 'front',
    url: `http://localhost:${config.port}`,
    async start() {
      app = Fastify({ logger: false, forceCloseConnections: 'idle' });
      app.removeAllContentTypeParsers();
      app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
      await app.register(replyFrom, {
        base: upstreams.length === 1 ? upstreams[0]! : upstreams,
        undici: { connections: 128, keepAliveTimeout: 4000 },
        disableRequestLogging: true,
      });
      app.all('/*', (request, reply) => {
        const client = request.socket.remoteAddress ?? '';
        const previous = request.headers['x-forwarded-for'];
        reply.from(request.url, {
          rewriteRequestHeaders: (_request, headers) => ({
            ...headers,
            host: request.headers.host ?? headers.host,
            'x-forwarded-for': previous ? `${previous}, ${client}` : client,
            'x-forwarded-proto': (request.headers['x-forwarded-proto'] as string | undefined) ?? 'http',
            'x-forwarded-host': request.headers['x-forwarded-host'] ?? request.headers.host ?? '',
          }),
          onError: (reply) => {
            reply
              .code(502)
              .header('retry-after', '1')
              .header('content-type', 'application/json; charset=utf-8')
              .send({
                statusCode: 502,
                error: 'Bad Gateway',
                message:
                  'The API instance did not answer; retry with the same Idempotency-Key (a write runs at most once)',
              });
          },
        });
      });
      await app.listen({ port: config.port, host: config.host });
      return [
        '',
        `0Gate API (front, round-robin over ${upstreams.length} instance${upstreams.length === 1 ? '' : 's'}) on http://localhost:${config.port}`,
      ];
    },
    async stop() {
      await app?.close();
    },
  };
}

/** Migrations run here, once, before any instance starts (each instance then finds the schema current). */
function migrationsUnit(options: ClusterOptions): Unit {
  return {
    name: 'migrations',
    async start() {
      const database = await openDatabase({ databaseUrl: options.config.databaseUrl, poolSize: 1 });
      try {
        const applied = await migrateToLatest(database.db);
        say(applied.length > 0 ? `migrated: ${applied.join(', ')}` : 'database schema is current');
      } finally {
        await database.close();
      }
    },
    async stop() {},
  };
}

async function main(): Promise<void> {
  let options: ClusterOptions;
  try {
    options = readClusterOptions(process.env, process.argv.slice(2));
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`npm run cluster refused to start:\n  - ${error.problems.join('\n  - ')}`);
      process.exit(2);
    }
    throw error;
  }
  // Outside production a missing ADMIN_TOKEN / SECRETS_KEY / EMBED_TOKEN_SECRET is generated into DATA_DIR:
  // once, here, so every child reads the same ones instead of N processes racing to write different keys.
  resolveLocalSecrets(options.config.dataDir, options.config);
  const children: Supervised[] = [];
  process.on('exit', () => {
    for (const child of children) child.killNow();
  });
  const signal = { name: 'SIGTERM' as NodeJS.Signals };
  const log = {
    info: (obj: object, msg: string) => say(`${msg} ${JSON.stringify(obj)}`),
    error: (obj: object, msg: string) =>
      say(`${msg} ${JSON.stringify(obj, (_k, v) => (v instanceof Error ? v.message : v))}`),
  };
  const front = frontUnit(options);
  const units = [migrationsUnit(options), childrenUnit(options, children, signal), front];
  const timeoutMs = options.stopTimeoutMs + 5000;
  let stop: ((signal: string) => Promise<void>) | null = null;
  let stoppingEarly = false;
  // The signal the supervisor got is the one its children get (SIGINT or SIGTERM), once. A signal during
  // start-up stops the children started so far and exits.
  for (const name of ['SIGTERM', 'SIGINT'] as const)
    process.on(name, () => {
      signal.name = name;
      if (stop) return void stop(name);
      if (stoppingEarly) process.exit(1);
      stoppingEarly = true;
      say(`${name} during start-up: stopping the children started so far`);
      void Promise.all(children.map((c) => c.stop(name, options.stopTimeoutMs))).then(() => process.exit(1));
    });
  let started: Unit[];
  let lines: string[];
  try {
    ({ started, lines } = await startUnits(units, log, timeoutMs));
  } catch (error) {
    say(`failed to start: ${(error as Error).message}`);
    await Promise.all(children.map((c) => c.stop('SIGTERM', options.stopTimeoutMs)));
    process.exit(1);
  }
  if (stoppingEarly) return;
  stop = stopOnSignals(started, log, { timeoutMs, signals: false });
  const kinds = processKinds(options);
  const count = (name: string) => kinds.find((k) => k.name === name)?.count ?? 0;
  writeLine(
    [
      ...lines,
      `  webhook workers: ${count('worker')} (they share the queue; one dispatches while it holds the leader lock)`,
      options.exchange
        ? `0trace partner API on http://localhost:${options.config.exchange.port}`
        : '0trace: off (EXCHANGE_ENABLED=false)',
      options.widget
        ? `0Gate widget on http://localhost:${options.config.widget.port}`
        : 'widget: off (WIDGET_ENABLED=false)',
      options.hub
        ? `Partner Hub on http://localhost:${options.config.hub.port}`
        : 'Partner Hub: off (HUB_ENABLED=false)',
      '',
    ].join('\n'),
  );
  say(`ready: front on port ${options.config.port}, ${children.length} children`);
}

main().catch((error) => {
  console.error('npm run cluster failed:', error);
  process.exit(1);
});
