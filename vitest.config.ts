import { existsSync } from 'node:fs';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';

// Debian's Chromium (.ci/run installs it). Without it the browser project is left out, with a warning,
// except in CI, where its absence must fail the run.
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && !process.env.CI) console.warn(`vitest: ${CHROMIUM} not found; the browser project is skipped (apt-get install chromium)`);

/** The backend-parametrized specs that also run in the browser. */
const BROWSER_SPECS = [
  'test/linalg.test.ts', 'test/matrix.test.ts', 'test/kernels/*.test.ts', 'test/nn/*.test.ts', 'test/predict/*.test.ts',
  'test/hardening/robustness.test.ts', 'test/hardening/catalogue.test.ts', 'test/backend/wasm/threads.test.ts',
];

export default defineConfig({
  test: {
    projects: [
      // Node 20 validates relaxed SIMD only behind a flag; with it the suite can load both builds.
      { test: { name: 'node', include: ['test/**/*.test.ts'], environment: 'node', execArgv: ['--experimental-wasm-relaxed-simd'] } },
      ...(hasChromium || process.env.CI
        ? [{
            // Cross-origin isolation, so the page may share WASM memory with worker threads.
            server: { headers: { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } },
            test: {
              name: 'chromium',
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
