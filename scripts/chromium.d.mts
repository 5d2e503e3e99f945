// The types of scripts/chromium.mjs, for the browser tests and bench/browser.ts.
import type { Browser } from 'playwright-core';

/** Where Debian installs Chromium. */
export const CHROMIUM: string;
/** Headless Chromium with the flags this machine's closed network needs. */
export function launchChromium(): Promise<Browser>;
