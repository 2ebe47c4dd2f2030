import { join } from 'node:path';
import { type AdminClient, createAdminClient } from '@switchyard/admin-api';
import { until } from '@switchyard/protocol/testing';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  everythingServer,
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

interface TraceMeta {
  responseId: string;
  unitId: string;
}

const traceOf = (result: unknown): TraceMeta =>
  (result as { _meta: Record<string, TraceMeta> })._meta['switchyard/trace'] as TraceMeta;

/**
 * The tracing explorer (docs/dashboard.md, "Tracing") against a real proxy with tracing on and
 * real MCP servers: the calls an SDK client makes show up as a session, a response with weighted
 * contexts, units with versions and impact, and a timeline; a rating from the page moves scores.
 */
describe.skipIf(!hasChromium)(
  hasChromium ? 'the tracing explorer' : `the tracing explorer (${skipReason})`,
  () => {
    let proxy: TestProxy;
    let browser: Browser;
    let page: Page;
    let errors: string[];
    let origin: string;
    let api: AdminClient;
    let sessionId: string;
    const workspace = tempDir();
    const calls: Record<'echo' | 'graph1' | 'create' | 'graph2', TraceMeta> = {} as never;

    beforeAll(async () => {
      assertDashboardBuilt();
      [proxy, browser] = await Promise.all([
        withProxy({
          servers: realServers(workspace.path),
          contextTracing: { sqlitePath: join(workspace.path, 'tracing.db'), idleGapMs: 600_000 },
        }),
        launchBrowser(),
      ]);
      origin = proxy.url.origin;
      await assertServesThisBuild(origin);
      api = createAdminClient({ baseUrl: origin });

      const call = (name: string, args: Record<string, unknown>) =>
        proxy.client.callTool({ name, arguments: args }).then(traceOf);
      calls.echo = await call('everything__echo', { message: 'which content went in?' });
      calls.graph1 = await call('memory__read_graph', {});
      calls.create = await call('memory__create_entities', {
        entities: [{ name: 'Ada', entityType: 'person', observations: ['wrote code'] }],
      });
      calls.graph2 = await call('memory__read_graph', {});
      // The writer stores captures in the background: wait until all four can be read back.
      sessionId = await until(async () => {
        const [session] = await api.traces.sessions();
        const response = await api.traces.response(calls.echo.responseId).catch(() => undefined);
        return session?.captures === 4 && response?.unitCount === 4 && session.sessionId;
      }, 'the four captures to be stored');

      ({ page, errors } = await openPage(browser));
    });

    afterAll(async () => {
      await browser?.close();
      await proxy?.close();
      workspace.remove();
    });

    const views = () => [
      { name: 'home', path: '#/tracing', ready: `[data-session="${sessionId}"]` },
      { name: 'session', path: `#/tracing/sessions/${sessionId}`, ready: '.capture' },
      {
        name: 'response',
        path: `#/tracing/responses/${calls.echo.responseId}`,
        ready: '.bars li',
      },
      { name: 'unit', path: `#/tracing/units/${calls.graph2.unitId}`, ready: '.versions li' },
    ];

    it('made one response of the four calls, and version 2 of the changed graph', async () => {
      expect(sessionId).not.toBe('');
      const responses = new Set(Object.values(calls).map((c) => c.responseId));
      expect(responses.size).toBe(1);
      expect(calls.graph2.unitId).not.toBe(calls.graph1.unitId);
      const graph2 = await api.traces.unit(calls.graph2.unitId);
      expect(graph2).toMatchObject({ version: 2, previousVersionId: calls.graph1.unitId });
    });

    it('lists the session and its open response, reached from the nav', async () => {
      await page.goto(`${origin}/#/`);
      await page
        .getByRole('navigation', { name: 'Main' })
        .getByRole('link', { name: 'Tracing', exact: true })
        .click();
      await page.locator(`[data-session="${sessionId}"]`).waitFor();
      const row = page.locator(`tr[data-response="${calls.echo.responseId}"]`);
      await row.waitFor();
      expect(await row.locator('[data-status]').textContent()).toBe('open');
      expect(await row.locator('td[data-label="Units"]').textContent()).toBe('4');
      expect(await page.locator('.trace-stats [data-dropped]').getAttribute('data-dropped')).toBe(
        '0',
      );
      await page.locator(`[data-session="${sessionId}"] a`).click();
      await page.locator(`tr[data-response="${calls.echo.responseId}"]`).waitFor();
    });

    it('shows the timeline of the calls in order, grouped by response, and refreshes', async () => {
      const captures = page.locator('.trace-group').first().locator('.capture-what');
      await expect
        .poll(() => captures.allTextContents())
        .toEqual([
          'tool everything / echo',
          'tool memory / read_graph',
          'tool memory / create_entities',
          'tool memory / read_graph',
        ]);
      // The event stream has no tracing events: a new call shows after Refresh.
      await proxy.client.callTool({ name: 'everything__echo', arguments: { message: 'later' } });
      await until(
        async () => (await api.traces.timeline(sessionId)).length === 5,
        'the fifth capture to be stored',
      );
      await page.getByRole('button', { name: 'Refresh' }).click();
      await expect.poll(() => page.locator('.capture').count()).toBe(5);
    });

    it('closes the open response from the session view', async () => {
      const row = page.locator(`tr[data-response="${calls.echo.responseId}"]`);
      await row.getByRole('button', { name: 'Close response' }).click();
      await row.locator('[data-status="closed"]').waitFor();
      expect(await row.locator('td[data-label="Closed by"]').textContent()).toBe('explicit');
    });

    it("shows the response's contexts as bars whose weights sum to 100%", async () => {
      await page.locator(`a[href="#/tracing/responses/${calls.echo.responseId}"]`).first().click();
      await page.locator('.bars li').first().waitFor();
      const weights = await Promise.all(
        (await page.locator('.bars li').all()).map(async (li) =>
          Number(await li.getAttribute('data-weight')),
        ),
      );
      // The four calls and the one made before Refresh.
      expect(weights).toHaveLength(5);
      expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
      expect([...weights].sort((a, b) => b - a)).toEqual(weights);
      // The bar's width is its weight.
      const [track, bar] = await Promise.all([
        page.locator('.bar-track').first().boundingBox(),
        page.locator('.bar').first().boundingBox(),
      ]);
      expect((bar?.width ?? 0) / (track?.width ?? 1)).toBeCloseTo(weights[0] ?? 0, 1);
      expect(await page.locator('.bars').textContent()).toContain('everything / echo');
      expect(await page.locator('main').textContent()).toContain('No answer recorded');
    });

    it('opens a unit with its versions and impact', async () => {
      await page.locator(`.bars a[href="#/tracing/units/${calls.graph2.unitId}"]`).click();
      await page.locator('.versions li').first().waitFor();
      expect(await page.locator('#trace-view-title').textContent()).toBe('memory / read_graph');
      expect(await page.locator('.versions li').count()).toBe(2);
      expect(await page.locator('.versions [aria-current]').textContent()).toContain('v2');
      expect(
        await page.locator(`.versions a[href="#/tracing/units/${calls.graph1.unitId}"]`).count(),
      ).toBe(1);
      expect(
        await page
          .locator(`.bars a[href="#/tracing/responses/${calls.echo.responseId}"]`)
          .textContent(),
      ).toContain('Response');
      expect(await page.locator('.unit-facts [data-score]').textContent()).toBe('0.00');
    });

    it("submits feedback from the response page and the unit's score changes", async () => {
      await page.goto(`${origin}/#/tracing/responses/${calls.echo.responseId}`);
      await page.locator('.bars li').first().waitFor();
      await page.locator('#feedback-score-number').fill('0.6');
      expect(await page.locator('#feedback-score').inputValue()).toBe('0.6');
      await page.getByLabel('Comment').fill('the graph answered it');
      await page.getByLabel('User').fill('ada');
      await page.getByRole('button', { name: 'Submit feedback' }).click();
      const outcome = page.locator('.feedback-result');
      await outcome.waitFor();
      expect(await outcome.textContent()).toContain('5 units updated');
      expect(await outcome.locator(`[data-unit="${calls.graph2.unitId}"]`).textContent()).toContain(
        '0.00 → +0.60',
      );
      await page.locator('.feedback-list li', { hasText: 'the graph answered it' }).waitFor();
      await until(
        async () => (await api.traces.unit(calls.graph2.unitId)).feedbackCount === 1,
        'the rating to reach the unit',
      );
      await page.goto(`${origin}/#/tracing/units/${calls.graph2.unitId}`);
      await expect.poll(() => page.locator('.unit-facts [data-score]').textContent()).toBe('+0.60');
      // Rated +0.6, every unit of the response is now a top context.
      await page.goto(`${origin}/#/tracing`);
      await page.locator('[aria-label="Top contexts"] li').first().waitFor();
      expect(await page.locator('[aria-label="Top contexts"] li').count()).toBe(5);
    });

    it('fits 390 pixels on every view and takes screenshots at 1280 and 390', async () => {
      for (const width of [1280, 390]) {
        await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
        for (const view of views()) {
          await page.goto(`${origin}/${view.path}`);
          await page.locator(view.ready).first().waitFor();
          if (width === 390)
            expect({ view: view.name, width: await scrollWidth(page) }).toEqual({
              view: view.name,
              width: 390,
            });
          if (view.name === 'response') await screenshot(page, `tracing-${width}`);
          if (view.name !== 'response' && width === 1280)
            await screenshot(page, `tracing-${view.name}-1280`);
        }
      }
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    it('has no serious or critical axe finding on any view, light or dark', async () => {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        for (const view of views()) {
          await page.goto(`${origin}/${view.path}`);
          await page.locator(view.ready).first().waitFor();
          expect({
            view: view.name,
            colorScheme,
            findings: await seriousAxeFindings(page),
          }).toEqual({ view: view.name, colorScheme, findings: [] });
        }
      }
      await page.emulateMedia({ colorScheme: 'light' });
    });

    it('logged no console error and no failed request', () => {
      expect(errors).toEqual([]);
    });

    it('makes dropped writes stand out with the last error', async () => {
      const stats = await api.traces.stats();
      const dropped = {
        ...stats,
        dropped: 3,
        lastError: { message: 'database is locked', at: Date.now() },
      };
      await page.route('**/api/traces/stats', (route) => route.fulfill({ json: dropped }));
      try {
        await page.goto(`${origin}/#/tracing`);
        const alert = page.getByRole('alert').filter({ hasText: 'dropped' });
        await alert.waitFor();
        expect(await alert.textContent()).toContain('3 trace writes were dropped');
        expect(await alert.textContent()).toContain('database is locked');
        expect(await page.locator('.trace-stats [data-dropped="3"]').getAttribute('class')).toBe(
          'tone-bad',
        );
      } finally {
        await page.unroute('**/api/traces/stats');
      }
    });

    it('says so when a response does not exist, with a retry', async () => {
      const before = errors.length;
      await page.goto(`${origin}/#/tracing/responses/resp_missing`);
      const notice = page.locator('.notice-error', { hasText: 'Could not load response' });
      await notice.waitFor();
      expect(await notice.textContent()).toContain('no response "resp_missing"');
      expect(await notice.getByRole('button', { name: 'Try again' }).count()).toBe(1);
      expect(errors.splice(before).every((e) => e.includes('404'))).toBe(true);
    });

    it('explains how to turn tracing on when the proxy has it off', async () => {
      const off = await withProxy(
        { servers: { everything: everythingServer() }, contextTracing: { enabled: false } },
        { client: false },
      );
      const { page: offPage, errors: offErrors } = await openPage(browser, {
        width: 390,
        height: 844,
      });
      try {
        await offPage.goto(`${off.url.origin}/#/tracing`);
        const notice = offPage.locator('.tracing-off');
        await notice.waitFor();
        expect(await notice.textContent()).toContain('contextTracing');
        expect(await offPage.locator('.trace-stats').count()).toBe(0);
        expect(await scrollWidth(offPage)).toBe(390);
        expect(await seriousAxeFindings(offPage)).toEqual([]);
        await offPage.setViewportSize({ width: 1280, height: 700 });
        await screenshot(offPage, 'tracing-off-1280');
        // The 404s of /api/traces are the proxy's way of saying "off": nothing else failed.
        expect(
          offErrors.filter(
            (e) => !/\/api\/traces\//.test(e) && !e.includes('status of 404 (Not Found)'),
          ),
        ).toEqual([]);
        expect(offErrors.some((e) => e.startsWith('http: 404'))).toBe(true);
      } finally {
        await offPage.close();
        await off.close();
      }
    });
  },
);
