import { sha256 } from '@noble/hashes/sha2.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { base58, bech32, bech32m, createBase58check } from '@scure/base';
import type { Currency } from './catalog.ts';

/**
 * Destination and refund addresses are checked for their chain before an order exists, with audited codecs
 * (@scure/base for bech32/base58, @noble/hashes for the checksums): a typo'd address must fail at create, not
 * strand money. Formats: Bitcoin bech32/bech32m (bc1…) and base58check P2PKH/P2SH (1…, 3…); EVM 0x + 40 hex
 * with the EIP-55 checksum when mixed-case; Tron base58check with the 0x41 prefix (T…); Solana 32-byte base58.
 */
const base58check = createBase58check(sha256);

function isBitcoin(address: string): boolean {
  if (/^bc1/i.test(address)) {
    if (address !== address.toLowerCase() && address !== address.toUpperCase()) return false;
    const lower = address.toLowerCase();
    for (const codec of [bech32, bech32m]) {
      try {
        const { prefix, words } = codec.decode(lower as `${string}1${string}`);
        const version = words[0]!;
        const program = codec.fromWords(words.slice(1));
        if (prefix !== 'bc') return false;
        // BIP-350: version 0 uses bech32 with a 20- or 32-byte program; versions 1–16 use bech32m.
        if (version === 0) return codec === bech32 && (program.length === 20 || program.length === 32);
        return codec === bech32m && version <= 16 && program.length >= 2 && program.length <= 40;
      } catch {}
    }
    return false;
  }
  try {
    const payload = base58check.decode(address);
    return payload.length === 21 && (payload[0] === 0x00 || payload[0] === 0x05);
  } catch {
    return false;
  }
}

/** EIP-55: a mixed-case address encodes a checksum; all-lowercase or all-uppercase carries none. */
export function evmChecksum(address: string): string {
  const lower = address.slice(2).toLowerCase();
  const hash = keccak_256(new TextEncoder().encode(lower));
  let out = '0x';
  for (let i = 0; i < 40; i++) {
    const nibble = (hash[i >> 1]! >> (i % 2 === 0 ? 4 : 0)) & 0xf;
    out += nibble >= 8 ? lower[i]!.toUpperCase() : lower[i];
  }
  return out;
}

function isEvm(address: string): boolean {
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) return false;
  const body = address.slice(2);
  if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
  return evmChecksum(address) === address;
}

function isTron(address: string): boolean {
  try {
    const payload = base58check.decode(address);
    return payload.length === 21 && payload[0] === 0x41;
  } catch {
    return false;
  }
}

function isSolana(address: string): boolean {
  try {
    return address.length >= 32 && address.length <= 44 && base58.decode(address).length === 32;
  } catch {
    return false;
  }
}

const VALIDATORS: Record<Currency['addressFormat'], (address: string) => boolean> = {
  bitcoin: isBitcoin,
  evm: isEvm,
  tron: isTron,
  solana: isSolana,
};

export function isValidAddress(currency: Currency, address: unknown): boolean {
  return isValidAddressFormat(currency.addressFormat, address);
}

export function isValidAddressFormat(format: Currency['addressFormat'], address: unknown): boolean {
  return typeof address === 'string' && address.length <= 128 && VALIDATORS[format](address);
}

/** What a valid address looks like, for error messages. */
export const ADDRESS_HINTS: Record<Currency['addressFormat'], string> = {
  bitcoin: 'a Bitcoin address (bc1…, 1… or 3…)',
  evm: 'an EVM address (0x + 40 hex, EIP-55 checksum when mixed-case)',
  tron: 'a Tron address (T…, base58check)',
  solana: 'a Solana address (base58, 32 bytes)',
};

/**
 * A well-formed address derived from a seed: the sandbox's deposit addresses and simulated payouts. It
 * passes `isValidAddress` but nobody holds its key, so nothing real can ever be sent to a sandbox order.
 */
export function sandboxAddress(currency: Currency, seed: string): string {
  const digest = sha256(new TextEncoder().encode(`0bit-sandbox:${seed}`));
  switch (currency.addressFormat) {
    case 'bitcoin':
      return bech32.encode('bc', [0, ...bech32.toWords(digest.slice(0, 20))]);
    case 'evm':
      return evmChecksum(`0x${Buffer.from(digest.slice(0, 20)).toString('hex')}`);
    case 'tron':
      return base58check.encode(Uint8Array.from([0x41, ...digest.slice(0, 20)]));
    case 'solana':
      return base58.encode(digest);
  }
}

/** A transaction id in the chain's usual notation. */
export function sandboxTxId(currency: Currency, seed: string): string {
  const digest = sha256(new TextEncoder().encode(`0bit-sandbox-tx:${seed}`));
  const hex = Buffer.from(digest).toString('hex');
  if (currency.addressFormat === 'evm') return `0x${hex}`;
  if (currency.addressFormat === 'solana')
    return base58.encode(Uint8Array.from([...digest, ...sha256(digest)]));
  return hex;
}
