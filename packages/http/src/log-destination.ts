import sonicBoom from 'sonic-boom';

// sonic-boom is CommonJS (`module.exports = SonicBoom`); its types describe an ES default export.
const SonicBoom = sonicBoom as unknown as typeof import('sonic-boom').SonicBoom;

/**
 * Where every log line (and the start-up print-out) of a server process goes: stdout, written so that
 * logging can never block or break the process. pino's default destination flushes synchronously when the
 * process exits; with a stdout pipe whose reader died or stopped reading, that flush (or a synchronous
 * console.log) waits forever and the process ignores SIGTERM. Here:
 * - writes are asynchronous and buffered up to MAX_BUFFER_BYTES; beyond that lines are dropped (and counted),
 *   never queued without bound;
 * - a broken pipe (EPIPE) or any other write error turns logging off for the rest of the process;
 * - nothing flushes synchronously at exit: shutdown calls `flush(timeoutMs)`, which gives up after its time.
 */
export interface LogDestination {
  /** The stream for pino (`pino(options, destination.stream)` or Fastify's `logger.stream`). */
  readonly stream: { write(line: string): void };
  /** Writes plain text (the start-up lines); same rules as log lines. */
  print(text: string): void;
  /** Lines dropped because stdout did not keep up or is gone. */
  readonly dropped: number;
  /** Whether a write error (EPIPE: the reader is gone) turned logging off. */
  readonly broken: boolean;
  /** Resolves when what is buffered is written, or after `timeoutMs`, whichever is first. */
  flush(timeoutMs: number): Promise<void>;
}

const MAX_BUFFER_BYTES = 4 * 1024 * 1024;

export function stdoutDestination(fd = 1): LogDestination {
  let dropped = 0;
  let broken = false;
  const boom = new SonicBoom({ fd, sync: false, maxLength: MAX_BUFFER_BYTES, minLength: 0 });
  boom.on('drop', () => {
    dropped += 1;
  });
  boom.on('error', () => {
    broken = true;
  });
  const write = (text: string) => {
    if (broken) {
      dropped += 1;
      return;
    }
    try {
      boom.write(text);
    } catch {
      broken = true;
      dropped += 1;
    }
  };
  return {
    stream: { write },
    print: write,
    get dropped() {
      return dropped;
    },
    get broken() {
      return broken;
    },
    flush(timeoutMs) {
      // sonic-boom has no public "writing" flag; `_writing` is true while an asynchronous write is pending
      // (it emits 'drain' when the buffer is empty again).
      if (broken || !(boom as unknown as { _writing: boolean })._writing) return Promise.resolve();
      return new Promise((resolve) => {
        const done = () => {
          clearTimeout(timer);
          boom.off('drain', done);
          boom.off('error', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        boom.once('drain', done);
        boom.once('error', done);
      });
    },
  };
}

let shared: LogDestination | undefined;

/** The one stdout destination of this process (every logger of a process shares its buffer). */
export function processLogDestination(): LogDestination {
  shared ??= stdoutDestination();
  return shared;
}
