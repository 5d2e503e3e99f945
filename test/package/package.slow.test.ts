// The package as a user installs it: the tarball's contents, publint and arethetypeswrong, the types in a
// Node-only and in a browser TypeScript project (skipLibCheck off), require() and import in Node, and the
// size of a minimal browser bundle. Runs on the dist/ that `npm run test:slow` builds first.
import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ESM script without declarations
import { measureBundle } from '../../scripts/bundle-size.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name: string) => join(root, 'node_modules/.bin', name);
const runOptions = (cwd: string) => ({ cwd, encoding: 'utf8' as const, env: { ...process.env, NODE_OPTIONS: '' } });
const run = (command: string, args: string[], cwd: string) => execFileSync(command, args, { ...runOptions(cwd), stdio: ['ignore', 'pipe', 'pipe'] });
/** The same, without waiting: the checks of one test run side by side, one per core. */
const start = async (command: string, args: string[], cwd: string) => (await promisify(execFile)(command, args, runOptions(cwd))).stdout;

const USAGE = `import { ready, rbfKernel, KernelRidge, Matrix, dispose } from 'ntk-wasm';
await ready({ threads: 1 });
const kernel = rbfKernel({ lengthscale: 1 });
const k: Matrix = kernel([[0], [1]]);
const model = new KernelRidge(kernel, { ridge: 1e-3 }).fit([[0], [1]], [0, 1]);
console.log(k.get(0, 1), model.predict([[0.5]]).rows);
await dispose();
`;

describe('the packed package', { timeout: 120_000 }, () => {
  let dir: string;
  let tarball: string;
  let files: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ntk-package-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir], root));
    tarball = join(dir, packed[0].filename);
    files = packed[0].files.map((file: { path: string }) => file.path);
    // An installed copy: the tarball unpacked as node_modules/ntk-wasm of a consumer project.
    mkdirSync(join(dir, 'consumer/node_modules/@types'), { recursive: true });
    run('tar', ['xzf', tarball, '-C', join(dir, 'consumer/node_modules')], dir);
    run('mv', ['package', 'ntk-wasm'], join(dir, 'consumer/node_modules'));
    symlinkSync(join(root, 'node_modules/@types/node'), join(dir, 'consumer/node_modules/@types/node'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('ships the ESM and CommonJS builds, their declarations, each WASM build once and a LICENSE; no maps, no debug build', () => {
    expect(files).toContain('LICENSE');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/cjs/index.js');
    expect(files).toContain('dist/cjs/index.d.ts');
    expect(files.filter((file) => file.endsWith('.map'))).toEqual([]);
    expect(files.filter((file) => /\.wasm$|debug/.test(file))).toEqual([]);
    expect(files.filter((file) => /builds\/\w+\.js$/.test(file)).sort()).toEqual(
      ['relaxed', 'relaxedShared', 'standard', 'standardShared'].map((name) => `dist/backend/wasm/builds/${name}.js`),
    );
    expect(files.filter((file) => !/^(dist\/|LICENSE$|README\.md$|package\.json$)/.test(file))).toEqual([]);
  });

  it('passes publint and arethetypeswrong', async () => {
    const [publint, attw] = await Promise.all([
      start(bin('publint'), ['run', '--strict', root], root),
      start(bin('attw'), [tarball, '--format', 'ascii'], root),
    ]);
    expect(publint).toContain('All good');
    expect(attw).toContain('No problems found');
  });

  it('type-checks in a Node-only project (lib es2022, types node) and in a browser project, skipLibCheck off', async () => {
    const consumer = join(dir, 'consumer');
    writeFileSync(join(consumer, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(consumer, 'usage.ts'), USAGE);
    const common = { strict: true, skipLibCheck: false, noEmit: true, target: 'es2022' };
    const projects = {
      'tsconfig.node.json': { ...common, lib: ['es2022'], types: ['node'], module: 'nodenext', moduleResolution: 'nodenext' },
      'tsconfig.browser.json': { ...common, lib: ['es2022', 'dom'], types: [], module: 'esnext', moduleResolution: 'bundler' },
    };
    for (const [file, compilerOptions] of Object.entries(projects))
      writeFileSync(join(consumer, file), JSON.stringify({ compilerOptions, files: ['usage.ts'] }));
    const results = await Promise.allSettled(Object.keys(projects).map((file) => start(bin('tsc'), ['-p', file], consumer)));
    results.forEach((result, k) => expect(result.status === 'rejected' ? String(result.reason) : 'ok', Object.keys(projects)[k]).toBe('ok'));
  });

  it('runs from require() and from import in Node', async () => {
    const consumer = join(dir, 'consumer');
    const script =
      'ntk.ready({ threads: 2 }).then(() => { const k = ntk.rbfKernel({ lengthscale: 1 })([[0], [1]]); console.log(ntk.backendInfo().backend, k.get(0, 1)); return ntk.dispose(); })';
    writeFileSync(join(consumer, 'required.cjs'), `const ntk = require('ntk-wasm');\n${script};\n`);
    writeFileSync(join(consumer, 'imported.mjs'), `import * as ntk from 'ntk-wasm';\n${script};\n`);
    const files = ['required.cjs', 'imported.mjs'];
    const outputs = await Promise.all(files.map((file) => start('node', [file], consumer)));
    outputs.forEach((output, k) => {
      const [backend, value] = output.trim().split(' ');
      expect(backend, files[k]).toBe('wasm');
      expect(Math.abs(Number(value) - Math.exp(-0.5)), files[k]).toBeLessThanOrEqual(1e-15);
    });
  });

  // 60 kB: the blocked eigensolver and factorizations (householder.ts, tridiagonal.ts) added about 6 kB gzipped;
  // 64 kB: checked layers, kept blocks under a budget, a pool that takes any number of calls, another 1.3 kB (61.1 kB);
  // 68 kB: sin and cos bring AssemblyScript's trigonometry (its range reduction), and the activations are units (65.2 kB);
  // 74 kB: every op a unit on both sides (records, the generated dispatch, each op's costs), fanInConcat, sumPool and
  // globalSumPool, backends by family (71.0 kB: 31.8 kB of code, a 39.2 kB WASM build);
  // 80 kB: neural-tangents' elementwise family, 20 activations each with its SIMD dual map inlined in the row loop
  // (77.5 kB: 33.5 kB of code, a 44.1 kB WASM build);
  // 84 kB: the backend carries every op, so elementwise (its host imports and calls), dropout (its mask hash), padding
  // pairs and kernels from given covariances reach every page (81.6 kB: 35.7 kB of code, a 45.9 kB WASM build); index
  // 82.8 kB.
  // 92 kB: the kernels' hyperparameter derivatives, every op's tangent rule and every activation's partials in both
  // languages (their generated dispatch, the forward-mode row kernel), reach every page as the ops do (91.0 kB: 42.5 kB
  // of code, a 48.4 kB WASM build).
  // 97 kB: the tangent rules on positions (every op's pairTangent, the pair kernels' tangents), polynomial's coefficient
  // partials, convTranspose, imageResize and the position maps shared with pooling (95.8 kB: 44.4 kB of code, a 51.3 kB
  // WASM build).
  // 100 kB: three spatial axes (windows, tap tables, gathers, concatenation and resizing over any of them, the
  // convolution's pass per axis) and convLocal's products per position (98.1 kB: 45.4 kB of code, a 52.7 kB WASM build).
  // 106 kB: aggregate (graphs as each example's side, its passes) and globalSelfAttention (the attend op's finite passes
  // and its pair pass over per-example tables) in both languages (103.9 kB: 47.9 kB of code, a 56.0 kB WASM build).
  it('a browser bundle of ready + rbfKernel + KernelRidge downloads one WASM build, under 106 kB gzipped', async () => {
    const size = await measureBundle();
    expect(size.buildChunks).toBe(4);
    expect(size.pageGzip).toBeLessThan(106_000);
  });
});
