import { describe, expect, it } from 'vitest';
import {
  CURRENCIES,
  fiatDecimals,
  findCurrency,
  fromUnits,
  isValidAddress,
  type PriceFeed,
  QuoteError,
  quote,
  rampQuote,
  SandboxPriceFeed,
  sandboxAddress,
  sandboxTxId,
  swapCurrency,
  toUnits,
} from '../src/index.ts';

const feed = new SandboxPriceFeed();
const base = {
  type: 'float',
  fromCcy: 'btc',
  toCcy: 'usdt_trc20',
  direction: 'from',
  amount: '0.01',
  markupBps: 0,
} as const;

describe('decimal amounts', () => {
  it('round-trips exact decimal strings and refuses what it cannot represent', () => {
    expect(toUnits('0.01', 8)).toBe(1_000_000n);
    expect(fromUnits(1_000_000n, 8)).toBe('0.01');
    expect(fromUnits(59_700_000_000n, 6)).toBe('59700');
    for (const bad of ['1e3', '-1', '01', '1.', '.5', '0.123456789', ' 1', '1,5', ''])
      expect(toUnits(bad, 8), bad).toBeNull();
  });
});

describe('quote', () => {
  it('prices 0.01 BTC → USDT (Tron) exactly: 0.5 % service fee, then the payout network fee', async () => {
    const q = await quote(base, feed);
    expect(q.rate).toBe('59700'); // 60 000 × (1 − 0.005)
    expect(q.to.amount).toBe('596'); // 597 − 1 USDT network fee
    expect(q.from).toEqual({ code: 'btc', network: 'BTC', amount: '0.01', min: '0.0005', max: '5' });
  });

  it('adds the markup and the fixed-rate premium, and rounds the required deposit up', async () => {
    const q = await quote({ ...base, type: 'fixed', direction: 'to', amount: '597', markupBps: 25 }, feed);
    expect(q.rate).toBe('59250'); // 60 000 × (1 − 0.01 − 0.0025)
    expect(q.from.amount).toBe('0.01009283'); // (597 + 1) / 59 250 = 0.0100928270… rounded up
    expect(q.to.amount).toBe('597');
  });

  it('never depends on floating point: a price with 8 decimals gives an exact integer result', async () => {
    const odd: PriceFeed = {
      name: 'odd',
      usdPrice: async (asset) => (asset === 'BTC' ? '61234.56789012' : '1'),
    };
    const q = await quote({ ...base, amount: '0.00123457' }, odd);
    // 0.00123457 × 61 234.56789012 × 0.995 = 75.2203681… → 75.220368 (floor, 6 decimals), minus the 1 USDT fee
    const exact = (123457n * 6123456789012n * 9950n * 10n ** 6n) / (10n ** 8n * 10000n * 10n ** 8n);
    expect(fromUnits(exact - 1_000_000n, 6)).toBe('74.220368');
    expect(q.to.amount).toBe('74.220368');
  });

  it('refuses unknown currencies, bad amounts and amounts outside the limits, saying what is allowed', async () => {
    const fail = (patch: object) => quote({ ...base, ...patch }, feed).catch((e) => e as QuoteError);
    expect(await fail({ fromCcy: 'doge' })).toMatchObject({ kind: 'UNKNOWN_CURRENCY' });
    expect(await fail({ toCcy: 'btc' })).toMatchObject({
      kind: 'UNKNOWN_CURRENCY',
      message: expect.stringContaining('differ'),
    });
    expect(await fail({ amount: '0.000000001' })).toMatchObject({ kind: 'INVALID_AMOUNT' });
    expect(await fail({ amount: '0.0001' })).toMatchObject({
      kind: 'AMOUNT_OUT_OF_RANGE',
      details: { min: '0.0005', max: '5' },
    });
    expect(await fail({ amount: '6' })).toBeInstanceOf(QuoteError);
    expect((await quote({ ...base, fromCcy: 'BTC' }, feed)).from.code).toBe('btc');
  });
});

describe('addresses', () => {
  const valid: Array<[string, string]> = [
    ['btc', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'],
    ['btc', 'BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ'],
    ['btc', 'bc1p5d7rjq7g6rdk2yhzks9smlaqtedr4dekq08ge8ztwac72sfr9rusxg3297'],
    ['btc', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'],
    ['btc', '3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy'],
    ['eth', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'],
    ['usdt_erc20', '0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359'],
    ['usdc_arb', '0xFB6916095CA1DF60BB79CE92CE3EA74C37C5D359'],
    ['usdt_trc20', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t'],
    ['sol', 'So11111111111111111111111111111111111111112'],
  ];
  const invalid: Array<[string, unknown]> = [
    ['btc', 'bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdr'], // checksum
    ['btc', 'bc1Qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq'], // mixed case
    ['btc', 'tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx'], // testnet
    ['btc', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3'], // base58 checksum
    ['eth', '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD'], // EIP-55 checksum
    ['eth', '0x5aaeb6053f3e94c9b9a09f33669435e7ef1beae'], // 39 hex
    ['usdt_trc20', 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6u'],
    ['usdt_trc20', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2'], // a Bitcoin address is not a Tron one
    ['sol', '0OIl'],
    ['sol', 42],
  ];
  it.each(valid)('%s accepts %s', (code, address) =>
    expect(isValidAddress(findCurrency(code)!, address)).toBe(true));
  it.each(invalid)('%s refuses %s', (code, address) =>
    expect(isValidAddress(findCurrency(code)!, address)).toBe(false));

  it('derives sandbox deposit addresses and tx ids that are valid for their chain and differ per seed', () => {
    for (const c of CURRENCIES) {
      const a = sandboxAddress(c, 'order-1');
      expect(isValidAddress(c, a), `${c.code} ${a}`).toBe(true);
      expect(sandboxAddress(c, 'order-2')).not.toBe(a);
      expect(sandboxTxId(c, 'x')).toMatch(
        c.addressFormat === 'evm' ? /^0x[0-9a-f]{64}$/ : /^[0-9a-zA-Z]{64,90}$/,
      );
    }
  });
});

describe('ramp quotes (0Gate buy and sell)', () => {
  it('prices a 100 EUR buy of USDT on Arbitrum: 1.5 % processing, then the network fee', async () => {
    const q = await rampQuote(
      { flow: 'on_ramp', fiat: { amount: '100.00', currency: 'EUR' }, token: 'USDT', network: 'arbitrum' },
      feed,
    );
    // (100 − 1.50) EUR × 1.08 USD/EUR = 106.38 USDT, minus 0.1 USDT to deliver on Arbitrum
    expect(q).toEqual({
      flow: 'on_ramp',
      fiat: { amount: '100.00', currency: 'EUR' },
      crypto: { token: 'USDT', network: 'arbitrum', amount: '106.28' },
      fees: { processing: '1.50', network: '0.1' },
      rate: '0.92',
    });
  });

  it('prices a sell by what the user must send, rounded up, and knows zero-decimal currencies', async () => {
    const sell = await rampQuote(
      { flow: 'off_ramp', fiat: { amount: '100.00', currency: 'EUR' }, token: 'BTC', network: 'bitcoin' },
      feed,
    );
    expect(sell.crypto.amount).toBe('0.001827'); // 101.50 × 1.08 / 60 000 = 0.001827 exactly
    expect(fiatDecimals('JPY')).toBe(0);
    await expect(
      rampQuote(
        { flow: 'on_ramp', fiat: { amount: '1.00', currency: 'EUR' }, token: 'USDT', network: 'ethereum' },
        feed,
      ),
    ).rejects.toThrow('does not cover the fees');
  });

  it('maps the swap engine to 0Gate token + network names', () => {
    expect(swapCurrency('USDT', 'tron')?.code).toBe('usdt_trc20');
    expect(swapCurrency('USDC', 'arbitrum')?.code).toBe('usdc_arb');
    expect(swapCurrency('BTC', 'bitcoin')?.code).toBe('btc');
    expect(swapCurrency('USDT', 'polygon')).toBeNull();
  });
});
