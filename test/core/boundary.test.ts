// What crosses the TypeScript/AssemblyScript boundary is generated at build time from one source each
// (scripts/build-wasm.mjs): these checks hold the generated files to their sources.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ACTIVATION_IDS } from '../../src/ops/activations/index.js';
import { constantName, layoutConstants } from '../../src/core/layout.js';
import { OPCODES } from '../../src/ops/index.js';
import { EXPORT_NAMES } from '../../src/backend/wasm/loader.js';
import { WORKER_KERNELS } from '../../src/backend/wasm/pool.js';

const source = (path: string) => readFileSync(new URL(`../../assembly/${path}`, import.meta.url), 'utf8');
const constants = (text: string) => Object.fromEntries([...text.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));

it('assembly/generated/layout.ts holds the constants of src/core/layout.ts and the activation ids, and nothing else', () => {
  const expected = Object.fromEntries([...layoutConstants(OPCODES), ...Object.entries(ACTIVATION_IDS).map(([name, id]) => [`ACT_${constantName(name)}`, id])]);
  expect(constants(source('generated/layout.ts'))).toEqual(expected);
});

it('no AssemblyScript file but the generated one defines a shared constant', () => {
  const shared = new Set(Object.keys(constants(source('generated/layout.ts'))));
  for (const path of ['net/network.ts', 'net/window.ts', 'kernels/infinite.ts', 'kernels/spatial.ts', 'kernels/classic.ts', 'kernels/nystrom.ts',     'linalg/householder.ts', 'linalg/tridiagonal.ts', 'linalg/cholesky.ts']) {
    for (const name of Object.keys(constants(source(path)))) expect(shared.has(name), `${path} defines ${name}`).toBe(false);
  }
});

it('the loader checks exactly the exports of assembly/index.ts, and the worker kernels are among them', () => {
  const exported = [...source('index.ts').matchAll(/export \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((name) => name.trim()));
  expect([...exported].sort()).toEqual([...EXPORT_NAMES].sort());
  for (const kernel of WORKER_KERNELS) expect(exported).toContain(kernel);
});
