/**
 * Every app and background service of the platform is a start/stop unit; a process (`npm start`,
 * `npm run worker`, `npm run exchange`) is a list of them. They start in list order and stop in reverse, so a
 * unit may use what an earlier one opened (the database) until it has stopped itself, and the HTTP servers
 * stop taking requests before the background services and the database behind them close.
 */
export interface Unit {
  name: string;
  /** Starts the unit; the lines it returns are printed, in unit order, once every unit has started. */
  // biome-ignore lint/suspicious/noConfusingVoidType: most units say nothing; `async start() {}` must fit.
  start(): Promise<void | string[]>;
  /** Stops it: an HTTP server finishes the requests in flight, a worker the attempts in flight. */
  stop(): Promise<void>;
}

export interface UnitLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** How long one unit may take to stop before shutdown moves on to the next. */
export const STOP_TIMEOUT_MS = 10_000;

/** A unit that only has something to say (a service that is switched off). */
export function note(name: string, lines: string[]): Unit {
  return { name, start: async () => lines, stop: async () => {} };
}

/**
 * Starts the units in order and collects their lines. If one fails, the ones already started are stopped
 * (in reverse) before the error is rethrown, so a failed start leaves no server listening.
 */
export async function startUnits(
  units: readonly Unit[],
  log: UnitLog,
  timeoutMs = STOP_TIMEOUT_MS,
): Promise<{ started: Unit[]; lines: string[] }> {
  const started: Unit[] = [];
  const lines: string[] = [];
  for (const unit of units) {
    try {
      const said = await unit.start();
      if (said) lines.push(...said);
    } catch (error) {
      await stopUnits(started, log, timeoutMs);
      throw error;
    }
    started.push(unit);
  }
  return { started, lines };
}

/**
 * Stops the started units in reverse order. A unit that throws, or takes longer than `timeoutMs`, is logged
 * by name and left behind: one stuck unit must not keep the others (and the process) from stopping.
 * Resolves with the names of the units that did not stop cleanly.
 */
export async function stopUnits(
  started: readonly Unit[],
  log: UnitLog,
  timeoutMs = STOP_TIMEOUT_MS,
): Promise<string[]> {
  const failed: string[] = [];
  for (const unit of [...started].reverse()) {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      unit.stop().then(
        () => 'stopped' as const,
        (err: unknown) => {
          log.error({ err, unit: unit.name }, 'unit failed to stop');
          return 'failed' as const;
        },
      ),
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (outcome === 'timeout')
      log.error({ unit: unit.name, timeoutMs }, 'unit did not stop in time; moving on');
    if (outcome !== 'stopped') failed.push(unit.name);
  }
  return failed;
}

/** How long shutdown waits for buffered log lines to reach stdout before the process exits. */
export const LOG_FLUSH_MS = 1000;

export interface StopOptions {
  /** Per-unit stop timeout (stopUnits). */
  timeoutMs?: number;
  /**
   * The whole shutdown's deadline: past it the process exits (code 1) whatever is still running, so a stuck
   * unit or a stdout nobody reads can never keep it alive after SIGTERM. Default: no deadline.
   */
  deadlineMs?: number;
  /** Runs after the units stopped, before exit, bounded by the deadline (flushes the log buffer). */
  beforeExit?: () => Promise<void>;
  exit?: (code: number) => void;
  signals?: boolean;
}

/**
 * On SIGTERM or SIGINT: stop the started units and exit (1 when one of them did not stop cleanly). A second
 * signal exits at once: the operator means "now".
 */
export function stopOnSignals(
  started: readonly Unit[],
  log: UnitLog,
  options: StopOptions = {},
): (signal: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return exit(1);
    stopping = true;
    if (options.deadlineMs !== undefined) {
      const deadline = setTimeout(() => {
        log.error({ signal, deadlineMs: options.deadlineMs }, 'shutdown took too long; exiting now');
        exit(1);
      }, options.deadlineMs);
      deadline.unref();
    }
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const failed = await stopUnits(started, log, options.timeoutMs);
    log.info({ signal, failed }, failed.length > 0 ? 'stopped, with units that did not stop' : 'stopped');
    await options.beforeExit?.().catch(() => {});
    exit(failed.length > 0 ? 1 : 0);
  };
  if (options.signals !== false) {
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  }
  return stop;
}

/** The stop options of a server process: its grace period, a deadline past it, the log flush. */
export function shutdownOptions(platform: {
  config: { shutdownGraceMs: number };
  logs: { flush(timeoutMs: number): Promise<void> };
}): StopOptions {
  const grace = platform.config.shutdownGraceMs;
  return {
    // Each unit has the grace period (an HTTP server, then the webhook worker) and a little more to close.
    timeoutMs: grace + 2000,
    // The units stop one after the other; past this the process exits anyway.
    deadlineMs: 2 * grace + 5000 + LOG_FLUSH_MS,
    beforeExit: () => platform.logs.flush(LOG_FLUSH_MS),
  };
}

/**
 * Closes a Fastify app within `graceMs`: it stops accepting connections at once, answers the requests in
 * flight (and those already arriving on open keep-alive connections, with `Connection: close`), and closes
 * idle connections; whatever is still open after the grace period is destroyed.
 */
export async function closeWithin(
  app: { close(): Promise<unknown>; server: { closeAllConnections(): void } },
  graceMs: number,
): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const closing = app.close();
  await Promise.race([
    closing,
    new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        app.server.closeAllConnections();
        resolve();
      }, graceMs);
    }),
  ]);
  clearTimeout(timer);
  await closing;
}
