import { spawn, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './http.ts';

/**
 * PostgreSQL and Redis servers that a fault test owns: started in a scratch directory on a free port, stopped,
 * restarted and removed by the test. Never the machine's shared services, which other tests rely on.
 */

/** The directory of initdb/pg_ctl: PG_BIN (CHAOS_PG_BIN, the fault matrix's older name), else the newest /usr/lib/postgresql/<n>/bin; null when absent. */
export function postgresBinaries(): string | null {
  const configured = process.env.PG_BIN ?? process.env.CHAOS_PG_BIN;
  if (configured) return existsSync(join(configured, 'pg_ctl')) ? configured : null;
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], 'bin') : null;
}

export const redisAvailable = (): boolean => spawnSync('redis-server', ['--version']).status === 0;

/** initdb refuses to run as root: as root, the cluster belongs to the `postgres` user. */
function clusterOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const uid = spawnSync('id', ['-u', 'postgres']).stdout?.toString().trim();
  const gid = spawnSync('id', ['-g', 'postgres']).stdout?.toString().trim();
  if (!uid || !gid) throw new Error('running as root needs a "postgres" user to own the scratch cluster');
  return { uid: Number(uid), gid: Number(gid) };
}

function run(
  command: string,
  args: string[],
  owner: { uid: number; gid: number } | undefined,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...owner, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
    });
    child.stderr.on('data', (d) => {
      output += d;
    });
    child.on('error', reject);
    // 'exit', not 'close': pg_ctl start leaves the server holding inherited pipes open.
    child.on('exit', (code) => resolve({ code, output }));
  });
}

export interface ScratchPostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres */
  url: string;
  port: number;
  /** `pg_ctl restart -m fast`: every connection is terminated (57P01), the server is back when it resolves. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  remove(): Promise<void>;
}

export interface ScratchPostgresOptions {
  /** `max_connections` (default 100); the fault matrix runs several pooled processes and asks for more. */
  maxConnections?: number;
}

export async function startScratchPostgres(options: ScratchPostgresOptions = {}): Promise<ScratchPostgres> {
  const bin = postgresBinaries();
  if (!bin) throw new Error('PostgreSQL binaries not found (set PG_BIN to the directory of pg_ctl)');
  const owner = clusterOwner();
  mkdirSync(join(tmpdir(), 'gate-scratch'), { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'gate-scratch', 'pg-'));
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const pgCtl = async (...args: string[]) => {
    const result = await run(join(bin, 'pg_ctl'), ['-D', data, '-w', '-t', '30', ...args], owner);
    if (result.code !== 0) throw new Error(`pg_ctl ${args[0]} failed:\n${result.output}`);
  };
  const init = await run(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'],
    owner,
  );
  if (init.code !== 0) throw new Error(`initdb failed:\n${init.output}`);
  // Durability is not under test; fsync off keeps a loaded CI machine fast.
  const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=${options.maxConnections ?? 100}`;
  const start = () => pgCtl('-o', serverOptions, '-l', join(dir, 'log'), 'start');
  await start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    restart: () => pgCtl('-m', 'fast', 'restart'),
    stop: () => pgCtl('-m', 'fast', 'stop'),
    start,
    remove: async () => {
      await run(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop'], owner);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface ScratchRedis {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): Promise<void>;
}

/** A Redis of the test's own, without persistence, that the test can stop and start again on the same port. */
export async function startScratchRedis(): Promise<ScratchRedis> {
  mkdirSync(join(tmpdir(), 'gate-scratch'), { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'gate-scratch', 'redis-'));
  const port = await freePort();
  const cli = (...args: string[]) => run('redis-cli', ['-p', String(port), ...args], undefined);
  const start = async () => {
    const result = await run(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--daemonize',
        'yes',
        '--dir',
        dir,
        '--pidfile',
        join(dir, 'redis.pid'),
      ],
      undefined,
    );
    if (result.code !== 0) throw new Error(`redis-server failed:\n${result.output}`);
    await until(async () => (await cli('ping')).output.includes('PONG'), 10_000, 'Redis answers PING');
  };
  const stop = async () => {
    await cli('shutdown', 'nosave');
    await until(async () => (await cli('ping')).code !== 0, 10_000, 'Redis stopped');
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    start,
    stop,
    remove: async () => {
      await cli('shutdown', 'nosave');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `condition` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function until(
  condition: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
