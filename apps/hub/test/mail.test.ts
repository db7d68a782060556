import type { AddressInfo } from 'node:net';
import { type HubHarness, startHubHarness } from '@0bit/server/test-support/hub';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient } from './support/client.ts';

const PASSWORD = 'correct horse battery staple';
const received: Array<{ to: string[]; data: string }> = [];
let smtp: SMTPServer;
let hub: HubHarness;
let outboxHub: HubHarness;

beforeAll(async () => {
  // A real SMTP server on a free port, as a mail relay would be.
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          data: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const port = (smtp.server.address() as AddressInfo).port;
  hub = await startHubHarness({ smtpUrl: `smtp://127.0.0.1:${port}` });
  outboxHub = await startHubHarness();
});
afterAll(async () => {
  await hub?.close();
  await outboxHub?.close();
  await new Promise<void>((resolve) => smtp?.close(() => resolve()));
});

async function signedInOwner(h: HubHarness, ownerEmail: string) {
  const { invitationUrl } = await h.partnerWithOwner('Mail test', ownerEmail);
  const owner = new HubClient(h.hubUrl);
  await owner.accept(invitationUrl, PASSWORD);
  expect((await owner.signIn(ownerEmail, PASSWORD)).status).toBe(303);
  return owner;
}

describe('Partner Hub mail', () => {
  it('with SMTP_URL, an invitation goes out over SMTP and its link lets the teammate in', async () => {
    const owner = await signedInOwner(hub, 'smtp-owner@example.com');
    const invited = await owner.submit('/team', '/team/invite', {
      email: 'teammate@example.com',
      role: 'developer',
    });
    expect(invited.status).toBe(200);
    expect(invited.text).toContain('Invitation sent to teammate@example.com.');
    const mail = received.find((m) => m.to.includes('teammate@example.com'));
    expect(mail).toBeDefined();
    expect(mail!.data).toContain('Subject: You are invited to the 0Bit Partner Hub');
    const link = new RegExp(`(${hub.hubUrl}/invitations/[A-Za-z0-9_-]{43})`).exec(
      mail!.data.replace(/=\r?\n/g, ''),
    )?.[1];
    expect(link).toBeDefined();
    const teammate = new HubClient(hub.hubUrl);
    expect((await teammate.accept(link!, PASSWORD)).status).toBe(303);
    expect((await teammate.signIn('teammate@example.com', PASSWORD)).status).toBe(303);
    // With SMTP configured the development outbox page does not exist.
    expect((await new HubClient(hub.hubUrl).get('/outbox')).status).toBe(404);
  });

  it('without SMTP_URL, the invitation is written to the outbox the console shows', async () => {
    const owner = await signedInOwner(outboxHub, 'outbox-owner@example.com');
    const invited = await owner.submit('/team', '/team/invite', {
      email: 'viewer@example.com',
      role: 'viewer',
    });
    expect(invited.text).toContain('Invitation sent to viewer@example.com (development: see the outbox).');
    const outbox = await new HubClient(outboxHub.hubUrl).get('/outbox');
    expect(outbox.status).toBe(200);
    expect(outbox.text).toContain('To viewer@example.com');
    expect(outbox.text).toMatch(new RegExp(`<a href="${outboxHub.hubUrl}/invitations/[A-Za-z0-9_-]{43}">`));
  });
});
