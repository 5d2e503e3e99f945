// The activations: their public factories (src/index.ts re-exports this module whole) and, in id order, their
// units: an activation's id is its place in ACTIVATION_UNITS (scripts/build-wasm.mjs emits the ids and dispatches
// the WASM passes to assembly/ops/activations/<name>.ts by this list). Adding an activation: its unit and factory
// in ./<name>.ts, its passes in assembly/ops/activations/<name>.ts, and two lines here.
import { abReluUnit } from './abRelu.js';
import { absUnit } from './abs.js';
import { cosUnit } from './cos.js';
import { erfUnit } from './erf.js';
import { expUnit } from './exp.js';
import { expNormalizedUnit } from './expNormalized.js';
import { gaborUnit } from './gabor.js';
import { gaussianUnit } from './gaussian.js';
import { geluUnit } from './gelu.js';
import { hermiteUnit } from './hermite.js';
import { identityUnit } from './identity.js';
import { leakyReluUnit } from './leakyRelu.js';
import { monomialUnit } from './monomial.js';
import { polynomialUnit } from './polynomial.js';
import { rbfUnit } from './rbf.js';
import { rectifiedMonomialUnit } from './rectifiedMonomial.js';
import { reluUnit } from './relu.js';
import { sigmoidUnit } from './sigmoid.js';
import { signUnit } from './sign.js';
import { sinUnit } from './sin.js';
import { tanhUnit } from './tanh.js';
import type { ActivationUnit, UnitLayer } from './unit.js';

export { abRelu, type AbReluOptions } from './abRelu.js';
export { abs } from './abs.js';
export { cos } from './cos.js';
export { erf, type ErfOptions } from './erf.js';
export { exp, type ExpOptions } from './exp.js';
export { expNormalized, type ExpNormalizedOptions } from './expNormalized.js';
export { gabor } from './gabor.js';
export { gaussian, type GaussianOptions } from './gaussian.js';
export { gelu } from './gelu.js';
export { hermite, type HermiteOptions } from './hermite.js';
export { leakyRelu } from './leakyRelu.js';
export { monomial, type MonomialOptions } from './monomial.js';
export { polynomial, type PolynomialOptions } from './polynomial.js';
export { rbf, type RbfOptions } from './rbf.js';
export { rectifiedMonomial, type RectifiedMonomialOptions } from './rectifiedMonomial.js';
export { relu } from './relu.js';
export { sigmoid } from './sigmoid.js';
export { sign } from './sign.js';
export { sin, type SinusoidOptions } from './sin.js';
export { tanh } from './tanh.js';
export type { UnitLayer } from './unit.js';

/** @hidden Every activation unit; the position is the id (in the declarations, which derive Activation from it). */
export const ACTIVATION_UNITS = [
  identityUnit,
  reluUnit,
  leakyReluUnit,
  absUnit,
  erfUnit,
  tanhUnit,
  sigmoidUnit,
  geluUnit,
  sinUnit,
  cosUnit,
  abReluUnit,
  expUnit,
  gaussianUnit,
  signUnit,
  rbfUnit,
  gaborUnit,
  monomialUnit,
  hermiteUnit,
  rectifiedMonomialUnit,
  polynomialUnit,
  expNormalizedUnit,
] as const;

/** Elementwise nonlinearities. */
export type Activation = (typeof ACTIVATION_UNITS)[number]['name'];

/** @internal The names, in id order. */
export const ACTIVATIONS: readonly Activation[] = ACTIVATION_UNITS.map((unit) => unit.name);

/** @internal Ids by name. */
export const ACTIVATION_IDS = Object.fromEntries(ACTIVATIONS.map((name, id) => [name, id])) as Record<Activation, number>;

/** @internal The unit of an activation id; an unknown id is an error. */
export function activationUnit(id: number): ActivationUnit {
  const unit = ACTIVATION_UNITS[id] as ActivationUnit | undefined;
  if (unit === undefined) throw new Error(`activation id ${id} is unknown`);
  return unit;
}

/** An activation as a layer of a model. */
export type ActivationLayer = UnitLayer<Exclude<Activation, 'identity'>>;

/** @internal The AssemblyScript module of an activation: assembly/ops/activations/<camelCase name>.ts (scripts/build-wasm.mjs). */
export const moduleOf = (name: string): string => name.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());
