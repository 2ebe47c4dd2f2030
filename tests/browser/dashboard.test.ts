import { join } from 'node:path';
import type { Browser, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  fixture,
  realServers,
  type TestProxy,
  tempDir,
  withProxy,
} from '../integration/helpers.js';
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

const chatty = fixture('../browser/fixtures/chatty-server.mjs');

/** Every page of the dashboard, and what shows once it has loaded. */
const PAGES = [
  { name: 'overview', path: '#/', ready: '[data-server="memory"] .badge' },
  { name: 'server', path: '#/servers/everything', ready: 'summary >> text=everything__echo' },
  { name: 'logs', path: '#/logs/chatty', ready: '.log-line' },
  { name: 'metrics', path: '#/metrics', ready: '.chart-box canvas' },
  { name: 'sessions', path: '#/sessions', ready: 'table >> text=test-client' },
  { name: 'playground', path: '#/playground/everything__echo', ready: '#tool-select' },
] as const;

/** Calls everything's echo from the playground, which is open on it, and waits for the answer. */
async function callEcho(page: Page, message: string): Promise<void> {
  await page.getByLabel('message').fill(message);
  await page.getByRole('button', { name: 'Call everything__echo' }).click();
  await page.locator('.tool-result .text-block', { hasText: `Echo: ${message}` }).waitFor();
}

describe.skipIf(!hasChromium)(
  hasChromium ? 'the dashboard' : `the dashboard (${skipReason})`,
  () => {
    let proxy: TestProxy;
    let browser: Browser;
    let page: Page;
    let errors: string[];
    let origin: string;
    const workspace = tempDir();

    beforeAll(async () => {
      assertDashboardBuilt();
      [proxy, browser] = await Promise.all([
        withProxy({
          logging: { dir: join(workspace.path, 'logs') },
          servers: {
            ...realServers(workspace.path),
            chatty: { command: process.execPath, args: [chatty] },
          },
        }),
        launchBrowser(),
      ]);
      origin = proxy.url.origin;
      await assertServesThisBuild(origin);
      ({ page, errors } = await openPage(browser));
    });

    afterAll(async () => {
      await browser?.close();
      await proxy?.close();
      workspace.remove();
    });

    const badge = (server: string) => page.locator(`[data-server="${server}"] .badge`);
    const waitForState = (server: string, state: string) =>
      page.locator(`[data-server="${server}"] .badge`, { hasText: state }).waitFor();

    it('shows every configured server on the overview, live', async () => {
      await page.goto(`${origin}/`);
      for (const name of ['everything', 'memory', 'files', 'chatty'])
        await waitForState(name, 'running');
      // The built-in `switchyard` server is one of them.
      const servers = (await (await fetch(`${origin}/api/servers`)).json()) as unknown[];
      await expect
        .poll(() => page.locator('.summary').textContent())
        .toContain(`${servers.length} up`);
      expect(await page.locator('[data-server="everything"] dd').allTextContents()).toContain(
        'stdio',
      );
      expect(await page.locator('.live').textContent()).toBe('Live');
    });

    it('stops a server from its card after a confirmation, and starts it again', async () => {
      await page.getByRole('button', { name: 'Stop memory', exact: true }).click();
      await page.getByRole('button', { name: 'Yes, stop' }).click();
      await waitForState('memory', 'stopped');
      await expect.poll(() => page.locator('.summary').textContent()).toContain('1 down');
      await page.getByRole('button', { name: 'Start memory', exact: true }).click();
      await waitForState('memory', 'running');
      expect(await badge('memory').getAttribute('data-state')).toBe('running');
    });

    it('shows a stop made through the API without a reload', async () => {
      await page.evaluate('window.notReloaded = true');
      const act = (action: string) =>
        fetch(`${origin}/api/servers/files/${action}`, { method: 'POST' }).then((r) => r.status);
      expect(await act('stop')).toBe(200);
      await waitForState('files', 'stopped');
      expect(await act('start')).toBe(200);
      await waitForState('files', 'running');
      expect(await page.evaluate("'notReloaded' in window")).toBe(true);
    });

    it('says when the event stream is down and reconnects on its own', async () => {
      // The stream fails to open until the route is lifted: the same path as a stream that drops.
      const refuse = (route: Route) => route.abort('connectionreset');
      const before = errors.length;
      await page.route('**/api/events', refuse);
      await page.goto(`${origin}/#/`);
      await page.reload();
      await page.locator('.live', { hasText: /Disconnected|Reconnecting/ }).waitFor();
      expect(await page.getByRole('status').first().textContent()).toContain('Loading');
      await page.unroute('**/api/events', refuse);
      await page.locator('.live', { hasText: 'Live' }).waitFor();
      await waitForState('memory', 'running');
      // Chromium logs each refused attempt; those, and only those, were expected.
      expect(errors.splice(before).filter((e) => !e.includes('ERR_CONNECTION_RESET'))).toEqual([]);
    });

    it('shows a log line the backend has just written, highlighted, and pauses and filters', async () => {
      await page.goto(`${origin}/#/logs/chatty`);
      await page.locator('.log-line', { hasText: 'chatty: ready' }).waitFor();
      const marker = `hello-${process.pid}`;
      await proxy.client.callTool({
        name: 'chatty__say',
        arguments: { text: marker, shout: true },
      });
      const said = page.locator('.log-line', { hasText: `said: ${marker}` });
      await said.waitFor();
      expect(await said.getAttribute('class')).toContain('log-error');

      await page.getByRole('button', { name: 'Pause' }).click();
      await proxy.client.callTool({ name: 'chatty__say', arguments: { text: `${marker}-later` } });
      await page.getByRole('button', { name: 'Follow (1 new)' }).waitFor();
      expect(await page.locator('.log-line', { hasText: `${marker}-later` }).count()).toBe(0);
      await page.getByRole('button', { name: 'Follow (1 new)' }).click();
      await page.locator('.log-line', { hasText: `${marker}-later` }).waitFor();

      await page.getByLabel('Text').fill('shouted');
      await expect.poll(() => page.locator('.log-line').count()).toBe(1);
      expect(await page.locator('.log-line').textContent()).toContain(`ERROR: shouted ${marker}`);
      await page.getByLabel('Text').fill('');
    });

    it('calls echo from the playground and shows its result and the raw exchange', async () => {
      await page.goto(`${origin}/#/playground/everything__echo`);
      await callEcho(page, 'hello from the dashboard');
      const request = JSON.parse(
        (await page.locator('pre[data-label="Raw request"]').textContent()) ?? '',
      );
      expect(request).toMatchObject({
        jsonrpc: '2.0',
        method: 'tools/call',
        params: { name: 'everything__echo', arguments: { message: 'hello from the dashboard' } },
      });
      const response = JSON.parse(
        (await page.locator('pre[data-label="Raw response"]').textContent()) ?? '',
      );
      expect(response.id).toBe(request.id);
      expect(response.result.content[0]).toEqual({
        type: 'text',
        text: 'Echo: hello from the dashboard',
      });
    });

    it('builds a form from a tool schema and shows every content type and isError', async () => {
      await page.goto(`${origin}/#/playground/chatty__showcase`);
      await page.getByLabel('name (required)', { exact: true }).fill('alpha');
      expect(await page.getByLabel('count', { exact: true }).inputValue()).toBe('3');
      await page.getByLabel('mode', { exact: true }).selectOption('fast');
      await page.getByLabel('verbose', { exact: true }).check();
      await page.getByLabel('host (required)', { exact: true }).fill('example.org');
      await page.getByLabel('port', { exact: true }).fill('8080');
      await page.getByRole('button', { name: 'Add tags item' }).click();
      await page.getByRole('button', { name: 'Add tags item' }).click();
      await page.getByLabel('tags 1', { exact: true }).fill('a');
      await page.getByLabel('tags 2', { exact: true }).fill('b');
      await page.getByRole('button', { name: 'Call chatty__showcase' }).click();

      const result = page.locator('.tool-result');
      await result.locator('.text-block', { hasText: 'hello alpha' }).waitFor();
      const args = {
        name: 'alpha',
        count: 3,
        mode: 'fast',
        verbose: true,
        target: { host: 'example.org', port: 8080 },
        tags: ['a', 'b'],
      };
      const request = JSON.parse(
        (await page.locator('pre[data-label="Raw request"]').textContent()) ?? '',
      );
      expect(request.params).toEqual({ name: 'chatty__showcase', arguments: args });
      expect(await result.locator('img').getAttribute('src')).toMatch(/^data:image\/png;base64,/);
      expect(await result.locator('audio').getAttribute('src')).toMatch(/^data:audio\/wav;base64,/);
      expect(await result.textContent()).toContain('file:///tmp/chatty/notes.txt');
      expect(await result.textContent()).toContain('embedded text');
      const structured = await result.locator('pre[data-label="Structured content"]').textContent();
      expect(JSON.parse(structured ?? '')).toEqual({ received: args });

      await page.getByRole('button', { name: 'Edit as JSON' }).click();
      const raw = page.getByLabel('Arguments (JSON object)');
      expect(JSON.parse(await raw.inputValue())).toEqual(args);
      await raw.fill(JSON.stringify({ ...args, fail: true }));
      await page.getByRole('button', { name: 'Call chatty__showcase' }).click();
      await page.getByText('The tool reported an error').waitFor();
      await result.locator('.text-block', { hasText: 'failed on purpose' }).waitFor();
    });

    it('fits 390 pixels on every page and takes screenshots at 1280 and 390', async () => {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        for (const { name, path, ready } of PAGES) {
          await page.goto(`${origin}/${path}`);
          await page.locator(ready).first().waitFor();
          if (name === 'playground') await callEcho(page, 'hello from the dashboard');
          if (width === 390)
            expect({ name, width: await scrollWidth(page) }).toEqual({ name, width: 390 });
          await screenshot(page, `${name}-${width}`);
        }
      }
    }, 60_000);

    it('has no serious or critical axe finding on any page, light or dark', async () => {
      await page.setViewportSize({ width: 1280, height: 900 });
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        for (const { name, path, ready } of PAGES) {
          await page.goto(`${origin}/${path}`);
          await page.locator(ready).first().waitFor();
          expect({ name, colorScheme, findings: await seriousAxeFindings(page) }).toEqual({
            name,
            colorScheme,
            findings: [],
          });
        }
      }
      await page.goto(`${origin}/#/`);
      await page.locator(PAGES[0].ready).first().waitFor();
      await screenshot(page, 'overview-dark-1280');
      await page.emulateMedia({ colorScheme: 'light' });
    }, 60_000);

    it('wrote nothing to the console', () => {
      expect(errors).toEqual([]);
    });
  },
);
