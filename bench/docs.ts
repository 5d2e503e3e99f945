import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/** The commit measured, and whether src/ or assembly/ differ from it (one definition, shared with the figures' writers). */
export { revision } from '../scripts/figures.mjs';

const DOCS = new URL('../docs/benchmarks.md', import.meta.url);

/**
 * Replaces the part of docs/benchmarks.md that `command` writes, between `<!-- command: begin -->` and
 * `<!-- command: end -->` (added at the end the first time), leaving the rest of the file as it is.
 */
export function writeSection(command: string, markdown: string): void {
  const begin = `<!-- ${command}: begin -->`;
  const end = `<!-- ${command}: end -->`;
  const text = existsSync(DOCS) ? readFileSync(DOCS, 'utf8') : '# Benchmarks\n';
  const from = text.indexOf(begin);
  const to = text.indexOf(end);
  const section = `${begin}\n${markdown.trim()}\n${end}`;
  writeFileSync(DOCS, from >= 0 && to > from ? text.slice(0, from) + section + text.slice(to + end.length) : `${text.trimEnd()}\n\n${section}\n`);
}
