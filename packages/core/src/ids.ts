import { randomBytes, randomInt, randomUUID } from 'node:crypto';

/**
 * ObjectId-style ids (24 hex chars: 4-byte seconds, 5 random bytes, 3-byte counter), as the glossary
 * describes session ids. They sort roughly by creation time and never collide across processes.
 */
const processRandom = randomBytes(5);
let counter = randomInt(0, 0xffffff);

export function newObjectId(nowMs: number = Date.now()): string {
  counter = (counter + 1) & 0xffffff;
  const buf = Buffer.alloc(12);
  buf.writeUInt32BE(Math.floor(nowMs / 1000), 0);
  processRandom.copy(buf, 4);
  buf.writeUIntBE(counter, 9, 3);
  return buf.toString('hex');
}

export const isObjectId = (value: string): boolean => /^[0-9a-f]{24}$/.test(value);

export const newEventId = (): string => randomUUID();
export const isUuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniformly random alphanumerics from the CSPRNG (randomInt rejects biased samples). */
export function randomAlphanumeric(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHANUMERIC[randomInt(ALPHANUMERIC.length)];
  return out;
}
