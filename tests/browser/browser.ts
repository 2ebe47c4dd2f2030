import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import axe from 'axe-core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { repoRoot } from '../integration/helpers.js';

/** The Chromium the browser tests drive; CI installs it, a machine without it skips them. */
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
export const skipReason = `skipped: no Chromium at ${CHROMIUM} (install the chromium package to run the dashboard's browser tests)`;
if (!hasChromium) console.warn(`tests/browser: ${skipReason}`);

/**
 * Where the test run writes the pages' screenshots: a temp dir, so that a test run changes nothing
 * in the repository; `SWITCHYARD_SCREENSHOTS=docs/screenshots` (relative to the repository) writes
 * the copies shown in docs/dashboard.md instead.
 */
export const screenshotDir = process.env.SWITCHYARD_SCREENSHOTS
  ? resolve(repoRoot, process.env.SWITCHYARD_SCREENSHOTS)
  : mkdtempSync(join(tmpdir(), 'switchyard-screenshots-'));

/** The built dashboard the proxy serves; the tests drive the real build, so it must exist. */
export function assertDashboardBuilt(): void {
  if (!existsSync(join(repoRoot, 'apps/dashboard/dist/index.html')))
    throw new Error(
      'apps/dashboard/dist is missing: build it with `pnpm --filter @switchyard/dashboard build` (npm test builds it first)',
    );
}

const entryOf = (html: string) => /\/assets\/index-[\w-]+\.js/.exec(html)?.[0];

/**
 * Fails unless the proxy at `origin` serves the build in apps/dashboard/dist: a proxy built
 * earlier serves its own copy (apps/proxy/dist/dashboard), which may be older.
 */
export async function assertServesThisBuild(origin: string): Promise<void> {
  const built = entryOf(readFileSync(join(repoRoot, 'apps/dashboard/dist/index.html'), 'utf8'));
  const served = entryOf(await (await fetch(`${origin}/`)).text());
  if (built !== served)
    throw new Error(
      `the proxy serves ${served ?? 'no dashboard'}, not this build's ${built}: rebuild with \`pnpm build\` so its copy in apps/proxy/dist/dashboard is current`,
    );
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Console errors and uncaught exceptions of a page, as they happen. */
/**
 * A page of `browser` at a desktop width, with a default timeout shorter than a test's own (so a
 * failure names the element that never came), and the errors it collects from now on.
 */
export async function openPage(
  browser: Browser,
  viewport = { width: 1280, height: 900 },
): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport });
  page.setDefaultTimeout(10_000);
  return { page, errors: collectErrors(page) };
}

export function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  // The console's "Failed to load resource" does not say which: the responses do.
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`http: ${response.status()} ${response.url()}`);
  });
  return errors;
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  targets: string[];
}

/**
 * axe-core on the page as it is, with only serious and critical findings returned. The source is
 * evaluated over the DevTools protocol, which the dashboard's Content-Security-Policy (no inline
 * scripts) does not govern.
 */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  // Expressions as strings: this file is compiled for Node, without the DOM's types.
  if (!(await page.evaluate<boolean>("'axe' in window"))) await page.evaluate(axe.source);
  const results = await page.evaluate<axe.AxeResults>(
    "axe.run(document, { resultTypes: ['violations'] })",
  );
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
}

/** The page's width as laid out: wider than the viewport means horizontal scrolling. */
export function scrollWidth(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth');
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: join(screenshotDir, `${name}.png`), fullPage: true });
}
