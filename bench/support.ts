/** What the benchmarks share: starting a server process, one autocannon load, the report table. */
import { type ChildProcess, spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { EPHEMERAL_PORTS } from '@0bit/testing/process';
import autocannon from 'autocannon';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);

export interface Result {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

/** Starts a repo script and resolves with the port printed by the line `pattern` matches. */
export function start(
  script: string,
  env: Record<string, string>,
  pattern = /listening on http:\/\/localhost:(\d+)/,
  nodeFlags: string[] = [],
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...EPHEMERAL_PORTS,
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMITS: 'off',
        ...env,
      },
    });
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      const m = pattern.exec(out);
      if (m) resolve({ child, port: Number(m[1]), output: () => out });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`${script} exited ${code}: ${out}`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

export async function load(name: string, options: autocannon.Options): Promise<Result> {
  const r = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...options });
  return {
    name,
    rps: Math.round(r.requests.average),
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
  };
}

/** The markdown report: every result as a ratio of `baseline`, measured in the same run on the same machine. */
export function report(results: Result[], baseline: Result, notes: string): string {
  return [
    `Run ${new Date().toISOString()} · ${cpus().length} cores (${cpus()[0]?.model ?? '?'}) · Node ${process.version}`,
    `${CONNECTIONS} connections, ${SECONDS} s each, ${notes}`,
    '',
    '| target | req/s | vs bare | p50 ms | p99 ms | errors | non-2xx |',
    '|---|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.rps} | ${Math.round((r.rps / baseline.rps) * 100)} % | ${r.p50} | ${r.p99} | ${r.errors} | ${r.non2xx} |`,
    ),
  ].join('\n');
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
