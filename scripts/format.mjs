// Prettier over src/, test/, bench/, scripts/ and assembly/ (npm run format; `--check` lists the files it would change
// and fails). AssemblyScript's function decorators (`@inline function`) are not TypeScript, so they are formatted as
// the comments `/*@inline*/` and put back.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import prettier from 'prettier';
import { FUNCTION_DECORATOR } from './decorators.mjs';

const ROOTS = ['src', 'test', 'scripts', 'assembly', 'bench'];
const SKIP = ['src/backend/wasm/builds', 'src/backend/wasm/generated', 'src/remote/generated', 'assembly/generated'];
const check = process.argv.includes('--check');

const filesUnder = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (SKIP.includes(path)) return [];
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });

const hide = (text) => text.replace(FUNCTION_DECORATOR, '$1/*$2*/');
const restore = (text) => text.replace(/\/\*(@\w+(?:\([^)]*\))?)\*\/(?= (?:export |declare )?function)/g, '$1');

const changed = [];
for (const path of ROOTS.flatMap(filesUnder)) {
  const source = readFileSync(path, 'utf8');
  const options = { ...(await prettier.resolveConfig(path)), filepath: path };
  const assemblyScript = path.startsWith('assembly');
  const formatted = await prettier.format(assemblyScript ? hide(source) : source, options);
  const result = assemblyScript ? restore(formatted) : formatted;
  if (result === source) continue;
  changed.push(path);
  if (!check) writeFileSync(path, result);
}
if (check && changed.length > 0) {
  console.error(`${changed.length} files are not formatted (npm run format):\n${changed.join('\n')}`);
  process.exit(1);
}
if (!check) console.log(`formatted ${changed.length} files`);
