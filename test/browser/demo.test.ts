// The browser demo in real Chromium (Debian's /usr/bin/chromium driven by playwright-core): it loads on
// the WASM backend, redraws when a control changes, and leaves a screenshot in docs/demo/screenshot.png.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, chromium } from 'playwright-core';
// @ts-expect-error: a plain ESM script without declarations
import { bundleDemo, serveDemo } from '../../scripts/demo.mjs';

const CHROMIUM = '/usr/bin/chromium';
// CI installs Chromium (.ci/run); elsewhere a machine without it skips, and says so.
const available = existsSync(CHROMIUM);
if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing; .ci/run installs it with apt-get`);
if (!available) console.warn(`skipping the browser demo test: ${CHROMIUM} is not installed (apt-get install chromium)`);

describe.skipIf(!available)('browser demo', () => {
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    await bundleDemo();
    server = await serveDemo(0);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('runs on wasm, redraws when a control changes, and saves a screenshot', async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => document.body.dataset.state?.startsWith('ready:relu'), undefined, { timeout: 30_000 });
    // The demo server sends COOP/COEP headers, so Chromium runs the relaxed-SIMD build on worker threads.
    expect(await page.textContent('#backend')).toMatch(/^wasm \(relaxed SIMD, [2-9]\d* threads\)$/);
    const statsBefore = await page.textContent('#stats');
    const plotBefore = await page.innerHTML('#plot');
    expect(plotBefore).toContain('<polyline');
    expect(statsBefore).toMatch(/training loss [\d.]+ → [\d.e+-]+/);

    await page.selectOption('#activation', 'erf');
    await page.waitForFunction(() => document.body.dataset.state?.startsWith('ready:erf'), undefined, { timeout: 30_000 });
    expect(await page.textContent('#stats')).not.toBe(statsBefore);
    expect(await page.innerHTML('#plot')).not.toBe(plotBefore);
    await page.screenshot({ path: new URL('../../docs/demo/screenshot.png', import.meta.url).pathname });
    expect(errors).toEqual([]);
  }, 90_000);
});
