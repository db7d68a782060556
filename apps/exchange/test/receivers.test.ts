import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@0bit/testing/http';
import { REPO_ROOT, runCommand, spawnCommand } from '@0bit/testing/process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Credentials, eventually, FLOAT_ORDER, hmacHex, useExchangeServer } from './support/server.ts';

/**
 * The three webhook receiver scaffolds of examples/0trace-webhook-receiver (quickstart, step 4), each run as
 * the program a partner would copy: real deliveries from the running 0trace API, then by-hand requests
 * signed here with node:crypto for what the platform never sends (tampered, stale, replayed).
 */
const server = useExchangeServer({ webhooks: true, config: { sandboxSettleMs: 200 } });
const SCAFFOLDS = join(REPO_ROOT, 'examples/0trace-webhook-receiver');
const CREATE = FLOAT_ORDER;

// The Go scaffold is compiled once into a scratch directory; `go` comes from Debian (.ci/run installs it).
let goBinary: string | { skip: string };
let scratch: string | undefined;
beforeAll(async () => {
  const version = await runCommand('go', ['version']).catch(() => null);
  if (version?.code !== 0) {
    goBinary = { skip: 'go is not installed (apt-get install golang-go, as .ci/run does)' };
    return;
  }
  scratch = mkdtempSync(join(tmpdir(), 'receivers-go-'));
  const binary = join(scratch, 'receiver');
  const build = await runCommand('go', ['build', '-o', binary, '.'], {
    cwd: join(SCAFFOLDS, 'go'),
    env: {
      // Standard library only: nothing to download, and nothing may be.
      GOPROXY: 'off',
      GOTOOLCHAIN: 'local',
      GOCACHE: process.env.GOCACHE ?? join(tmpdir(), 'receivers-go-cache'),
    },
  });
  if (build.code !== 0) throw new Error(`go build failed:\n${build.stdout}${build.stderr}`);
  goBinary = binary;
}, 300_000);
afterAll(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

const COMMANDS: Record<string, () => [string, string[]] | { skip: string }> = {
  node: () => [process.execPath, [join(SCAFFOLDS, 'node/receiver.mjs')]],
  python: () => ['python3', [join(SCAFFOLDS, 'python/receiver.py')]],
  go: () => (typeof goBinary === 'string' ? [goBinary, []] : goBinary),
};

const count = (text: string, line: RegExp) => text.match(new RegExp(line, 'gm'))?.length ?? 0;

async function deliveriesOf(creds: Credentials, orderId: string) {
  const answer = await server.signed('/api/v1/cabinet/webhooks', { orderId, limit: 100 }, creds);
  return answer.body.data.deliveries as Array<{
    id: string;
    eventId: string;
    eventType: string;
    status: string;
    attempts: number;
  }>;
}

describe('examples/0trace-webhook-receiver', () => {
  for (const name of Object.keys(COMMANDS)) {
    it(`${name}: verifies real deliveries (also through a secret rotation), dedupes replays, refuses tampered and stale ones`, async (context) => {
      const command = COMMANDS[name]!();
      if (!Array.isArray(command)) return context.skip(command.skip);
      const creds = await server.onboard();
      const port = await freePort();
      const receiver = spawnCommand(command[0], command[1], {
        WEBHOOK_SECRET: creds.webhookSecret,
        PORT: String(port),
      });
      try {
        await receiver.waitForOutput(new RegExp(`^listening on ${port}$`, 'm'));
        const url = `http://127.0.0.1:${port}/0trace/webhooks`;
        const set = await server.admin('PUT', `/admin/exchange/partners/${creds.partnerId}/webhook`, {
          environment: 'sandbox',
          url,
        });
        expect(set.status).toBe(200);

        // A real order walks to DONE; every status change is delivered, verified and acknowledged.
        const order = (await server.signed('/api/v1/create', CREATE, creds)).body.data;
        await server.signed('/api/v1/sandbox/deposit', { id: order.id }, creds);
        await receiver.waitForOutput(
          new RegExp(`^verified \\S+ order.status_changed ${order.id} DONE$`, 'm'),
        );
        const deliveries = await eventually(async () => {
          const list = await deliveriesOf(creds, order.id);
          return list.length >= 2 && list.every((d) => d.status === 'succeeded') ? list : undefined;
        });
        for (const delivery of deliveries) {
          // The delivery is marked succeeded once the receiver answered; its log line can reach us a moment later.
          await receiver.waitForOutput(
            new RegExp(`^verified ${delivery.eventId} ${delivery.eventType} ${order.id} \\w+$`, 'm'),
          );
          expect(
            count(
              receiver.output(),
              new RegExp(`^verified ${delivery.eventId} ${delivery.eventType} ${order.id} \\w+$`),
            ),
            delivery.eventId,
          ).toBe(1);
        }
        expect(receiver.output()).toMatch(
          new RegExp(`^verified \\S+ order.status_changed ${order.id} NEW$`, 'm'),
        );

        // The cabinet replays a delivery: same event id, fresh timestamp, valid signature → acknowledged, not redone.
        const replayed = deliveries[0]!;
        await server.signed('/api/v1/cabinet/webhooks/replay', { id: replayed.id }, creds);
        await receiver.waitForOutput(new RegExp(`^duplicate ${replayed.eventId}$`, 'm'));
        await eventually(async () => {
          const again = (await deliveriesOf(creds, order.id)).find((d) => d.id === replayed.id);
          return again && again.attempts > replayed.attempts && again.status === 'succeeded'
            ? again
            : undefined;
        });
        expect(count(receiver.output(), new RegExp(`^verified ${replayed.eventId} `))).toBe(1);

        // The webhook secret is rotated; the receiver still holds the old one and keeps verifying through
        // X-Partner-Webhook-Sign-Previous until the overlap ends.
        const rotated = await server.signed('/api/v1/cabinet/webhook-secret/rotate', {}, creds);
        expect(rotated.body.code).toBe(0);
        const second = (await server.signed('/api/v1/create', CREATE, creds)).body.data;
        await receiver.waitForOutput(
          new RegExp(`^verified \\S+ order.status_changed ${second.id} NEW$`, 'm'),
        );

        // By hand, signed here with node:crypto.
        const now = () => Math.floor(Date.now() / 1000);
        const eventId = `evt_${randomBytes(8).toString('hex')}`;
        const body = JSON.stringify({
          id: eventId,
          type: 'order.status_changed',
          createdAt: now(),
          data: { id: 'by_hand', status: 'DONE' },
        });
        const sign = hmacHex(creds.webhookSecret, body);
        const post = (raw: string, headers: Record<string, string>) =>
          fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...headers },
            body: raw,
          }).then((r) => r.status);
        const signed = (timestamp: number, signature = sign) => ({
          'x-partner-webhook-sign': signature,
          'x-partner-webhook-timestamp': String(timestamp),
          'x-partner-webhook-id': eventId,
          'x-partner-webhook-event': 'order.status_changed',
        });
        const tampered = body.replace('"DONE"', '"REFUNDED"');
        expect(await post(tampered, signed(now())), 'tampered body').toBe(401);
        const otherSecret = randomBytes(24).toString('hex');
        expect(await post(body, signed(now(), hmacHex(otherSecret, body))), 'another secret').toBe(401);
        expect(await post(body, { 'x-partner-webhook-timestamp': String(now()) }), 'unsigned').toBe(401);
        // Margins: a second may pass between here and the receiver.
        expect(await post(body, signed(now() - 310)), '5 min old').toBe(400);
        expect(await post(body, signed(now() + 70)), '1 min ahead').toBe(400);
        expect(await post(body, { 'x-partner-webhook-sign': sign }), 'no timestamp').toBe(400);
        expect(count(receiver.output(), new RegExp(`^verified ${eventId} `))).toBe(0);
        // Refused attempts did not burn the id: the genuine event is accepted, matched via the previous
        // signature (as during a rotation, with the receiver on the old secret) …
        const previous = { 'x-partner-webhook-sign-previous': `${hmacHex(otherSecret, body)},${sign}` };
        expect(
          await post(body, { ...signed(now(), hmacHex(otherSecret, body)), ...previous }),
          'via previous',
        ).toBe(200);
        await receiver.waitForOutput(
          new RegExp(`^verified ${eventId} order.status_changed by_hand DONE$`, 'm'),
        );
        // … and a deliberate replay (captured body and signature, fresh timestamp) is acknowledged, not redone.
        expect(await post(body, signed(now())), 'replay').toBe(200);
        await receiver.waitForOutput(new RegExp(`^duplicate ${eventId}$`, 'm'));
        expect(count(receiver.output(), new RegExp(`^verified ${eventId} `))).toBe(1);
        expect(receiver.output()).not.toContain('REFUNDED');
        expect(receiver.output()).toMatch(/^refused 401 bad signature$/m);
        expect(receiver.output()).toMatch(/^refused 400 stale timestamp$/m);
      } finally {
        await receiver.stop();
      }
    }, 120_000);
  }

  it('the webhooks doc shows the Node scaffold verbatim where it quotes it, and links all three', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/exchange/webhooks.md'), 'utf8');
    const source = readFileSync(join(SCAFFOLDS, 'node/receiver.mjs'), 'utf8');
    const quoted = /<!-- receiver-excerpt:node -->\s*```js\n([\s\S]*?)```/.exec(doc);
    expect(quoted, 'a <!-- receiver-excerpt:node --> block in docs/exchange/webhooks.md').not.toBeNull();
    expect(source).toContain(quoted![1]);
    for (const scaffold of ['node/receiver.mjs', 'python/receiver.py', 'go/main.go'])
      expect(doc).toContain(`examples/0trace-webhook-receiver/${scaffold}`);
  });
});
