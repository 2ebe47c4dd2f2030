import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, type TestProxy, withProxy } from '../integration/helpers.js';
import {
  assertDashboardBuilt,
  assertServesThisBuild,
  hasChromium,
  launchBrowser,
  openPage,
  screenshot,
  scrollWidth,
  seriousAxeFindings,
  skipReason,
} from './browser.js';

const KEY = 'dashboard-key-for-the-browser-test';

describe.skipIf(!hasChromium)(
  hasChromium
    ? 'the dashboard with an admin key'
    : `the dashboard with an admin key (${skipReason})`,
  () => {
    let proxy: TestProxy;
    let browser: Browser;
    let page: Page;
    let errors: string[];
    let origin: string;

    beforeAll(async () => {
      assertDashboardBuilt();
      [proxy, browser] = await Promise.all([
        withProxy(
          {
            dashboard: { apiKey: KEY },
            servers: {
              chatty: {
                command: process.execPath,
                args: [fixture('../browser/fixtures/chatty-server.mjs')],
              },
            },
          },
          { client: false },
        ),
        launchBrowser(),
      ]);
      origin = proxy.url.origin;
      await assertServesThisBuild(origin);
      ({ page, errors } = await openPage(browser));
    });

    afterAll(async () => {
      await browser?.close();
      await proxy?.close();
    });

    it('asks for the key before showing anything', async () => {
      await page.goto(`${origin}/`);
      await page.getByRole('heading', { name: 'This proxy needs its admin key' }).waitFor();
      expect(await page.locator('.server-card').count()).toBe(0);
    });

    it('says clearly that a wrong key was refused', async () => {
      await page.getByLabel('Admin key').fill('not-the-key');
      await page.getByRole('button', { name: 'Open the dashboard' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('The proxy refused this key');
      expect(await page.evaluate("sessionStorage.getItem('switchyard.apiKey')")).toBeNull();
    });

    it('fits 390 pixels and has no serious axe finding, light or dark', async () => {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        if (width === 390) expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
        await screenshot(page, `key-prompt-${width}`);
      }
      await page.setViewportSize({ width: 1280, height: 900 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        expect({ colorScheme, findings: await seriousAxeFindings(page) }).toEqual({
          colorScheme,
          findings: [],
        });
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('opens the dashboard with the right key and keeps it for the tab', async () => {
      await page.getByLabel('Admin key').fill(KEY);
      await page.getByRole('button', { name: 'Open the dashboard' }).click();
      await page.locator('[data-server="chatty"] .badge', { hasText: 'running' }).waitFor();
      await page.reload();
      await page.locator('[data-server="chatty"] .badge', { hasText: 'running' }).waitFor();
      expect(await page.getByLabel('Admin key').count()).toBe(0);
    });

    it('logs only the refusals of the wrong key to the console', () => {
      // Chromium reports every 401 answer as a failed resource load; nothing else may appear.
      expect(errors.filter((e) => !/\b401\b/.test(e))).toEqual([]);
      expect(errors.length).toBeGreaterThan(0);
    });
  },
);
