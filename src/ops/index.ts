// The registry of ops: each op's place in OP_UNITS is its opcode (scripts/build-wasm.mjs emits the opcodes and the
// dispatch to assembly/ops/<op>.ts from this list), and LAYER_UNITS holds every kind of layer that is an op's (the
// combinators are src/model/layers.ts's). The public factories are re-exported from here (src/library.ts takes
// this module whole). Adding a layer: its module ./<op>.ts, its WASM passes assembly/ops/<op>.ts, and its lines here.
import { type AggregateLayer, aggregateLayer, aggregateOp } from './aggregate.js';
import { type GlobalSelfAttentionLayer, attendOp, globalSelfAttentionLayer } from './attention.js';
import { type AvgPoolLayer, type SumPoolLayer, avgPoolLayer, avgPoolOp, sumPoolLayer } from './avgPool.js';
import { type ActivationLayer } from './activations/index.js';
import { activationLayerUnit, activationOp } from './activation.js';
import {
  type ConvLayer,
  type ConvLocalLayer,
  type ConvTransposeLayer,
  type DenseLayer,
  convLayer,
  convLocalLayer,
  convTransposeLayer,
  denseLayer,
  denseOp,
} from './dense.js';
import { type DropoutLayer, dropoutLayer, dropoutOp } from './dropout.js';
import { type IndexLayer, gatherOp, indexLayer } from './gather.js';
import { type ElementwiseLayer, elementwiseLayer, elementwiseOp } from './elementwise.js';
import { type FanInConcatLayer, fanInConcatLayer, fanInConcatOp } from './fanInConcat.js';
import { type FanInProdLayer, fanInProdLayer, fanInProdOp } from './fanInProd.js';
import { type FanInSumLayer, fanInSumLayer, fanInSumOp } from './fanInSum.js';
import { type FlattenLayer, flattenLayer, flattenOp } from './flatten.js';
import { type GlobalAvgPoolLayer, type GlobalSumPoolLayer, globalAvgPoolLayer, globalAvgPoolOp, globalSumPoolLayer } from './globalAvgPool.js';
import { type IdentityLayer, identityLayer } from './identity.js';
import { type ImageResizeLayer, imageResizeLayer, imageResizeOp } from './imageResize.js';
import { type LayerNormLayer, layerNormLayer, layerNormOp } from './layerNorm.js';
import { type Program, instructionsOf } from '../core/layout.js';
import { positionsOf } from '../core/shapes.js';
import type { LayerUnit, OpUnit } from './unit.js';

export { activation, type ActivationOptions } from './activation.js';
export { aggregate, type AggregateLayer, type AggregateOptions } from './aggregate.js';
export { globalSelfAttention, type GlobalSelfAttentionLayer, type GlobalSelfAttentionOptions } from './attention.js';
export * from './activations/index.js';
export {
  avgPool,
  sumPool,
  type AvgPoolLayer,
  type AvgPoolOptions,
  type PoolLayer,
  type PoolOptions,
  type SumPoolLayer,
  type SumPoolOptions,
} from './avgPool.js';
export {
  conv,
  convLocal,
  convTranspose,
  dense,
  type ConvLayer,
  type ConvLocalLayer,
  type WindowedAffineFields,
  type ConvOptions,
  type ConvTransposeLayer,
  type ConvTransposeOptions,
  type DenseLayer,
  type DenseOptions,
  type Parameterization,
} from './dense.js';
export { dropout, type DropoutLayer, type DropoutOptions } from './dropout.js';
export { index, type IndexAxis, type IndexLayer, type IndexSlice } from './gather.js';
export {
  elementwise,
  elementwiseNumerical,
  type DualFunction,
  type ElementwiseLayer,
  type ElementwiseNumericalOptions,
  type ElementwiseOptions,
  type ScalarFunction,
} from './elementwise.js';
export { fanInConcat, type FanInConcatLayer, type FanInConcatOptions } from './fanInConcat.js';
export { fanInProd, type FanInProdLayer } from './fanInProd.js';
export { fanInSum, type FanInSumLayer } from './fanInSum.js';
export { flatten, type FlattenLayer } from './flatten.js';
export { globalAvgPool, globalSumPool, type GlobalAvgPoolLayer, type GlobalSumPoolLayer } from './globalAvgPool.js';
export { identity, type IdentityLayer } from './identity.js';
export { imageResize, type ImageResizeLayer, type ImageResizeOptions } from './imageResize.js';
export { layerNorm, type LayerNormLayer, type LayerNormOptions } from './layerNorm.js';

/** @hidden Every op of a program; the position is the opcode. */
export const OP_UNITS: readonly OpUnit[] = [
  denseOp,
  activationOp,
  layerNormOp,
  fanInSumOp,
  avgPoolOp,
  flattenOp,
  globalAvgPoolOp,
  fanInConcatOp,
  fanInProdOp,
  elementwiseOp,
  dropoutOp,
  gatherOp,
  imageResizeOp,
  aggregateOp,
  attendOp,
];

/** @hidden The names of the ops, in opcode order. */
export const OPCODES = OP_UNITS.map((unit) => unit.name);

/** @hidden Opcodes by op name. */
export const OP: Readonly<Record<string, number>> = Object.freeze(Object.fromEntries(OPCODES.map((name, code) => [name, code])));

/** @hidden The opcode of an op unit. */
export const opcodeOf = (unit: OpUnit): number => OP_UNITS.indexOf(unit);

/** @hidden The unit of an opcode; an unknown opcode is an error naming where it was met. */
export function opUnit(op: number, where: string): OpUnit {
  const unit = OP_UNITS[op] as OpUnit | undefined;
  if (unit === undefined) throw new Error(`${where}: unknown opcode ${op}`);
  return unit;
}

/**
 * @hidden Whether the infinite-width kernels of a program need the interpreter over positions: an input with several
 * positions, or an op that has no rule on vectors (pooling, or a window whose padding scales by the taps inside).
 */
export function needsPositions(program: Program): boolean {
  return positionsOf(program, 0) > 1 || instructionsOf(program).some((ins) => opUnit(ins.op, 'infinite').needsPositions(program, ins));
}

/** A layer that lowers to ops. */
export type OpLayer =
  | DenseLayer
  | ConvLayer
  | ConvTransposeLayer
  | ConvLocalLayer
  | AvgPoolLayer
  | SumPoolLayer
  | GlobalAvgPoolLayer
  | GlobalSumPoolLayer
  | FlattenLayer
  | ActivationLayer
  | IdentityLayer
  | LayerNormLayer
  | FanInSumLayer
  | FanInConcatLayer
  | FanInProdLayer
  | ElementwiseLayer
  | DropoutLayer
  | IndexLayer
  | ImageResizeLayer
  | AggregateLayer
  | GlobalSelfAttentionLayer;

/** @hidden Every kind of layer that lowers to ops. */
export const LAYER_UNITS: readonly LayerUnit[] = [
  denseLayer,
  convLayer,
  convTransposeLayer,
  convLocalLayer,
  avgPoolLayer,
  sumPoolLayer,
  globalAvgPoolLayer,
  globalSumPoolLayer,
  flattenLayer,
  activationLayerUnit,
  identityLayer,
  layerNormLayer,
  fanInSumLayer,
  fanInConcatLayer,
  fanInProdLayer,
  elementwiseLayer,
  dropoutLayer,
  indexLayer,
  imageResizeLayer,
  aggregateLayer,
  globalSelfAttentionLayer,
] as unknown as readonly LayerUnit[];
