import http from 'node:http';
import { join } from 'node:path';
import { bearer, writeHeaders } from '@0bit/api/test-support/server';
import { freePort } from '@0bit/testing/http';
import { REPO_ROOT } from '@0bit/testing/process';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { events, SCREENSHOTS, useStack, waitForEvent, widgetFrame } from './support/harness.ts';

const stack = useStack();
const shot = (name: string) => ({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });

/** The KYC step, on every flow (issue #15): a name the sandbox verifies. */
async function passKyc(frame: Awaited<ReturnType<typeof widgetFrame>> | import('playwright-core').Page) {
  await frame.getByRole('heading', { name: 'Verify your identity' }).waitFor();
  await frame.getByLabel('First name').fill('Ada');
  await frame.getByLabel('Last name').fill('Lovelace');
  await frame.getByLabel(/Date of birth/).fill('1990-01-31');
  await frame.getByLabel(/Country/).fill('DE');
  await frame.getByRole('button', { name: 'Verify' }).click();
}

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
    expect(await wallet.getAttribute('readonly')).not.toBeNull(); // and locked (lock_wallet_address)
    await wallet.fill('0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359').catch(() => {});
    expect(await wallet.inputValue()).toBe('0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed');
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

  it('declines a card: onError on the page, gate_session.failed for the partner, and another card still pays', async () => {
    const shop = await stack.shop();
    const page = await stack.page();
    await page.goto(shop.url);
    await page.click('button[data-flow="on_ramp"]');
    const frame = await widgetFrame(page);
    await frame.getByRole('button', { name: 'Continue' }).click();
    await frame.getByRole('button', { name: 'Continue' }).click();
    await frame.getByLabel('First name').fill('Grace');
    await frame.getByLabel('Last name').fill('Hopper');
    await frame.getByLabel(/Date of birth/).fill('1990-01-31');
    await frame.getByLabel(/Country/).fill('US');
    await frame.getByRole('button', { name: 'Verify' }).click();
    await frame.getByLabel('Card number').fill('4000 0000 0000 0002');
    await frame.getByLabel(/Expiry/).fill('12/30');
    await frame.getByLabel('CVC').fill('123');
    await frame.getByRole('button', { name: /^Pay/ }).click();
    await frame.getByRole('alert').filter({ hasText: 'card_declined' }).waitFor();
    await page.screenshot(shot('on-ramp-declined'));
    expect(await waitForEvent(page, /^error Payment declined \(card_declined\)/m)).not.toContain('success');
    const order = [...shop.orders.values()][0]!;
    const failed = await stack.server.call('GET', '/v1/events?type=gate_session.failed', {
      headers: bearer(shop.keys.secret_key),
    });
    expect(failed.body.data[0]).toMatchObject({
      type: 'gate_session.failed',
      data: { id: order.sessionId, failure_reason: 'card_declined' },
    });
    await frame.getByLabel('Card number').fill('4000 0000 0000 3220');
    await frame.getByRole('button', { name: /^Pay/ }).click();
    await frame.getByRole('heading', { name: '3-D Secure' }).waitFor();
    await page.screenshot(shot('on-ramp-3ds-challenge'));
    await frame.getByLabel('Confirmation code').fill('123456');
    await frame.getByRole('button', { name: 'Confirm' }).click();
    await frame.getByRole('heading', { name: 'Done' }).waitFor();
    await waitForEvent(page, /^success /m);
    await page.close();
  });

  it('sells to a test IBAN and swaps, each completing its session; a flow lock hides the tabs, no lock shows them', async () => {
    const shop = await stack.shop();
    const page = await stack.page();
    await page.goto(shop.url);
    await page.click('button[data-flow="off_ramp"]');
    let frame = await widgetFrame(page);
    await passKyc(frame); // a sell goes through KYC before any deposit address
    await frame.getByRole('heading', { name: 'Sell' }).waitFor();
    expect(await frame.getByRole('tablist').count()).toBe(0);
    await frame.getByLabel(/IBAN/).fill('DE89 3704 0044 0532 0130 00');
    await page.screenshot(shot('off-ramp-1-iban'));
    await frame.getByRole('button', { name: 'Continue' }).click();
    expect(await frame.getByTestId('deposit-address').textContent()).toMatch(/^bc1q/);
    expect(await frame.getByTestId('deposit-amount').textContent()).toBe('0.001827');
    await page.screenshot(shot('off-ramp-2-deposit'));
    await frame.getByRole('button', { name: 'I have sent it' }).click();
    await frame.getByRole('heading', { name: 'Done' }).waitFor();
    const sold = /^success (\S+) /m.exec(await waitForEvent(page, /^success /m))![1]!;
    expect((await sessionOf(shop.keys.secret_key, sold)).status).toBe('completed');

    await page.click('button[data-flow=""]');
    await waitForEvent(page, /^ready$[\s\S]*^ready$/m); // the second widget is mounted
    frame = await widgetFrame(page);
    await frame.getByRole('tablist').waitFor();
    await frame.getByRole('tab', { name: 'Swap' }).click();
    await frame.getByLabel('Swap from').selectOption('BTC:bitcoin');
    await passKyc(frame); // and so does a swap
    await frame.getByTestId('quote').filter({ hasText: 'BTC' }).waitFor();
    await page.screenshot(shot('swap-1-quote'));
    await frame.getByRole('button', { name: 'Continue' }).click();
    await frame.getByRole('button', { name: 'I have sent it' }).click();
    await frame.getByRole('heading', { name: 'Done' }).waitFor();
    await page.screenshot(shot('swap-2-done'));
    const log = await waitForEvent(page, /^success [\s\S]*^success /m);
    expect(log.match(/^success /gm)).toHaveLength(2);
    await page.close();
  });

  it('applies the partner branding (colour visible in the computed style, name shown)', async () => {
    const shop = await stack.shop();
    await stack.server.call('PATCH', '/v1/branding', {
      headers: { ...bearer(shop.keys.secret_key), 'idempotency-key': crypto.randomUUID() },
      body: { primary_color: '#FF4B1F', brand_name: 'Acme Ramp' },
    });
    const page = await stack.page();
    await page.goto(shop.url);
    await page.click('button[data-flow="on_ramp"]');
    const frame = await widgetFrame(page);
    await frame.getByRole('heading', { name: 'Review' }).waitFor();
    expect(await frame.getByTestId('brand-name').textContent()).toBe('Acme Ramp');
    const background = await frame
      .getByRole('button', { name: 'Continue' })
      .evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(background).toBe('rgb(255, 75, 31)');
    await page.screenshot(shot('branding'));
    await page.close();
  });

  it('works at 360 px wide without horizontal scrolling, and is usable with the keyboard alone', async () => {
    const shop = await stack.shop();
    const page = await stack.page(360);
    await page.goto(shop.url);
    await page.click('button[data-flow="on_ramp"]');
    const frame = await widgetFrame(page);
    await frame.getByRole('heading', { name: 'Review' }).waitFor();
    const overflow = await frame.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await frame.getByRole('button', { name: 'Continue' }).focus();
    await page.keyboard.press('Enter');
    await frame.getByLabel(/address on arbitrum/).waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await frame.getByRole('heading', { name: 'Verify your identity' }).waitFor();
    await page.screenshot(shot('narrow-360'));
    await page.close();
  });
});

describe('live mode without a payment provider', () => {
  it('shows a clear "unavailable" screen and never a price or a card form', async () => {
    const shop = await stack.shop('live');
    const page = await stack.page();
    await page.goto(shop.url);
    await page.click('button[data-flow="on_ramp"]');
    const frame = await widgetFrame(page);
    await frame.getByRole('heading', { name: 'Unavailable' }).waitFor();
    expect(await frame.getByTestId('unavailable').textContent()).toContain('No money was moved');
    expect(await frame.getByTestId('quote').count()).toBe(0);
    expect(await frame.getByText('Sandbox').count()).toBe(0);
    await page.screenshot(shot('live-unavailable'));
    await page.close();
  });
});

describe('GateRamp guards', () => {
  it('rejects mount with a clear error on a page whose origin is not in allowed_domains', async () => {
    const shop = await stack.shop(); // allows http://127.0.0.1:<port> only
    const page = await stack.page();
    await page.goto(shop.url.replace('127.0.0.1', 'localhost')); // the same shop, from an origin it did not register
    await page.click('button[data-flow="on_ramp"]');
    const log = await waitForEvent(page, /^mount failed/m);
    expect(log).toMatch(
      /mount failed: BootstrapError: .*origin http:\/\/localhost:\d+ is not in the partner's allowed_domains/,
    );
    expect(await page.locator('#ramp iframe').count()).toBe(0);
    await page.close();
  });

  it('calls onUnavailable when the partner quota is exhausted', async () => {
    const shop = await stack.shop();
    await stack.server.call('PATCH', `/admin/partners/${shop.partnerId}/quota`, {
      headers: bearer(stack.server.adminToken),
      body: { mode: 'test', monthly_sessions: 1 },
    });
    const page = await stack.page();
    await page.goto(shop.url);
    await page.click('button[data-flow="on_ramp"]');
    expect(await waitForEvent(page, /^unavailable /m)).toMatch(/^unavailable \S+/m);
    expect(await page.locator('#ramp iframe').count()).toBe(0);
    await page.close();
  });

  it('refuses a secret key with SecretKeyInBrowserError, and ignores messages from any other origin', async () => {
    const shop = await stack.shop();
    const page = await stack.page();
    await page.goto(shop.url);
    const errors = await page.evaluate(() => {
      const names: string[] = [];
      for (const publishableKey of ['sk_test_abc', 'nope'])
        try {
          new (window as never as { GateJS: { GateRamp: new (o: object) => unknown } }).GateJS.GateRamp({
            publishableKey,
          });
        } catch (error) {
          names.push((error as Error).name);
        }
      return names;
    });
    expect(errors).toEqual(['SecretKeyInBrowserError', 'ConfigError']);
    await page.click('button[data-flow="on_ramp"]');
    await waitForEvent(page, /^ready$/m);
    // The page itself (another origin than the widget's) pretends to be the widget.
    await page.evaluate(() =>
      window.postMessage({ type: 'PAYMENT_SUCCESS', txId: '0xforged', sessionId: 'forged' }, '*'),
    );
    await page.waitForTimeout(300);
    expect(await events(page)).not.toContain('forged');
    await page.close();
  });

  it('redirectToCheckout opens the widget as a page: the client secret travels only in the fragment', async () => {
    const shop = await stack.shop();
    const page = await stack.page();
    const requested: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    await page.goto(shop.url);
    await page.evaluate(async () => {
      const config = await fetch('/config.json').then((r) => r.json());
      const order = await fetch('/api/orders', { method: 'POST', body: '{"flow":"on_ramp"}' }).then((r) =>
        r.json(),
      );
      const { GateJS } = window as never as {
        GateJS: { createGateOnRamp: (o: object) => { redirectToCheckout(): void } };
      };
      GateJS.createGateOnRamp({
        ...config,
        clientSecret: order.clientSecret,
        environment: 'development',
      }).redirectToCheckout();
    });
    await page.waitForURL(`${stack.widgetOrigin}/**`);
    await page.getByRole('heading', { name: 'Review' }).waitFor();
    await page.screenshot(shot('redirect-review'));
    expect(page.url()).toBe(`${stack.widgetOrigin}/`); // the fragment is gone from the address bar
    expect(requested.filter((url) => url.includes('gsec_'))).toEqual([]);
    expect(await page.getByRole('tablist').count()).toBe(0);
    await page.close();
  });
});

describe('redirect mode: resume on reload, Cancel', () => {
  it('a reload on the deposit screen resumes the same address; Cancel cancels the session and returns to the signed cancel_url', async () => {
    const shop = await stack.shop();
    const page = await stack.page();
    await page.goto(shop.url);
    const orderId = await page.evaluate(async () => {
      const config = await fetch('/config.json').then((r) => r.json());
      const order = await fetch('/api/orders', { method: 'POST', body: '{"flow":"off_ramp"}' }).then((r) =>
        r.json(),
      );
      const { GateJS } = window as never as {
        GateJS: { createGateOffRamp: (o: object) => { redirectToCheckout(): void } };
      };
      GateJS.createGateOffRamp({
        ...config,
        clientSecret: order.clientSecret,
        environment: 'development',
      }).redirectToCheckout();
      return order.orderId as string;
    });
    await page.waitForURL(`${stack.widgetOrigin}/**`);
    await passKyc(page);
    await page.getByLabel(/IBAN/).fill('DE89 3704 0044 0532 0130 00');
    await page.getByRole('button', { name: 'Continue' }).click();
    const address = await page.getByTestId('deposit-address').textContent();
    expect(address).toMatch(/^bc1q/);
    const order = shop.orders.get(orderId)!;

    // Reload: the fragment is gone, so the widget resumes from its stored boot; the same address is shown.
    await page.reload();
    await page.getByTestId('deposit-address').waitFor();
    expect(await page.getByTestId('deposit-address').textContent()).toBe(address);
    await page.screenshot(shot('redirect-resumed-deposit'));

    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.waitForURL(`${shop.url}/done?**`);
    const back = new URL(page.url());
    expect(back.searchParams.get('cancelled')).toBe('1');
    expect(back.searchParams.get('gate_session_id')).toBe(order.sessionId);
    expect(back.searchParams.get('gate_status')).toBe('cancelled');
    expect((await sessionOf(shop.keys.secret_key, order.sessionId)).status).toBe('cancelled');
    await page.close();
  });
});

describe('the widget trusts only the page its token was issued to', () => {
  it('ignores INIT_CONFIG from a page on another origin, even with a valid token, and never says WIDGET_READY', async () => {
    const shop = await stack.shop(); // allows http://127.0.0.1:<port>
    const boot = await stack.server.call('POST', '/v1/embed/bootstrap', {
      headers: { ...bearer(shop.keys.publishable_key), origin: shop.url },
      body: {},
    });
    expect(boot.status).toBe(200);
    const page = await stack.page();
    // The same shop server, reached as localhost: another origin than the token's.
    await page.goto(shop.url.replace('127.0.0.1', 'localhost'));
    const messages = await page.evaluate(
      async ({ widgetOrigin, token, bootstrap }) => {
        const seen: string[] = [];
        const frame = document.createElement('iframe');
        frame.src = `${widgetOrigin}/`;
        window.addEventListener('message', (event) => {
          if (event.source !== frame.contentWindow) return;
          seen.push(event.data.type);
          if (event.data.type === 'WIDGET_LOADED')
            frame.contentWindow!.postMessage(
              { type: 'INIT_CONFIG', token, apiBaseUrl: '', flow: null, bootstrap },
              widgetOrigin,
            );
        });
        document.body.appendChild(frame);
        await new Promise((resolve) => setTimeout(resolve, 2000));
        return seen;
      },
      { widgetOrigin: stack.widgetOrigin, token: boot.body.token, bootstrap: boot.body },
    );
    expect(messages).toEqual(['WIDGET_LOADED']);
    await page.close();
  });
});

describe('@0bit/gate/react in the browser', () => {
  it('mounts exactly one widget under React StrictMode (effects run twice in development)', async () => {
    const port = await freePort();
    const origin = `http://127.0.0.1:${port}`;
    const { keys } = await stack.server.partner({ allowed_domains: [origin] });
    const session = await stack.server.call('POST', '/v1/gate_sessions', {
      headers: writeHeaders(keys.test.secret_key),
      body: {
        amount: '25.00',
        currency: 'EUR',
        return_url: `${origin}/done`,
        flow: 'swap',
        target_token: 'USDC',
        target_network: 'arbitrum',
      },
    });
    const bundle = await build({
      stdin: {
        contents: `import { createElement, StrictMode } from 'react';
          import { createRoot } from 'react-dom/client';
          import { GateSwap } from '@0bit/gate/react';
          createRoot(document.getElementById('root')).render(
            createElement(StrictMode, null, createElement(GateSwap, { ...window.CONFIG, onError: (e) => { document.title = 'error: ' + e.message; } })),
          );`,
        resolveDir: REPO_ROOT,
        loader: 'js',
      },
      bundle: true,
      write: false,
      format: 'iife',
      define: { 'process.env.NODE_ENV': '"development"' },
    });
    const config = {
      publishableKey: keys.test.publishable_key,
      clientSecret: session.body.client_secret,
      environment: 'development',
      apiBaseUrl: stack.server.baseUrl,
      iframeUrl: stack.widgetOrigin,
    };
    const page = `<!doctype html><div id="root"></div><script>window.CONFIG=${JSON.stringify(config)}</script><script src="/app.js"></script>`;
    const server = http.createServer((req, res) =>
      req.url === '/app.js'
        ? res.writeHead(200, { 'content-type': 'text/javascript' }).end(bundle.outputFiles[0]!.text)
        : res.writeHead(200, { 'content-type': 'text/html' }).end(page),
    );
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    const browserPage = await stack.page();
    try {
      await browserPage.goto(origin);
      const frame = await widgetFrame(browserPage, '#root iframe');
      // A swap opens on its first step still to do: the identity verification (issue #15).
      await frame.getByRole('heading', { name: 'Verify your identity' }).waitFor();
      await browserPage.waitForTimeout(500);
      expect(await browserPage.locator('#root iframe').count()).toBe(1);
      expect(await browserPage.title()).not.toContain('error');
    } finally {
      await browserPage.close();
      server.closeAllConnections();
      server.close();
    }
  });
});
