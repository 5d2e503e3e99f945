// The browser demo in real Chromium (Debian's /usr/bin/chromium driven by playwright-core; in `npm run test:slow`,
// which CI runs): it computes in a worker on the WASM backend, redraws when a control changes, reports progress,
// cancels, never blocks the page for more than 100 ms once loaded, and leaves a screenshot in out/demo/demo.png;
// the digits page computes CNTKs of picked MNIST digits and leaves out/demo/digits.png. out/ is ignored by git; with
// UPDATE_FIGURES=1 the screenshots replace the committed ones in docs/demo/ (the README's).
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: a plain ESM script without declarations
import { bundleDemo, serveDemo } from '../../scripts/demo.mjs';
import { checkChromium, launchChromium } from '../helpers/chromium.js';

const screenshots = new URL(process.env.UPDATE_FIGURES === '1' ? '../../docs/demo/' : '../../out/demo/', import.meta.url);
const screenshot = (name: string) => fileURLToPath(new URL(name, screenshots));

const stateStartsWith = (page: Page, prefix: string, timeout = 60_000) =>
  page.waitForFunction((p) => document.body.dataset.state?.startsWith(p) ?? false, prefix, { timeout });

describe.skipIf(!checkChromium('the browser demo test'))('browser demo', () => {
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    mkdirSync(screenshots, { recursive: true });
    await bundleDemo();
    server = await serveDemo(0);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    server?.close();
  });

  it('computes in a worker, redraws, shows progress, cancels, and never blocks the page for 100 ms, from loading on', async () => {
    const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    // Every main-thread task longer than 50 ms, as the browser reports it.
    await page.addInitScript(() => {
      const tasks: { start: number; duration: number }[] = [];
      (window as unknown as { longTasks: typeof tasks }).longTasks = tasks;
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) tasks.push({ start: entry.startTime, duration: entry.duration });
      }).observe({ type: 'longtask', buffered: true });
    });
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await stateStartsWith(page, 'ready:relu');
    const loadedAt = await page.evaluate(() => performance.now());
    // The page is cross-origin isolated, so the worker runs the relaxed-SIMD build on threads of its own.
    expect(await page.textContent('#backend')).toMatch(/^wasm \(relaxed SIMD, [2-9]\d* threads, in a worker\)$/);
    const statsBefore = await page.textContent('#stats');
    const plotBefore = await page.innerHTML('#plot');
    expect(plotBefore).toContain('<svg');
    expect(statsBefore).toMatch(/training loss [\d.]+ → [\d.e+-]+/);

    await page.selectOption('#activation', 'erf');
    await stateStartsWith(page, 'ready:erf');
    expect(await page.textContent('#stats')).not.toBe(statsBefore);
    expect(await page.innerHTML('#plot')).not.toBe(plotBefore);
    await page.screenshot({ path: screenshot('demo.png') });

    // A long run (width 4096, 10⁴ steps): progress moves while the page answers, then Cancel stops it.
    await page.selectOption('#width', '4096');
    await page.fill('#time', '4');
    await page.dispatchEvent('#time', 'input');
    await stateStartsWith(page, 'running:erf:1:4096:10000');
    // Until the new result is drawn, the plot of the one before is greyed and the title says which is which.
    const shownBefore = '(grey: the previous result, erf, depth 1, width 1024, 100 steps)';
    expect(await page.textContent('#plot-title')).toBe(`computing erf, depth 1, width 4096, 10000 steps… ${shownBefore}`);
    expect(await page.getAttribute('#plot', 'data-stale')).toBe('');
    await page.waitForFunction(() => (document.getElementById('progress') as HTMLProgressElement).value > 0, undefined, { timeout: 60_000 });
    const answered = await page.evaluate(async () => {
      const started = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 0));
      return performance.now() - started;
    });
    expect(answered).toBeLessThan(100);
    await page.click('#cancel');
    await stateStartsWith(page, 'cancelled:erf:1:4096:10000', 10_000);
    expect(await page.textContent('#stats')).toMatch(/^cancelled after \d+ ms$/);
    // The plot still shows the result before, greyed, and the title says the new setting was cancelled.
    expect(await page.textContent('#plot-title')).toBe(`cancelled: erf, depth 1, width 4096, 10000 steps ${shownBefore}`);
    expect(await page.getAttribute('#plot', 'data-stale')).toBe('');

    // After cancelling, the next setting computes as before, and its plot is no longer greyed.
    await page.selectOption('#width', '64');
    await page.fill('#time', '1');
    await page.dispatchEvent('#time', 'input');
    await stateStartsWith(page, 'ready:erf:1:64:10');
    expect(await page.textContent('#plot-title')).toBe('erf, depth 1, width 64, 10 steps');
    expect(await page.getAttribute('#plot', 'data-stale')).toBeNull();

    const longTasks = await page.evaluate(() => (window as unknown as { longTasks: { start: number; duration: number }[] }).longTasks);
    const afterLoad = longTasks.filter((task) => task.start >= loadedAt);
    console.log(
      `demo: longest main-thread task ${Math.max(0, ...longTasks.map((t) => t.duration)).toFixed(0)} ms in all, ` +
        `${Math.max(0, ...afterLoad.map((t) => t.duration)).toFixed(0)} ms after the first result`,
    );
    // Loading included: the bundle evaluates and the chart compiles in steps.
    expect(longTasks.filter((task) => task.duration > 100)).toEqual([]);
    expect(errors).toEqual([]);
  }, 180_000);

  it('the digits page computes the CNTK of the digits picked, in a worker, with progress, and cancels', async () => {
    const page = await browser.newPage({ viewport: { width: 860, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/digits.html`);
    await stateStartsWith(page, 'ready:cntk:5');
    expect(await page.locator('#digits canvas').count()).toBe(20);
    const cells = () => page.$$eval('#matrix td', (tds) => tds.map((td) => Number(td.textContent)));
    const first = await cells();
    expect(first.length).toBe(25);
    // The normalized kernel: 1 on the diagonal, below 1 elsewhere.
    first.forEach((v, e) => (e % 6 === 0 ? expect(v).toBe(1) : expect(v).toBeLessThan(1)));
    // Two more digits, then the MLP NTK of the same seven for comparison.
    await page.click('#digits canvas[data-index="1"]');
    await page.click('#digits canvas[data-index="19"]');
    await page.click('#compute');
    await stateStartsWith(page, 'ready:cntk:7');
    expect(await page.evaluate(() => (document.getElementById('progress') as HTMLProgressElement).value)).toBe(1);
    expect((await cells()).length).toBe(49);
    // The colours span the table's own off-diagonal range (lightest at its smallest value, darkest at its
    // largest), and the legend gives that range; the diagonal is uncoloured.
    const colours = await page.$$eval('#matrix td', (tds) => tds.map((td) => ({ value: Number(td.textContent), background: td.style.background })));
    const offDiagonal = colours.filter((_, e) => e % 8 !== 0);
    // The browser writes an opaque rgba() as rgb().
    const alpha = (background: string) => (background.startsWith('rgb(') ? 1 : Number(/^rgba\(31, 119, 180, ([\d.]+)\)$/.exec(background)?.[1]));
    const values = offDiagonal.map((c) => c.value);
    const alphas = offDiagonal.map((c) => alpha(c.background));
    expect([Math.min(...alphas), Math.max(...alphas)]).toEqual([0.08, 1]);
    expect(offDiagonal[alphas.indexOf(0.08)].value).toBe(Math.min(...values));
    expect(offDiagonal[alphas.indexOf(1)].value).toBe(Math.max(...values));
    expect(colours.filter((_, e) => e % 8 === 0).every((c) => c.background === '')).toBe(true);
    expect(await page.textContent('#legend .low')).toBe(Math.min(...values).toFixed(3));
    expect(await page.textContent('#legend .high')).toBe(Math.max(...values).toFixed(3));
    expect(await page.textContent('#matrix-title')).toBe('CNTK (flatten) of 7 digits');
    await page.screenshot({ path: screenshot('digits.png') });
    await page.selectOption('#kernel', 'mlp');
    await page.click('#compute');
    await stateStartsWith(page, 'ready:mlp:7');
    expect(await page.textContent('#stats')).toMatch(/^MLP NTK of 7 digits in \d+ ms \(in a worker\)$/);
    // The globalAvgPool CNTK of every digit (every pair of 784 pixels per pair of digits) takes seconds: progress moves, Cancel stops it.
    await page.selectOption('#kernel', 'gap');
    for (let i = 0; i < 20; i++)
      if ((await page.getAttribute(`#digits canvas[data-index="${i}"]`, 'aria-pressed')) === 'false') await page.click(`#digits canvas[data-index="${i}"]`);
    await page.click('#compute');
    await stateStartsWith(page, 'running:gap:20');
    await page.waitForFunction(() => (document.getElementById('progress') as HTMLProgressElement).value > 0, undefined, { timeout: 60_000 });
    await page.click('#cancel');
    await stateStartsWith(page, 'cancelled:gap:20', 30_000);
    expect(await page.textContent('#stats')).toMatch(/^cancelled after \d+ ms$/);
    // The table before stays, greyed, and the title says which kernel it is.
    expect(await page.textContent('#matrix-title')).toBe('cancelled: the CNTK (globalAvgPool) of 20 digits (grey: the previous table, MLP NTK of 7 digits)');
    expect(await page.getAttribute('#matrix', 'data-stale')).toBe('');
    // And the page computes again afterwards.
    await page.selectOption('#kernel', 'cntk');
    await page.click('#compute');
    await stateStartsWith(page, 'ready:cntk:20');
    expect(errors).toEqual([]);
  }, 180_000);
});
