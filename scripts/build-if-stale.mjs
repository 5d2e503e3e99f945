// Builds only what is older than its sources, for commands that run the built package (npm run example):
// `npm run build` when a WASM build (src/backend/wasm/builds/) is missing or older than assembly/, the build's
// configuration or the TypeScript modules build-wasm.mjs imports (its tables: the modules it names and everything
// they import); `npm run build:ts` when only dist/ is older than src/; nothing otherwise. Deleting a source file is
// not noticed: run `npm run build` then.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
/** What the WASM build writes, inside the source trees: not a source of either build. */
const GENERATED = ['assembly/generated', 'src/backend/wasm/builds', 'src/backend/wasm/generated', 'src/remote/generated'];

/** The newest modification time (ms) of the files at these paths, directories walked, the generated ones left out. */
function newest(paths, { skipGenerated = true } = {}) {
  let time = 0;
  let file = '';
  const visit = (path) => {
    if (skipGenerated && GENERATED.includes(path)) return;
    const stat = statSync(join(root, path));
    if (stat.isDirectory()) for (const entry of readdirSync(join(root, path))) visit(`${path}/${entry}`);
    else if (stat.mtimeMs > time) [time, file] = [stat.mtimeMs, path];
  };
  for (const path of paths) if (existsSync(join(root, path))) visit(path);
  return { time, file };
}

/** The oldest modification time (ms) of these files, or -Infinity when one is missing. */
function oldest(files) {
  return Math.min(...files.map((file) => (existsSync(join(root, file)) ? statSync(join(root, file)).mtimeMs : -Infinity)));
}

/** The module at a relative specifier (`./x.js` → x.ts, a directory → its index.ts), relative to the repository. */
function moduleAt(from, specifier) {
  const path = normalize(join(dirname(from), specifier)).replace(/\.js$/, '.ts');
  return existsSync(join(root, path)) ? path : join(path.replace(/\.ts$/, ''), 'index.ts');
}

/** The file and every module it imports by a relative specifier (import, export … from), transitively. */
function importClosure(file) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path) || !existsSync(join(root, path))) return;
    seen.add(path);
    for (const [, specifier] of readFileSync(join(root, path), 'utf8').matchAll(/(?:\bfrom|^import)\s*['"](\.{1,2}\/[^'"]+)['"]/gm))
      visit(moduleAt(path, specifier));
  };
  visit(file);
  return [...seen];
}

const wasmOutputs = ['standard', 'relaxed', 'standardShared', 'relaxedShared'].map((name) => `src/backend/wasm/builds/${name}.ts`);
const wasmSources = newest(['assembly', ...importClosure('scripts/build-wasm.mjs'), 'asconfig.json', 'package-lock.json']);
const tsOutputs = ['dist/index.js', 'dist/index.d.ts', 'dist/cjs/index.js', 'dist/cjs/index.d.ts'];
const tsSources = newest(['src', 'tsconfig.json', 'scripts/build-cjs.mjs'], { skipGenerated: false });

const npm = (script) => execFileSync('npm', ['run', script], { cwd: root, stdio: 'inherit' });
if (oldest(wasmOutputs) < wasmSources.time) {
  console.log(`build-if-stale: the WASM builds are older than ${wasmSources.file}: npm run build`);
  npm('build');
} else if (oldest(tsOutputs) < tsSources.time) {
  console.log(`build-if-stale: dist/ is older than ${tsSources.file}: npm run build:ts`);
  npm('build:ts');
} else {
  console.log('build-if-stale: dist/ and the WASM builds are newer than their sources; not building');
}
