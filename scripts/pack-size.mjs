// What `npm pack` ships from a fresh clone of this tree: the files git has (tracked, and new ones it does not ignore)
// copied to a scratch directory, built there as `prepack` builds (`npm run build`), then `npm pack --dry-run --json`.
// Not the tarball of this checkout, whose dist/ keeps the output of modules removed since it was first built. Prints
// the tarball's file count and sizes and writes them to docs/figures.json (its part `pack`), then the figures of
// README.md and docs/guide.md; `--no-write` only prints.
// Usage: node scripts/pack-size.mjs [--no-write]
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { kB, revision, today, updateDocuments, writeFigures } from './figures.mjs';

const { values } = parseArgs({ options: { 'no-write': { type: 'boolean', default: false } }, strict: true });
const root = fileURLToPath(new URL('..', import.meta.url));

const scratch = mkdtempSync(join(tmpdir(), 'ntk-pack-'));
let packed;
try {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)));
  for (const file of files) cpSync(join(root, file), join(scratch, file));
  symlinkSync(join(root, 'node_modules'), join(scratch, 'node_modules'), 'dir');
  console.error(`pack-size: ${files.length} files copied to ${scratch}; npm run build there`);
  execFileSync('npm', ['run', 'build'], { cwd: scratch, stdio: ['ignore', 'ignore', 'inherit'] });
  [packed] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: scratch, encoding: 'utf8' }));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}

const pack = { date: today(), revision: revision(), files: packed.entryCount, size: packed.size, unpackedSize: packed.unpackedSize };
console.log(`npm pack: ${pack.files} files, ${kB(pack.size)} (${kB(pack.unpackedSize)} unpacked), ${pack.revision}`);
if (!values['no-write']) {
  writeFigures('pack', pack);
  updateDocuments();
}
