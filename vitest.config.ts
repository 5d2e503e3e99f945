import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// Debian's Chromium (.ci/run installs it). Without it the browser project is left out, with a warning,
// except in CI, where its absence must fail the run.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && !process.env.CI) console.warn(`vitest: ${CHROMIUM} not found; the browser project is skipped (apt-get install chromium)`);

/**
 * The backend-parametrized specs that also run in the browser: every area, with the WASM module, its memory and
 * its threads as a page has them. Left to Node: the four heaviest specs of pure computation on the same module
 * (finite/ntk, linalg.spectra, predict/ridge, predict/falkon; 12 s of the browser run), so that `npm test` stays
 * under 4 minutes with another process busy.
 */
const BROWSER_SPECS = [
  'test/linalg.test.ts', 'test/matrix.test.ts', 'test/kernels/*.test.ts',
  'test/finite/mlp.test.ts', 'test/finite/network.test.ts', 'test/finite/linearize.test.ts',
  'test/predict/euler.test.ts', 'test/predict/gp.test.ts', 'test/predict/gradientDescentMse.test.ts',
  'test/hardening/robustness.test.ts', 'test/hardening/catalogue.test.ts', 'test/backend/wasm/threads.test.ts',
  'test/numerics.test.ts', 'test/chunks.test.ts', 'test/infinite/infinite.test.ts', 'test/model/conv.test.ts', 'test/model/layers.test.ts',
  // JavaScript called back from the WASM passes (elementwise) and the masks' hash (dropout), as a page runs them.
  'test/ops/elementwise.test.ts', 'test/ops/dropout.test.ts',
];

/**
 * Specs that read the library's global state as a fresh process has it (the backend before ready(), dispose(), the
 * WASM heap's pinned bytes at 0): each in a module of its own. The others share one module per worker (isolate: false),
 * which spares every file the library's import and the WASM module's compilation and threads: half the node project's
 * time here.
 */
const FRESH_STATE_SPECS = [
  'test/backend/lifecycle.test.ts', 'test/backend/registry.test.ts', 'test/hardening/catalogue.test.ts', 'test/hardening/soak.test.ts',
  'test/kernels/rows.test.ts', 'test/linalg.spectra.test.ts', 'test/predict/ensemble.test.ts', 'test/predict/falkon.test.ts',
  'test/predict/gradientDescent.test.ts',
];

// Node 20 validates relaxed SIMD only behind a flag; with it the suite can load both builds. --expose-gc lets
// the lifecycle test see memory come back after dispose(). Lazy compilation compiles a WASM function when it is first
// called: each test file instantiates the module on two threads and calls a few of its functions (5 % of the node
// project's time here).
const NODE_ARGS = ['--experimental-wasm-relaxed-simd', '--expose-gc', '--wasm-lazy-compilation'];

// The machine has 2 cores and every test file runs the WASM kernels on 2 threads (the calling one and a
// worker): one test file at a time, and the projects one after the other (groupOrder), so nothing is
// oversubscribed and timeouts hold on a busy machine.
export default defineConfig({
  test: {
    maxWorkers: 1,
    projects: [
      {
        test: {
          name: 'node', testTimeout: 60_000, hookTimeout: 60_000, include: ['test/**/*.test.ts'], exclude: ['test/**/*.slow.test.ts', ...FRESH_STATE_SPECS],
          environment: 'node', execArgv: NODE_ARGS, isolate: false, sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'node-fresh', testTimeout: 60_000, hookTimeout: 60_000, include: FRESH_STATE_SPECS, environment: 'node',
          execArgv: NODE_ARGS, sequence: { groupOrder: 0 },
        },
      },
      // Minutes of CPU, run by `npm run test:slow` (and CI) only: convergence as the width grows, fuzzing at more
      // seeds, the package as users get it (packed, type-checked, bundled by esbuild, Vite and webpack), and the
      // browser demo, whose 100 ms bound on page tasks wants a core of its own.
      {
        test: {
          name: 'slow', include: ['test/**/*.slow.test.ts'], environment: 'node', execArgv: NODE_ARGS,
          testTimeout: 600_000, hookTimeout: 600_000, sequence: { groupOrder: 2 },
        },
      },
      ...(hasChromium || process.env.CI
        ? [{
            // Cross-origin isolation, so the page may share WASM memory with worker threads.
            server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
            test: {
              name: 'chromium', testTimeout: 60_000, hookTimeout: 60_000,
              sequence: { groupOrder: 1 },
              include: BROWSER_SPECS,
              browser: {
                enabled: true,
                headless: true,
                screenshotFailures: false,
                provider: playwright({
                  launchOptions: {
                    executablePath: CHROMIUM,
                    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
                  },
                }),
                instances: [{ browser: 'chromium' as const }],
              },
            },
          }]
        : []),
    ],
  },
});
