/**
 * The platform's own processes, started with the command lines of package.json (`start` minus its build,
 * `worker`), watched for exits nobody asked for. An unexpected exit is recorded with the end of the
 * process's output (the stack trace) and, like a process manager would, the process is started again so
 * the scenario can still measure whether events were lost.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { nodeArgsOfScript } from '@0bit/testing/process';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface RunResult {
  code: number | null;
  output: string;
}

/** Runs a command to completion, never blocking the event loop; output is stdout and stderr together. */
export function run(
  command: string,
  args: string[],
  timeoutMs = 60_000,
  options: { cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

export interface Crash {
  process: string;
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The last lines the process printed, where the reason usually is. */
  tail: string[];
}

export type Role = 'api' | 'worker';

const READY: Record<Role, RegExp> = {
  api: /0Gate API listening on http:\/\/localhost:(\d+)/,
  worker: /webhook worker started/,
};

/** One platform process under supervision; `kill`/`stop` are expected exits, anything else is a crash. */
export class PlatformProcess {
  private child: ChildProcess | null = null;
  private output = '';
  private expectingExit = false;
  private restarting: Promise<void> | null = null;
  private crashRestarts = 0;
  /** Set while the harness tears everything down: exits are expected, nothing restarts. */
  static shuttingDown = false;

  constructor(
    readonly name: string,
    readonly role: Role,
    private readonly env: Record<string, string>,
    private readonly onCrash: (crash: Crash) => void,
    private readonly log: (line: string) => void,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get alive(): boolean {
    return this.child !== null;
  }

  /** Everything printed since the last (re)start. */
  printed(): string {
    return this.output;
  }

  async start(timeoutMs = 60_000): Promise<void> {
    const args = nodeArgsOfScript(this.role === 'api' ? 'start' : 'worker');
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { ...process.env, ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.output = '';
    this.expectingExit = false;
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.expectingExit = true;
        child.kill('SIGKILL');
        reject(new Error(`${this.name} did not become ready in ${timeoutMs} ms:\n${this.tail().join('\n')}`));
      }, timeoutMs);
      const onData = (d: Buffer) => {
        this.output += d;
        // Keep memory bounded: the end of the output is what explains a crash.
        if (this.output.length > 256_000) this.output = this.output.slice(-128_000);
        if (READY[this.role].test(this.output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited (${code}) before it was ready:\n${this.tail().join('\n')}`));
      });
    });
    let isReady = false;
    child.once('exit', (code, signal) => {
      if (this.child === child) this.child = null;
      // Exiting before ready is a failed start (start() rejects with the output), not a crash.
      if (!isReady || this.expectingExit || PlatformProcess.shuttingDown) return;
      const crash = { process: this.name, at: Date.now(), code, signal, tail: this.tail(80) };
      this.onCrash(crash);
      this.restarting = this.restartAfterCrash();
    });
    await ready;
    isReady = true;
  }

  private async restartAfterCrash(): Promise<void> {
    await sleep(500);
    if (PlatformProcess.shuttingDown || this.child) return;
    if (++this.crashRestarts > 3) {
      this.log(`   ${this.name}: crashed ${this.crashRestarts} times; not restarting it again`);
      return;
    }
    this.log(`   ${this.name}: restarted by the harness after its crash`);
    await this.start().catch((err) => this.log(`   ${this.name}: could not restart: ${String(err)}`));
  }

  /** Waits for a supervisor restart in progress, if any. */
  async settled(): Promise<void> {
    await this.restarting;
  }

  /** The fault: a signal the harness sends on purpose; the exit it causes is not a crash. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.expectingExit = true;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await Promise.race([exited, sleep(15_000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** Graceful stop (SIGTERM, as a deployment does), SIGKILL after 10 s. */
  stop(): Promise<void> {
    return this.kill('SIGTERM');
  }

  /** The lines that say why a process died: the error, its message and code, not the whole stack. */
  static reason(tail: string[]): string[] {
    // Plain lines (Node's own report of the fatal error), not the JSON logs of requests that failed.
    const telling = tail
      .filter((l) => !l.trimStart().startsWith('{'))
      .filter((l) =>
        /Unhandled|Error\b|error:|Emitted 'error'|^\s*(code|severity): '|terminating|ECONNREFUSED|ECONNRESET/.test(
          l,
        ),
      );
    return (telling.length > 0 ? telling : tail).slice(0, 8);
  }

  tail(lines = 12): string[] {
    return this.output
      .split('\n')
      .filter((l) => l.trim() !== '')
      .slice(-lines)
      .map((l) => (l.length > 400 ? `${l.slice(0, 400)}…` : l));
  }
}
