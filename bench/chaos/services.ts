/**
 * The PostgreSQL and Redis the fault matrix owns: started in a scratch directory on ports of its own range,
 * stopped and restarted by it, and removed afterwards. Never the machine's shared 5432 / 6379.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';

export const PG_BIN = process.env.CHAOS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
/** Port ranges reserved for this harness on the shared machine (PostgreSQL, Redis). */
export const PG_PORTS = [55480, 55489] as const;
export const REDIS_PORTS = [56480, 56489] as const;

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

/** True when nothing listens on 127.0.0.1:port right now. */
export function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

export async function freePortIn([from, to]: readonly [number, number]): Promise<number> {
  for (let port = from; port <= to; port++) if (await portIsFree(port)) return port;
  throw new Error(`no free port in ${from}–${to} (another chaos run may be active)`);
}

/** A free ephemeral port, so a process restarted after SIGKILL comes back at the same address. */
export function freeEphemeralPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** mkdtemp under /tmp/chaos/ (traversable, so the postgres user can reach its own subdirectory). */
export function makeScratchDir(): string {
  mkdirSync('/tmp/chaos', { recursive: true });
  const dir = mkdtempSync('/tmp/chaos/run-');
  chmodSync(dir, 0o711);
  return dir;
}

export function removeScratchDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * PostgreSQL refuses to run as root: when the harness is root, initdb and pg_ctl run as the `postgres`
 * system user (runuser), in a data directory that user owns.
 */
export class ScratchPostgres {
  readonly port: number;
  readonly url: string;
  private readonly dataDir: string;
  private readonly logFile: string;
  private readonly asRoot = process.getuid?.() === 0;

  private constructor(base: string, port: number) {
    this.port = port;
    this.url = `postgres://postgres@127.0.0.1:${port}/chaos`;
    this.dataDir = join(base, 'data');
    this.logFile = join(base, 'server.log');
  }

  static async start(scratch: string): Promise<ScratchPostgres> {
    if (!existsSync(join(PG_BIN, 'initdb')))
      throw new Error(
        `PostgreSQL server binaries not found in ${PG_BIN} (set CHAOS_PG_BIN to their directory)`,
      );
    const base = join(scratch, 'pg');
    mkdirSync(base, { mode: 0o700 });
    const port = await freePortIn(PG_PORTS);
    const pg = new ScratchPostgres(base, port);
    if (pg.asRoot) {
      const { uid, gid } = await postgresUser();
      chownSync(base, uid, gid);
    }
    await pg.tool('initdb', ['-D', pg.dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
    await pg.ctl(['start', '-w', '-t', '30', '-l', pg.logFile, '-o', pg.serverOptions()]);
    await pg.tool('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', 'chaos']);
    return pg;
  }

  // Loopback TCP only (no Unix socket to place); fsync off: the harness never crashes the machine, only
  // the server process, and PostgreSQL's own crash recovery does not depend on fsync for that.
  private serverOptions(): string {
    return [
      `-p ${this.port}`,
      "-c listen_addresses='127.0.0.1'",
      "-c unix_socket_directories=''",
      '-c fsync=off',
      '-c shared_buffers=32MB',
      '-c max_connections=120',
    ].join(' ');
  }

  /** `pg_ctl restart -m fast`: every session is terminated (57P01), the server comes back on the same port. */
  async restart(): Promise<void> {
    await this.ctl([
      'restart',
      '-m',
      'fast',
      '-w',
      '-t',
      '30',
      '-l',
      this.logFile,
      '-o',
      this.serverOptions(),
    ]);
  }

  async stop(mode: 'fast' | 'immediate' = 'fast'): Promise<void> {
    await this.ctl(['stop', '-m', mode, '-w', '-t', '30']).catch(() => {});
  }

  private ctl(args: string[]): Promise<RunResult> {
    return this.tool('pg_ctl', ['-D', this.dataDir, ...args]);
  }

  private async tool(name: string, args: string[]): Promise<RunResult> {
    const binary = join(PG_BIN, name);
    const result = this.asRoot
      ? await run('runuser', ['-u', 'postgres', '--', binary, ...args])
      : await run(binary, args);
    if (result.code !== 0)
      throw new Error(`${name} ${args[0] ?? ''} failed (${result.code}):\n${result.output}`);
    return result;
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const uid = await run('id', ['-u', 'postgres']);
  const gid = await run('id', ['-g', 'postgres']);
  if (uid.code !== 0) throw new Error('running as root needs a `postgres` system user for initdb/pg_ctl');
  return { uid: Number(uid.output.trim()), gid: Number(gid.output.trim()) };
}

/** redis-server as a child process: no persistence, loopback only; stop() then start() is an outage. */
export class ScratchRedis {
  readonly url: string;
  private child: ChildProcess | null = null;

  private constructor(
    private readonly dir: string,
    readonly port: number,
  ) {
    this.url = `redis://127.0.0.1:${port}`;
  }

  static async start(scratch: string): Promise<ScratchRedis> {
    const dir = join(scratch, 'redis');
    mkdirSync(dir);
    const redis = new ScratchRedis(dir, await freePortIn(REDIS_PORTS));
    await redis.start();
    return redis;
  }

  async start(): Promise<void> {
    if (this.child) return;
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(this.port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        this.dir,
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.child = child;
    let output = '';
    child.stdout?.on('data', (d) => {
      output += d;
    });
    child.stderr?.on('data', (d) => {
      output += d;
    });
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + 10_000;
    while (!(await ping(this.port))) {
      if (this.child !== child) throw new Error(`redis-server exited:\n${output}`);
      if (Date.now() > deadline) throw new Error(`redis-server did not answer PING:\n${output}`);
      await sleep(50);
    }
  }

  /** SIGTERM (no save configured) and wait until it is gone: clients see connection refused. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    this.child = null;
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(500);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
