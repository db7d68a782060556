import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SPEC_CREATE_BODY } from '@0bit/api/test-support/server';
import { openDatabase } from '@0bit/db/connection';
import { createTestDatabase, usingPostgres } from '@0bit/testing/database';
import { freePort, send } from '@0bit/testing/http';
import { EPHEMERAL_PORTS, REPO_ROOT, type RunningServer, startServerProcess } from '@0bit/testing/process';
import { type Receiver, startReceiver } from '@0bit/testing/receiver';
import { until } from '@0bit/testing/scratch-services';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BODY = JSON.stringify(SPEC_CREATE_BODY);

/** One create on a connection of its own (or the given keep-alive agent): its status, or its socket error. */
function createOnce(
  port: number,
  sk: string,
  agent: http.Agent | false,
): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const request = http.request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/gate_sessions',
        agent,
        headers: {
          authorization: `Bearer ${sk}`,
          'idempotency-key': randomUUID(),
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(BODY)),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0 }));
        response.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
      },
    );
    request.on('error', (err: NodeJS.ErrnoException) => resolve({ error: err.code ?? err.message }));
    request.end(BODY);
  });
}

/**
 * A create whose body is still arriving when SIGTERM comes: the headers and the first bytes now, the rest
 * when `finish()` is called. Resolves with the status line the server answered.
 */
function slowCreate(port: number, sk: string): { finish: () => void; answer: Promise<string> } {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(
    [
      'POST /v1/gate_sessions HTTP/1.1',
      `Host: 127.0.0.1:${port}`,
      `Authorization: Bearer ${sk}`,
      `Idempotency-Key: ${randomUUID()}`,
      'Content-Type: application/json',
      `Content-Length: ${Buffer.byteLength(BODY)}`,
      '',
      BODY.slice(0, 10),
    ].join('\r\n'),
  );
  let text = '';
  socket.on('data', (d) => {
    text += d;
  });
  const answer = new Promise<string>((resolve) => {
    socket.on('close', () => resolve(text.split('\r\n')[0] ?? ''));
    socket.on('error', () => {});
  });
  return { finish: () => socket.write(BODY.slice(10)), answer };
}

const exitWithin = (child: ChildProcess, ms: number): Promise<number | null | 'still running'> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => resolve('still running'), ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });

describe('graceful shutdown: SIGTERM to npm start under load', () => {
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const secretsKey = randomBytes(32).toString('hex');
  const dataDir = mkdtempSync(join(tmpdir(), 'gate-shutdown-'));
  let postgres: { url: string; drop: () => Promise<void> } | null = null;
  let receiver: Receiver;
  let server: RunningServer | undefined;
  const env = () => ({
    DATABASE_URL: postgres?.url ?? '',
    DATA_DIR: dataDir,
    ADMIN_TOKEN: adminToken,
    SECRETS_KEY: secretsKey,
    DEMO_PARTNER: 'off',
    WIDGET_ENABLED: 'false',
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '1500',
    REDIS_URL: '',
  });
  /** The outbox as the test reads it once the server has exited (PGlite: one process at a time). */
  const readOutbox = async (partnerId: string) => {
    const database = await openDatabase({ databaseUrl: postgres?.url, dataDir });
    try {
      const sessions = await database.db
        .selectFrom('gate_sessions')
        .select('id')
        .where('partner_id', '=', partnerId)
        .execute();
      const events = await database.db
        .selectFrom('events')
        .select('id')
        .where('partner_id', '=', partnerId)
        .execute();
      const deliveries = await database.db
        .selectFrom('webhook_deliveries')
        .select([
          'event_id',
          'status',
          'attempt_count',
          sql<boolean>`locked_until IS NOT NULL AND locked_until > now()`.as('claimed'),
        ])
        .where('partner_id', '=', partnerId)
        .execute();
      const aborted = await database.db
        .selectFrom('webhook_attempts')
        .select('id')
        .where('error', 'like', 'aborted%')
        .execute();
      return { sessions: sessions.length, events, deliveries, aborted: aborted.length };
    } finally {
      await database.close();
    }
  };

  beforeAll(async () => {
    postgres = usingPostgres() ? await createTestDatabase() : null;
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await server?.stop('SIGKILL');
    await receiver?.close();
    await postgres?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers every accepted request, finishes or releases every webhook attempt, exits 0; nothing is lost', async () => {
    server = await startServerProcess(env(), 90_000);
    const partner = await send(server.baseUrl, 'POST', '/admin/partners', {
      headers: { authorization: `Bearer ${adminToken}` },
      body: { name: 'Shutdown', allowed_domains: ['https://partner.example'] },
    });
    expect(partner.status).toBe(201);
    const partnerId = partner.body.partner.id as string;
    const sk = partner.body.keys.test.secret_key as string;
    const endpoint = await send(server.baseUrl, 'PUT', '/portal/webhook-endpoint', {
      headers: { authorization: `Bearer ${sk}`, 'idempotency-key': randomUUID() },
      body: { url: receiver.url },
    });
    expect(endpoint.status).toBe(200);
    // Half the receiver's answers come within the grace period, half long after it.
    receiver.respond((_request, index) => ({ status: 200, delayMs: index % 2 === 0 ? 200 : 6000 }));

    // A create whose body is still arriving when SIGTERM comes (sent before the load, so the server has
    // surely read its headers).
    const slow = slowCreate(server.port, sk);
    await new Promise((r) => setTimeout(r, 500));

    // Load: 6 clients on connections of their own and 2 on keep-alive connections, until refused.
    const port = server.port;
    const results: Array<{ status: number } | { error: string }> = [];
    let refused = false;
    const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const client = async (agent: http.Agent | false) => {
      while (!refused) {
        const result = await createOnce(port, sk, agent);
        results.push(result);
        if ('error' in result && result.error === 'ECONNREFUSED') refused = true;
      }
    };
    const clients = [...Array(6)].map(() => client(false));
    clients.push(client(keepAlive), client(new http.Agent({ keepAlive: true, maxSockets: 1 })));
    await until(() => receiver.received.length >= 6, 30_000, 'webhook attempts in flight');

    const exited = exitWithin(server.child, 20_000);
    server.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    slow.finish(); // the request in flight at SIGTERM gets the rest of its body only now
    expect(await slow.answer).toBe('HTTP/1.1 201 Created');
    const code = await exited;
    refused = true;
    await Promise.all(clients);
    keepAlive.destroy();
    expect(code).toBe(0);
    expect(server.output()).not.toMatch(/did not stop in time|shutdown took too long/);

    // Every answer is a 201; a request that got no answer was refused before the server read it.
    const answered = results.filter((r): r is { status: number } => 'status' in r);
    expect(answered.length).toBeGreaterThanOrEqual(6); // at least the creates whose webhooks were in flight
    expect(answered.filter((r) => r.status !== 201)).toEqual([]);
    const outbox = await readOutbox(partnerId);
    // Every session the server created was answered (+1: the slow create): no accepted request was lost.
    expect(outbox.sessions).toBe(answered.length + 1);

    // Webhooks: every event has its delivery; none is left claimed; the attempts that could not finish within
    // the grace period were released (no attempt recorded, claimable at once), not failed.
    expect(outbox.deliveries.map((d) => d.event_id).sort()).toEqual(outbox.events.map((e) => e.id).sort());
    expect(outbox.deliveries.filter((d) => d.claimed)).toEqual([]);
    expect(outbox.aborted).toBe(0);
    expect(outbox.deliveries.some((d) => d.status === 'succeeded')).toBe(true);
    const released = outbox.deliveries.filter((d) => d.status === 'pending' && d.attempt_count === 0);
    expect(released.length).toBeGreaterThan(0);
    expect(outbox.deliveries.filter((d) => d.status === 'failed')).toEqual([]);

    // Started again, the platform delivers everything that was not delivered yet: nothing was lost.
    receiver.respond(() => ({ status: 200 }));
    const before = receiver.received.length;
    const undelivered = outbox.deliveries.filter((d) => d.status !== 'succeeded').map((d) => d.event_id);
    server = await startServerProcess(env(), 90_000);
    await until(
      () => {
        const got = new Set(receiver.received.slice(before).map((r) => String(r.headers['x-0bit-event-id'])));
        return undelivered.every((id) => got.has(id));
      },
      30_000,
      'every undelivered event delivered after the restart',
    );
    expect(await server.stop('SIGTERM')).toBe(0);
    server = undefined;
    const after = await readOutbox(partnerId);
    expect(after.deliveries.filter((d) => d.status !== 'succeeded')).toEqual([]);
    expect(after.deliveries).toHaveLength(outbox.events.length);
  }, 180_000);
});

/**
 * The bug of issue 19: a server whose stdout reader died ignored SIGTERM (a synchronous flush of its log
 * buffer into a pipe nobody reads waited forever). Logging must never block or break shutdown.
 */
describe('SIGTERM when the log reader is gone', () => {
  const dataDirs: string[] = [];
  const databases: Array<{ drop: () => Promise<void> }> = [];
  const children: ChildProcess[] = [];

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const database of databases) await database.drop();
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  /** `npm start`'s process with stdout given to `stdout`; waits until it answers /health/live. */
  const start = async (stdout: 'pipe' | NodeJS.WritableStream) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gate-stdout-'));
    dataDirs.push(dataDir);
    const postgres = usingPostgres() ? await createTestDatabase() : null;
    if (postgres) databases.push(postgres);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/main.ts'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', stdout as 'pipe', 'ignore'],
      env: {
        ...process.env,
        ...EPHEMERAL_PORTS,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: postgres?.url ?? '',
        DATA_DIR: dataDir,
        REDIS_URL: '',
        DEMO_PARTNER: 'off',
        WIDGET_ENABLED: 'false',
        LOG_LEVEL: 'info', // a line per request: the pipe fills
      },
    });
    children.push(child);
    await until(
      async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => null))?.status === 200,
      90_000,
      'the server to answer /health/live',
    );
    return { child, port };
  };
  const load = async (port: number, requests: number) => {
    const url = `http://127.0.0.1:${port}/health/live?${'x'.repeat(500)}`;
    await Promise.all(
      [...Array(8)].map(async () => {
        for (let i = 0; i < requests / 8; i++) await fetch(url).catch(() => null);
      }),
    );
  };

  it('stdout piped into a reader that is then killed (the pipe fills): exits within a few seconds', async () => {
    const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(reader);
    reader.stdin.on('error', () => {});
    const { child, port } = await start('pipe');
    child.stdout!.pipe(reader.stdin); // once the reader dies, nobody reads the server's stdout any more
    reader.kill('SIGKILL');
    await exitWithin(reader, 5000);
    await load(port, 800); // far more than a pipe buffer (64 KiB) of log lines
    const started = Date.now();
    child.kill('SIGTERM');
    expect(await exitWithin(child, 8000)).toBe(0);
    expect(Date.now() - started).toBeLessThan(8000);
  }, 150_000);

  it('stdout is a pipe whose only reader died (EPIPE): keeps serving, then exits on SIGTERM', async () => {
    const reader = spawn('cat', [], { stdio: ['pipe', 'ignore', 'ignore'] });
    children.push(reader);
    const { child, port } = await start(reader.stdin);
    reader.stdin.destroy(); // the reader holds the only read end
    reader.kill('SIGKILL');
    await exitWithin(reader, 5000);
    await load(port, 80);
    expect((await fetch(`http://127.0.0.1:${port}/health/live`)).status).toBe(200);
    child.kill('SIGTERM');
    expect(await exitWithin(child, 8000)).toBe(0);
  }, 150_000);
});
