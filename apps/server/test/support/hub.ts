import { randomBytes } from 'node:crypto';
import { buildApp } from '@0bit/api/app';
import { DEFAULT_HOST_MODES, parseHostModes } from '@0bit/api/config';
import { EmbedTokens } from '@0bit/api/domain/embed-token';
import { createPartner } from '@0bit/api/domain/partners';
import { SecretBox } from '@0bit/core/secret-box';
import { MemoryCounter, RedisCounter, type WindowCounter } from '@0bit/http/counters';
import { LOCKOUT, type Lockout } from '@0bit/hub/domain/auth';
import { freshDatabase, type TestDatabase } from '@0bit/testing/database';
import { freePort } from '@0bit/testing/http';
import type { FastifyInstance } from 'fastify';
import { buildWiredHub } from '../../src/hub.ts';

/**
 * The Partner Hub as `npm start` wires it (apps/server/src/hub.ts: the portal API's own key functions), with
 * the 0Gate API beside it on the same database, for the Hub's tests (apps/hub/test). The sign-in counters are
 * Redis when REDIS_URL is set (a prefix of its own), memory otherwise.
 */
export interface HubHarness {
  hubUrl: string;
  apiUrl: string;
  database: TestDatabase;
  adminToken: string;
  /** Onboards a partner through the admin API with an owner; its one-time invitation link. */
  partnerWithOwner(
    name: string,
    ownerEmail: string,
  ): Promise<{ partnerId: string; invitationUrl: string; secretKey: string }>;
  close(): Promise<void>;
}

export async function startHubHarness(
  options: { smtpUrl?: string; devOutbox?: boolean; lockout?: Partial<Lockout> } = {},
): Promise<HubHarness> {
  const database = await freshDatabase();
  const adminToken = `adm_${randomBytes(20).toString('hex')}`;
  const counter: WindowCounter = process.env.REDIS_URL
    ? new RedisCounter(process.env.REDIS_URL, `test:hub:${randomBytes(6).toString('hex')}:`)
    : new MemoryCounter();
  // The Hub's public URL is in its invitation links, so its port is chosen before it starts.
  const hubPort = await freePort();
  const hubUrl = `http://localhost:${hubPort}`;
  const hub = await buildWiredHub({
    db: database.db,
    counter,
    publicUrl: hubUrl,
    smtpUrl: options.smtpUrl,
    mailFrom: 'Partner Hub <hub@localhost>',
    devOutbox: options.devOutbox ?? true,
    // Every test signs in from 127.0.0.1: the per-IP limit is raised unless a test is about it.
    lockout: { ...LOCKOUT, perIp: 10_000, ...options.lockout },
  });
  await hub.listen({ port: hubPort, host: '127.0.0.1' });
  const api: FastifyInstance = await buildApp({
    db: database.db,
    box: new SecretBox(SecretBox.generateKey()),
    tokens: new EmbedTokens([{ kid: 'k1', secret: randomBytes(32).toString('hex') }], 3600),
    adminToken,
    counter: null,
    hostModes: parseHostModes(DEFAULT_HOST_MODES),
    hubUrl,
    logger: false,
  });
  await api.listen({ port: 0, host: '127.0.0.1' });
  const apiUrl = `http://127.0.0.1:${(api.server.address() as { port: number }).port}`;
  return {
    hubUrl,
    apiUrl,
    database,
    adminToken,
    async partnerWithOwner(name, ownerEmail) {
      const created = await createPartner(database.db, { name, owner_email: ownerEmail }, { hubUrl });
      return {
        partnerId: created.partner.id,
        invitationUrl: created.owner_invitation!.url,
        secretKey: created.keys.test.secret_key,
      };
    },
    async close() {
      await hub.close();
      await api.close();
      await counter.close();
      await database.close();
    },
  };
}
