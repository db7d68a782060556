import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type HubHarness, startHubHarness } from '@0bit/server/test-support/hub';
import { REPO_ROOT } from '@0bit/testing/process';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
];
const SCREENSHOTS = join(REPO_ROOT, 'test-results', 'hub-screenshots');
const AXE_SOURCE: string = (createRequire(import.meta.url)('axe-core') as { source: string }).source;
const PASSWORD = 'a long enough passphrase';

let hub: HubHarness;
let browser: Browser;
beforeAll(async () => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  hub = await startHubHarness();
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: CHROMIUM_FLAGS,
    headless: true,
  });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await hub?.close();
});

/**
 * axe-core over the page as it is (zero serious or critical violations, or the test fails), then screenshots
 * at 1280 and 375 px wide. axe is evaluated through the DevTools protocol, so the page's CSP stays as served.
 */
async function look(page: Page, name: string): Promise<void> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: axe is the global the script above defined
    const result = await (globalThis as any).axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v: { id: string; impact: string; nodes: { target: string[] }[] }) => ({
      id: v.id,
      impact: v.impact,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  const blocking = violations.filter(
    (v: { impact: string }) => v.impact === 'serious' || v.impact === 'critical',
  );
  expect(blocking, `${name}: ${JSON.stringify(blocking)}`).toEqual([]);
  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 800 });
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

describe('Partner Hub in Chromium', () => {
  it('invite → accept → sign in → create a key (copy, use) → revoke it (refused after), accessible at 1280 and 375 px', async () => {
    const ownerEmail = 'owner@acme.example';
    const { invitationUrl } = await hub.partnerWithOwner('Acme <b>Pay</b>', ownerEmail);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: hub.hubUrl });
    const page = await context.newPage();
    const scriptErrors: string[] = [];
    page.on('pageerror', (e) => scriptErrors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') scriptErrors.push(m.text());
    });

    await page.goto(invitationUrl);
    await expect.poll(() => page.textContent('h1')).toBe('Join the Partner Hub');
    await look(page, '01-accept-invitation');
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/sign-in\?accepted=1$/);
    expect(await page.textContent('.notice.ok')).toContain('Your password is set');
    await look(page, '02-sign-in');

    await page.fill('#email', ownerEmail);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
    await page.waitForURL(/\/test\/keys$/);
    // The partner's name is text, not markup.
    expect(await page.textContent('.partner')).toBe('Acme <b>Pay</b>');
    expect(await page.textContent('.badge')).toBe('Test mode');
    await look(page, '03-keys-test');

    await page.selectOption('#type', 'secret');
    await page.click('text=Create test key');
    const raw = (await page.textContent('#new-key'))!.trim();
    expect(raw).toMatch(/^sk_test_[A-Za-z0-9]{32}$/);
    await page.click('button[data-copy=new-key]');
    await expect.poll(() => page.textContent('button[data-copy=new-key]')).toBe('Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(raw);
    await look(page, '04-key-created');
    const use = () =>
      fetch(`${hub.apiUrl}/v1/gate_sessions`, { headers: { authorization: `Bearer ${raw}` } });
    expect((await use()).status).toBe(200);

    // Reloading does not show the key again.
    await page.goto(`${hub.hubUrl}/test/keys`);
    expect(await page.content()).not.toContain(raw);
    await page.click(`a[aria-label="Revoke secret key ${raw.slice(0, 12)}"]`);
    await page.waitForURL(/\/revoke$/);
    await look(page, '05-revoke-confirm');
    await page.click('button.danger');
    await page.waitForURL(/\/test\/keys\?revoked=1$/);
    expect(await page.textContent('.notice.ok')).toContain('The key is revoked.');
    expect((await use()).status).toBe(403);

    await page.click('text=Switch to live mode');
    await page.waitForURL(/\/live\/keys$/);
    expect(await page.textContent('.badge')).toBe('Live mode');
    expect(await page.textContent('.live-banner')).toContain('live data');
    await look(page, '06-keys-live');

    await page.click('nav >> text=Team');
    await page.waitForURL(/\/team\?mode=live$/);
    await page.fill('#invite-email', 'dev@acme.example');
    await page.selectOption('#invite-role', 'developer');
    await page.click('text=Send invitation');
    expect(await page.textContent('.notice.ok')).toContain('Invitation sent to dev@acme.example');
    await look(page, '07-team');

    await page.goto(`${hub.hubUrl}/outbox`);
    await look(page, '08-outbox');

    await page.goto(`${hub.hubUrl}/test/keys`);
    await page.click('text=Sign out');
    await page.waitForURL(/\/sign-in\?signed_out=1$/);
    await page.goto(`${hub.hubUrl}/test/keys`);
    await page.waitForURL(/\/sign-in\?next=/);
    expect(scriptErrors).toEqual([]);
    await context.close();
  });
});
