import { readFileSync } from 'node:fs';

/** Parses test/fixtures/<name>.json. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../fixtures/${name}.json`, import.meta.url), 'utf8')) as T;
}

export type Rows = number[][];
