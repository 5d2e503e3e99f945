// The identity layer (neural-tangents' Identity): passes its input through, and lowers to nothing.
import type { LayerUnit } from './unit.js';

/** The identity: passes its input through (neural-tangents' `Identity`). */
export interface IdentityLayer {
  /** The layer's type tag. */
  readonly kind: 'identity';
}

/**
 * The identity layer (neural-tangents' `Identity`): the skip branch of a residual block.
 *
 * @example
 * ```ts
 * const block = serial(fanOut(2), parallel(identity(), serial(relu(), dense(64))), fanInSum());
 * ```
 */
export function identity(): IdentityLayer {
  return IDENTITY;
}
const IDENTITY: IdentityLayer = Object.freeze({ kind: 'identity' });

export const identityLayer: LayerUnit<IdentityLayer> = {
  kind: 'identity',
  rebuild: () => identity(),
  lower: (lowering, _layer, flow, where) => ({ values: [lowering.single(flow, where)], branched: false }),
};
