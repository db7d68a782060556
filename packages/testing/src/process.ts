import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** `npm start` opens four ports (API, 0trace, widget, example shop); a spawned copy takes free ones. */
export const EPHEMERAL_PORTS = {
  PORT: '0',
  EXCHANGE_PORT: '0',
  WIDGET_PORT: '0',
  EXAMPLE_PORT: '0',
  HUB_PORT: '0',
};

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion without blocking the event loop (an in-process test server keeps answering). */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string | undefined>; input?: string } = {},
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? REPO_ROOT,
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs one of the repo's TypeScript entry points the way npm scripts do, capturing its output. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string | undefined>,
): Promise<CommandResult> {
  return runCommand(process.execPath, ['--import', 'tsx', script, ...args], { env });
}

export interface RunningServer {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output: () => string;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `apps/server/src/main.ts` on a free port and waits until it says it listens. */
export function startServerProcess(
  env: Record<string, string | undefined>,
  timeoutMs = 30_000,
): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        ...EPHEMERAL_PORTS,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        ...env,
      },
    });
    let output = '';
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time:\n${output}`));
    }, timeoutMs);
    const onData = (d: Buffer) => {
      output += d;
      const match = /0Gate API listening on http:\/\/localhost:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({
          child,
          port,
          baseUrl: `http://127.0.0.1:${port}`,
          output: () => output,
          stop: async (signal = 'SIGTERM') => {
            child.kill(signal);
            return exited;
          },
        });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening:\n${output}`));
    });
  });
}

export interface SpawnedScript {
  child: ChildProcess;
  output: () => string;
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Spawns one of the repo's entry points and lets a test wait for what it prints. */
export function spawnScript(
  script: string,
  env: Record<string, string | undefined>,
  args: string[] = [],
): SpawnedScript {
  return spawnCommand(process.execPath, ['--import', 'tsx', script, ...args], env);
}

/**
 * What `npm run <name>` passes to node (package.json): the last command of the script (after any `&&`), to
 * start a process exactly as operators do.
 */
export function nodeArgsOfScript(name: string): string[] {
  const command: string | undefined = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'))
    .scripts[name];
  if (!command) throw new Error(`package.json has no "${name}" script`);
  // `exec node …`: the shell npm runs the script in hands the process over to node, so a SIGTERM sent to npm's
  // child reaches the server itself (docs/operating.md, graceful shutdown).
  const words = command
    .split('&&')
    .pop()!
    .trim()
    .replace(/^exec\s+/, '')
    .split(/\s+/);
  if (words[0] !== 'node') throw new Error(`npm run ${name} does not end in a node command: ${command}`);
  return words.slice(1);
}

/** Starts any long-running command (a docs example in Python or plain Node) and watches its output. */
export function spawnCommand(
  command: string,
  args: string[],
  env: Record<string, string | undefined>,
): SpawnedScript {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
  });
  let output = '';
  const listeners: Array<() => void> = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const onData = (d: Buffer) => {
    output += d;
    for (const l of listeners.splice(0)) l();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return {
    child,
    output: () => output,
    waitForOutput: (pattern, timeoutMs = 20_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`timed out waiting for ${pattern}:\n${output}`)),
          timeoutMs,
        );
        const check = () => {
          if (pattern.test(output)) {
            clearTimeout(timer);
            resolve();
          } else listeners.push(check);
        };
        check();
      }),
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
