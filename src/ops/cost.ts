// What whole programs cost, summed over their ops' units (not part of the public registry).
import { type Program, instructionsOf } from '../core/layout.js';
import { sizeOf } from '../core/shapes.js';
import { opUnit } from './index.js';

/** Flops of a forward-mode pass per example and direction of θ (what the empirical NTK by vector products costs). */
export function tangentFlops(program: Program): number {
  return instructionsOf(program).reduce((sum, ins) => sum + (opUnit(ins.op, 'network').cost.tangentFlops?.(program, ins) ?? sizeOf(program, ins.out)), 0);
}
