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

/**
 * On SIGTERM or SIGINT: stop the started units and exit (1 when one of them did not stop cleanly). A second
 * signal exits at once: the operator means "now".
 */
export function stopOnSignals(
  started: readonly Unit[],
  log: UnitLog,
  options: { timeoutMs?: number; exit?: (code: number) => void; signals?: boolean } = {},
): (signal: string) => Promise<void> {
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return exit(1);
    stopping = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    const failed = await stopUnits(started, log, options.timeoutMs);
    exit(failed.length > 0 ? 1 : 0);
  };
  if (options.signals !== false) {
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  }
  return stop;
}
