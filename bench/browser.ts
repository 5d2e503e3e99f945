// The library as a page meets it, in Chromium (Debian's /usr/bin/chromium driven by playwright-core): (a) the
// demo's first result, from navigation until the page shows it, in a fresh browser (a new profile: no cache) and on
// reloads; (b) the worker API: the first call after spawnWorker() resolves against the later calls, for a small op
// and a medium one, each run in a fresh browser. Writes its table into docs/benchmarks.md.
// Usage: npm run bench:browser [-- --runs <fresh browsers per measurement, default 5>] [--no-write]
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import type { Browser } from 'playwright-core';
// @ts-expect-error: a plain ESM script without declarations
import { PAGE_BUILD, bundleDemo, serveDemo } from '../scripts/demo.mjs';
import { launchChromium } from '../scripts/chromium.mjs';
import type { WorkerTimes } from './browser-page.js';
import { revision, writeSection } from './docs.js';

const RELOADS = 2;

interface DemoTimes {
  /** From navigation: the page's script starts, and the first result is in the page. */
  scriptMs: number;
  resultMs: number;
  /** The demo's own time for computing that result in its worker ("computed in … ms"). */
  computeMs: number;
}

function parseArguments(): { runs: number; write: boolean } {
  try {
    const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, 'no-write': { type: 'boolean', default: false } }, strict: true });
    const runs = Number(values.runs);
    if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
    return { runs, write: !values['no-write'] };
  } catch (error) {
    console.error(`${(error as Error).message}\nusage: npm run bench:browser [-- --runs <n>] [--no-write]`);
    process.exit(1);
  }
}

let version = '';
async function launch(): Promise<Browser> {
  const browser = await launchChromium();
  version = browser.version();
  return browser;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const spread = (values: number[]) => `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;

/** One fresh browser: the demo loaded, then reloaded RELOADS times. */
async function demoRun(url: string): Promise<{ cold: DemoTimes; warm: DemoTimes[] }> {
  const browser = await launch();
  try {
    const page = await browser.newPage({ viewport: { width: 820, height: 900 } });
    // The moment the demo marks its first result (data-state "ready:…", set once the chart and numbers are in).
    await page.addInitScript(() => {
      const w = window as unknown as { firstResult?: number };
      new MutationObserver(() => {
        if (w.firstResult === undefined && document.body?.dataset.state?.startsWith('ready:')) w.firstResult = performance.now();
      }).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-state'] });
    });
    const times = async (): Promise<DemoTimes> => {
      await page.waitForFunction(() => (window as unknown as { firstResult?: number }).firstResult !== undefined, undefined, { timeout: 120_000 });
      const { scriptMs, resultMs, stats } = await page.evaluate(() => ({
        scriptMs: performance.getEntriesByName('module-start')[0]?.startTime ?? NaN,
        resultMs: (window as unknown as { firstResult: number }).firstResult,
        stats: document.getElementById('stats')?.textContent ?? '',
      }));
      return { scriptMs, resultMs, computeMs: Number(/computed in (\d+) ms/.exec(stats)?.[1]) };
    };
    await page.goto(url);
    const cold = await times();
    const warm: DemoTimes[] = [];
    for (let i = 0; i < RELOADS; i++) {
      await page.reload();
      warm.push(await times());
    }
    return { cold, warm };
  } finally {
    await browser.close();
  }
}

/** The worker page (bench/browser-page.ts) in a fresh browser, served beside the demo with the same headers. */
async function workerRun(origin: string, files: Map<string, Uint8Array>, op: string): Promise<WorkerTimes> {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.route(`${origin}/bench/**`, (route) => {
      const name = basename(new URL(route.request().url()).pathname);
      const body = name === 'worker.html' ? '<!doctype html><meta charset="utf-8"><script type="module" src="./browser-page.js"></script>' : files.get(name);
      return body === undefined
        ? route.fulfill({ status: 404 })
        : route.fulfill({
            body: typeof body === 'string' ? body : Buffer.from(body),
            contentType: name.endsWith('.html') ? 'text/html' : 'text/javascript',
            headers: { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' },
          });
    });
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`${origin}/bench/worker.html?op=${op}`);
    await page
      .waitForFunction(() => 'benchResult' in window, undefined, { timeout: 120_000 })
      .catch((error: Error) => {
        throw new Error(`${error.message}\n${errors.join('\n')}`);
      });
    return await page.evaluate(() => (window as unknown as { benchResult: WorkerTimes }).benchResult);
  } finally {
    await browser.close();
  }
}

const { runs, write } = parseArguments();
await bundleDemo();
const server: Server = await serveDemo(0);
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const { outputFiles } = await build({
  ...PAGE_BUILD,
  entryPoints: [new URL('./browser-page.ts', import.meta.url).pathname],
  outdir: 'bench-page',
  write: false,
});
const files = new Map((outputFiles ?? []).map((file) => [basename(file.path), file.contents]));
try {
  const demo: { cold: DemoTimes; warm: DemoTimes[] }[] = [];
  for (let i = 0; i < runs; i++) {
    demo.push(await demoRun(`${origin}/`));
    const { cold, warm } = demo.at(-1)!;
    console.log(`demo: first result ${cold.resultMs.toFixed(0)} ms in a fresh browser, ${warm.map((w) => w.resultMs.toFixed(0)).join(', ')} ms on reloads`);
  }
  const ops = { small: 'matmul 8×8', medium: 'matmul 512×512' };
  const worker: Record<string, WorkerTimes[]> = {};
  for (const op of Object.keys(ops)) {
    worker[op] = [];
    for (let i = 0; i < runs; i++) {
      worker[op].push(await workerRun(origin, files, op));
      const { spawnMs, callsMs } = worker[op].at(-1)!;
      console.log(`worker ${op}: spawnWorker ${spawnMs.toFixed(0)} ms, calls ${callsMs.map((ms) => ms.toFixed(1)).join(' ')} ms`);
    }
  }
  const demoRow = (name: string, samples: DemoTimes[]) =>
    `| ${name} | ${samples.length} | ${spread(samples.map((s) => s.scriptMs))} | ${spread(samples.map((s) => s.resultMs))} | ${spread(samples.map((s) => s.computeMs))} |`;
  const workerRow = (op: string) => {
    const samples = worker[op];
    const later = samples.map((s) => median(s.callsMs.slice(1)));
    const fixed = (values: number[]) => `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
    return (
      `| ${ops[op as keyof typeof ops]} | ${spread(samples.map((s) => s.spawnMs))} | ${fixed(samples.map((s) => s.callsMs[0]))} | ` +
      `${fixed(later)} | ${fixed(samples.map((s, i) => s.callsMs[0] - later[i]))} |`
    );
  };
  const command = ['npm run bench:browser', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const markdown = [
    '## In the browser: `npm run bench:browser`',
    '',
    `Chromium ${version} (Debian's \`/usr/bin/chromium\`, headless, driven by playwright-core), the demo built and served`,
    'by `scripts/demo.mjs` (cross-origin isolated, so the worker runs the library on threads of its own:',
    `${worker.small[0].backend}). Each figure is the median over ${runs} runs, with the fastest and slowest in brackets.`,
    '',
    `**The demo's first result**: from navigation until the page has its first result (chart and numbers in the`,
    'page: `data-state` becomes `ready:…`), in a fresh browser (a new profile: no cache of any kind), then on',
    `${RELOADS} reloads of the same page in the same browser (the server sends no cache headers, so the files load again;`,
    "the browser's own caches are warm). Script start: navigation until the page's script runs. Computing: the",
    "demo's own time for that result, from its first request to the worker (its worker already up) to the result",
    '("computed in … ms").',
    '',
    '| demo | runs | script start ms | first result ms | of which computing ms |',
    '|---|---:|---:|---:|---:|',
    demoRow(
      'fresh browser',
      demo.map((d) => d.cold),
    ),
    demoRow(
      'reload',
      demo.flatMap((d) => d.warm),
    ),
    '',
    '**The worker API**: a page (`bench/browser-page.ts`) that calls `spawnWorker()` and then the same op ten times',
    'in a row, each call timed from the page until its result is there (inputs copied to the worker, the result moved',
    'back), in a fresh browser for every run. First call overhead: the first call less the median of calls 2–10,',
    'run by run.',
    '',
    '| op | spawnWorker() ms | first call ms | calls 2–10, median ms | first call overhead ms |',
    '|---|---:|---:|---:|---:|',
    ...Object.keys(ops).map(workerRow),
    '',
    `Command: \`${command}\` (${process.uptime().toFixed(0)} s), on ${revision()}, ${new Date().toISOString().slice(0, 10)}, ` +
      `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores.`,
  ].join('\n');
  console.log(`\n${markdown}`);
  if (write) {
    writeSection('npm run bench:browser', markdown);
    console.log('\nwrote its part of docs/benchmarks.md');
  }
} finally {
  server.close();
}
