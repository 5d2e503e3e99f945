import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const DOCS = new URL('../docs/benchmarks.md', import.meta.url);

/** The commit measured, and whether src/ or assembly/ differ from it. */
export function revision(): string {
  const git = (...args: string[]) => execFileSync('git', args, { encoding: 'utf8', cwd: new URL('..', import.meta.url) }).trim();
  try {
    const changed = git('status', '--porcelain', '--', 'src', 'assembly') !== '';
    return `commit ${git('rev-parse', '--short', 'HEAD')}${changed ? ' with uncommitted changes in src/ or assembly/' : ''}`;
  } catch {
    return 'not a git checkout';
  }
}

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
