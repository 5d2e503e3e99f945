// The activations, in id order: an activation's id is its place here (scripts/build-wasm.mjs emits the ids and
// dispatches the WASM passes to assembly/ops/activations/<name>.ts by this list).
import { absUnit } from './abs.js';
import { erfUnit } from './erf.js';
import { geluUnit } from './gelu.js';
import { identityUnit } from './identity.js';
import { leakyReluUnit } from './leakyRelu.js';
import { reluUnit } from './relu.js';
import { sigmoidUnit } from './sigmoid.js';
import { tanhUnit } from './tanh.js';
import type { ActivationUnit, UnitLayer } from './unit.js';

export { abs } from './abs.js';
export { erf } from './erf.js';
export { gelu } from './gelu.js';
export { leakyRelu } from './leakyRelu.js';
export { relu } from './relu.js';
export { sigmoid } from './sigmoid.js';
export { tanh } from './tanh.js';
export type { UnitLayer } from './unit.js';

/** Every activation unit; the position is the id. */
export const ACTIVATION_UNITS = [identityUnit, reluUnit, leakyReluUnit, absUnit, erfUnit, tanhUnit, sigmoidUnit, geluUnit] as const;

/** Elementwise nonlinearities. */
export type Activation = (typeof ACTIVATION_UNITS)[number]['name'];

/** The names, in id order. */
export const ACTIVATIONS: readonly Activation[] = ACTIVATION_UNITS.map((unit) => unit.name);

/** Ids by name. */
export const ACTIVATION_IDS = Object.fromEntries(ACTIVATIONS.map((name, id) => [name, id])) as Record<Activation, number>;

/** The unit of an activation id; an unknown id is an error. */
export function activationUnit(id: number): ActivationUnit {
  const unit = ACTIVATION_UNITS[id] as ActivationUnit | undefined;
  if (unit === undefined) throw new Error(`activation id ${id} is unknown`);
  return unit;
}

/** An activation as a layer of a model. */
export type ActivationLayer = UnitLayer<Exclude<Activation, 'identity'>>;

/** The AssemblyScript module of an activation: assembly/ops/activations/<camelCase name>.ts (scripts/build-wasm.mjs). */
export const moduleOf = (name: string): string => name.replace(/_(\w)/g, (_, letter: string) => letter.toUpperCase());
