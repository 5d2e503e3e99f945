// What fanInSum and fanInProd share: branches of one shape, folded pairwise by a two-input op.
import { describeShape } from '../core/shapes.js';
import type { Flow, Lowering, OpUnit, Value } from './unit.js';

/**
 * Lowers a fan-in of `flow`'s branches into one `op` instruction per extra branch (a RangeError naming `verb` when
 * their shapes differ); `gaussian` says whether the branches must be Gaussian at infinite width (a sum: they must,
 * and it is; a product: any, and it is not). One branch passes as it is.
 */
export function lowerFanIn(lowering: Lowering, flow: Flow, where: string, op: OpUnit, verb: string, gaussian: boolean): Flow {
  const [first, ...rest] = flow.values;
  for (const value of rest) {
    if (describeShape(value.shape) !== describeShape(first.shape)) {
      throw new RangeError(`${lowering.fn}: ${where} ${verb} branches of different shapes: ${flow.values.map((v) => describeShape(v.shape)).join(', ')}`);
    }
  }
  if (rest.length === 0) return { values: [first], branched: false };
  if (gaussian) flow.values.forEach((value) => lowering.gaussian(value, where));
  let folded: Value = first;
  for (const value of rest) folded = { id: lowering.define(op, [folded.id, value.id], first.shape, []), shape: first.shape, gaussian };
  return { values: [folded], branched: false };
}
