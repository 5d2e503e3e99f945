// Debian's Chromium driven by playwright-core, as the browser tests launch it. CI installs it (.ci/run);
// elsewhere a machine without it skips those tests, and says so.
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const chromiumAvailable = existsSync(CHROMIUM);

/** Fails under CI without Chromium, warns elsewhere; returns whether the tests can run. */
export function checkChromium(what: string): boolean {
  if (!chromiumAvailable && process.env.CI) throw new Error(`${CHROMIUM} is missing; .ci/run installs it with apt-get`);
  if (!chromiumAvailable) console.warn(`skipping ${what}: ${CHROMIUM} is not installed (apt-get install chromium)`);
  return chromiumAvailable;
}

/** Headless Chromium with the flags this machine's closed network needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
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
