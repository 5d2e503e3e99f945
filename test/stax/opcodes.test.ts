// The program layout crosses the TypeScript/AssemblyScript boundary: both files must hold the same numbers.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { OP, PROGRAM_ATTRIBUTES, PROGRAM_WIDTH } from '../../src/stax/opcodes.js';

it('assembly/net/opcodes.ts agrees with src/stax/opcodes.ts', () => {
  const source = readFileSync(new URL('../../assembly/net/opcodes.ts', import.meta.url), 'utf8');
  const constants = Object.fromEntries([...source.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));
  expect(constants).toEqual({
    OP_DENSE: OP.dense, OP_ACTIVATION: OP.activation, OP_LAYER_NORM: OP.layerNorm, OP_SUM: OP.sum, PROGRAM_WIDTH, PROGRAM_ATTRIBUTES,
  });
});
