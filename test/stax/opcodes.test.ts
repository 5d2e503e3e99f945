// The program layout crosses the TypeScript/AssemblyScript boundary: both files must hold the same numbers.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { INFINITE_ATTRIBUTES, INFINITE_OP, INFINITE_WIDTH } from '../../src/stax/opcodes.js';

it('assembly/net/opcodes.ts agrees with src/stax/opcodes.ts', () => {
  const source = readFileSync(new URL('../../assembly/net/opcodes.ts', import.meta.url), 'utf8');
  const constants = Object.fromEntries([...source.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
  expect(constants).toEqual({
    OP_DENSE: INFINITE_OP.dense, OP_ACTIVATION: INFINITE_OP.activation, OP_LAYER_NORM: INFINITE_OP.layerNorm, OP_SUM: INFINITE_OP.sum,
    INFINITE_WIDTH, INFINITE_ATTRIBUTES,
  });
});
