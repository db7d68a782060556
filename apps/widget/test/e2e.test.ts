import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bearer } from '../../api/test/support/server.ts';
import { events, SCREENSHOTS, useStack, waitForEvent, widgetFrame } from './harness.ts';

const stack = useStack();
const shot = (name: string) => ({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

async function sessionOf(secretKey: string, id: string) {
  return (await stack.server.call('GET', `/v1/gate_sessions/${id}`, { headers: bearer(secretKey) })).body;
}

describe('the widget in Chromium, embedded by the example shop', () => {
  it('buys with the success card: onSuccess, the shop records the verified gate_session.completed, the session is completed', async () => {
    const shop = await stack.shop();
    const page = await stack.page();
    await page.goto(shop.url);
    await page.click('button[data-flow="on_ramp"]');
    await waitForEvent(page, /^ready$/m);
    const frame = await widgetFrame(page);
    await frame.getByRole('heading', { name: 'Review' }).waitFor();
    expect(await frame.getByRole('tablist').count()).toBe(0); // locked to on_ramp: no tab strip
    expect(await frame.getByTestId('quote').textContent()).toContain('106.28 USDT');
    await page.screenshot(shot('on-ramp-1-review'));
    await frame.getByRole('button', { name: 'Continue' }).click();
    const wallet = frame.getByLabel(/address on arbitrum/);
    expect(await wallet.inputValue()).toBe('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed'); // pre-filled
    await page.screenshot(shot('on-ramp-2-wallet'));
    await frame.getByRole('button', { name: 'Continue' }).click();
    await frame.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await frame.getByLabel('First name').fill('Ada');
    await frame.getByLabel('Last name').fill('Lovelace');
    await frame.getByLabel(/Date of birth/).fill('1990-01-31');
    await frame.getByLabel(/Country/).fill('de');
    await page.screenshot(shot('on-ramp-3-kyc'));
    await frame.getByRole('button', { name: 'Verify' }).click();
    await frame.getByLabel('Card number').fill('4242 4242 4242 4242');
    await frame.getByLabel(/Expiry/).fill('12/30');
    await frame.getByLabel('CVC').fill('123');
    await page.screenshot(shot('on-ramp-4-card'));
    await frame.getByRole('button', { name: /^Pay 100.00 EUR/ }).click();
    await frame.getByRole('heading', { name: 'Done' }).waitFor();
    await page.screenshot(shot('on-ramp-5-done'));
    const tx = await frame.getByTestId('tx').textContent();
    expect(tx).toMatch(/^0x[0-9a-f]{64}$/);
    const log = await waitForEvent(page, /^success /m);
    const [, sessionId, txId] = /^success (\S+) (\S+)$/m.exec(log)!;
    expect(txId).toBe(tx);
    await page.waitForFunction(
      () => document.getElementById('order-status')?.textContent === 'paid',
      undefined,
      { timeout: 15_000 },
    );
    const order = [...shop.orders.values()].find((o) => o.sessionId === sessionId)!;
    expect(order).toMatchObject({ status: 'paid', txRefid: tx });
    expect((await sessionOf(shop.keys.secret_key, sessionId!)).status).toBe('completed');
    expect(await frame.getByRole('link', { name: 'Back to the shop' }).getAttribute('href')).toBe(
      `${shop.url}/done?order=${order.id}`,
    );
    await page.close();
  });
});
