// Whether the browser tests can run: CI installs Chromium (.ci/run); elsewhere a machine without it skips them, and
// says so. They launch it as bench:browser does (scripts/chromium.mjs).
import { existsSync } from 'node:fs';
import { CHROMIUM } from '../../scripts/chromium.mjs';

export { launchChromium } from '../../scripts/chromium.mjs';

/** Fails under CI without Chromium, warns elsewhere; returns whether the tests can run. */
export function checkChromium(what: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available && process.env.CI) throw new Error(`${CHROMIUM} is missing; .ci/run installs it with apt-get`);
  if (!available) console.warn(`skipping ${what}: ${CHROMIUM} is not installed (apt-get install chromium)`);
  return available;
}
