// Everything that crosses the TypeScript/AssemblyScript boundary is written twice, once per language: these
// checks read the AssemblyScript sources and hold both sides to the same numbers and names.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ACTIVATION_IDS } from '../../src/core/activations.js';
import { OP, PROGRAM_ATTRIBUTES, PROGRAM_WIDTH, SHAPE_WIDTH, WINDOW } from '../../src/core/opcodes.js';
import { TERM } from '../../src/core/shapes.js';
import { CHOLESKY_BLOCK, DC_LEAF, HOUSEHOLDER_BLOCK } from '../../src/core/blocking.js';
import { CLASSIC_KIND, NYSTROM_MODE } from '../../src/core/kernels.js';
import { EXPORT_NAMES } from '../../src/backend/wasm/loader.js';
import { WORKER_KERNELS } from '../../src/backend/wasm/pool.js';

const source = (path: string) => readFileSync(new URL(`../../assembly/${path}`, import.meta.url), 'utf8');
const constants = (text: string) => Object.fromEntries([...text.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));

it('assembly/net/opcodes.ts agrees with src/core/opcodes.ts', () => {
  expect(constants(source('net/opcodes.ts'))).toEqual({
    OP_DENSE: OP.dense, OP_ACTIVATION: OP.activation, OP_LAYER_NORM: OP.layerNorm, OP_SUM: OP.sum, OP_AVG_POOL: OP.avgPool,
    OP_FLATTEN: OP.flatten, OP_GLOBAL_AVG_POOL: OP.globalAvgPool, PROGRAM_WIDTH, PROGRAM_ATTRIBUTES, WINDOW, SHAPE_WIDTH,
    TERM_DENSE: TERM.dense, TERM_JACOBIAN: TERM.jacobian, TERM_PAIRS: TERM.pairs,
  });
});

it('assembly/nn/activations.ts has the activation ids of src/core/activations.ts', () => {
  const ids = Object.fromEntries(Object.entries(ACTIVATION_IDS).map(([name, id]) => [name.toUpperCase(), id]));
  expect(constants(source('nn/activations.ts'))).toEqual(ids);
});

it('assembly/kernels/ uses the kernel and Nyström codes of src/core/kernels.ts', () => {
  expect(constants(source('kernels/classic.ts'))).toEqual({ KERNEL_LINEAR: CLASSIC_KIND.linear, KERNEL_POLYNOMIAL: CLASSIC_KIND.polynomial, KERNEL_RBF: CLASSIC_KIND.rbf });
  expect(constants(source('kernels/nystrom.ts'))).toEqual({ NYSTROM_TIMES: NYSTROM_MODE.times, NYSTROM_TRANSPOSE: NYSTROM_MODE.transpose, NYSTROM_NORMAL: NYSTROM_MODE.normal });
});

it('assembly/linalg/ uses the block sizes of src/core/blocking.ts', () => {
  expect(constants(source('linalg/householder.ts')).HOUSEHOLDER_BLOCK).toBe(HOUSEHOLDER_BLOCK);
  expect(constants(source('linalg/tridiagonal.ts')).DC_LEAF).toBe(DC_LEAF);
  expect(constants(source('linalg/cholesky.ts')).CHOLESKY_BLOCK).toBe(CHOLESKY_BLOCK);
});

it('the loader checks exactly the exports of assembly/index.ts, and the worker kernels are among them', () => {
  const exported = [...source('index.ts').matchAll(/export \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((name) => name.trim()));
  expect([...exported].sort()).toEqual(Object.keys(EXPORT_NAMES).sort());
  for (const kernel of WORKER_KERNELS) expect(exported).toContain(kernel);
});
