// Exact derivatives of the infinite-width kernels with respect to the hyperparameters of the layers (every dense and conv
// layer's wStd and bStd, the activations' parameters): forward mode through the program, on vectors or on positions, each
// op's tangent rule beside its kernel rule (vectorTangent and pairTangent in src/ops/<op>.ts, an activation's partials in
// src/ops/activations/<name>.ts), on either backend.
import { current } from '../backend/registry.js';
import type { GradientArrays } from '../backend/types.js';
import { PROGRAM_ATTRIBUTES, PROGRAM_WIDTH, type Program, instructionsOf } from '../core/layout.js';
import { checkOptions, functionArgument, numberOption, requireFiniteResult, signalOption } from '../errors.js';
import { inRowBlocks } from './blocks.js';
import { Matrix } from '../matrix.js';
import { needsPositions, opUnit } from '../ops/index.js';
import { logisticRule } from './logistic.js';
import type { InfiniteKernels, InfiniteModel } from './infinite.js';
import type { Layer } from '../model/layers.js';

/** The kernels with their derivatives, from {@link InfiniteModel.kernelGradients}. */
export interface KernelGradients extends InfiniteKernels {
  /** Per hyperparameter, by name (as {@link InfiniteModel.hyperparameters} lists them): ∂NNGP/∂θ and ∂NTK/∂θ. */
  gradients: Record<string, InfiniteKernels>;
}

/** Options of {@link InfiniteModel.kernelGradients}. */
export interface KernelGradientsOptions {
  /** The hyperparameters to differentiate by, by name. Default: all of them. */
  hyperparameters?: readonly string[];
  /** Called about 20 times with the rows done and their total: the kernels are then evaluated in blocks of rows. */
  onProgress?: (rowsDone: number, rows: number) => void;
  /** Stops between blocks of rows when aborted: the call throws the signal's reason. */
  signal?: AbortSignal;
  /** The graphs of x1's and x2's examples, `[p1, p2]` (p2 left out without x2), for a model with {@link aggregate} layers. */
  pattern?: readonly [unknown, unknown?];
}

/** What the fit reads of a model made by infinite(): its program and input shape, and the model at other values. */
export interface InfiniteModelParts {
  program: Program;
  inputShape: readonly number[];
  withHyperparameters(values: Record<string, number>): InfiniteModel;
}

const PARTS = new WeakMap<object, InfiniteModelParts>();

/** Records what a model made by infinite() is made of. */
export function registerInfiniteModel(model: InfiniteModel, parts: InfiniteModelParts): InfiniteModel {
  PARTS.set(model, parts);
  return model;
}

/** The parts of a model made by infinite(); undefined for anything else. */
export const infiniteModelParts = (model: object): InfiniteModelParts | undefined => PARTS.get(model);

/** The hyperparameters of a program and their values, by name. */
export function hyperparametersOf(program: Program): Record<string, number> {
  return Object.fromEntries(program.hyperparameters.map(({ name, value }) => [name, value]));
}

/** The names among the program's hyperparameters, checked (default: all). */
export function hyperparameterNames(fn: string, program: Program, given: unknown): string[] {
  const known = [...new Set(program.hyperparameters.map(({ name }) => name))];
  if (given === undefined) return known;
  if (!Array.isArray(given) || given.length === 0 || given.some((name) => typeof name !== 'string')) {
    throw new TypeError(`${fn}: hyperparameters must be a non-empty array of names, got ${JSON.stringify(given)}`);
  }
  for (const name of given as string[]) {
    if (!known.includes(name)) {
      throw new RangeError(
        `${fn}: '${name}' is not a hyperparameter of the model; it has ${known.length === 0 ? 'none' : known.map((k) => `'${k}'`).join(', ')}`,
      );
    }
  }
  if (new Set(given).size !== given.length) throw new RangeError(`${fn}: hyperparameters names one twice: ${JSON.stringify(given)}`);
  return [...(given as string[])];
}

/** Refuses, before any work, a program whose kernels have no forward mode: one with an op without tangent rules. */
export function requireDifferentiable(fn: string, program: Program): void {
  const positions = needsPositions(program);
  for (const ins of instructionsOf(program)) {
    const unit = opUnit(ins.op, fn);
    if ((positions ? unit.pairTangent : unit.vectorTangent) === undefined)
      throw new RangeError(`${fn}: the model's ${unit.name} layer has no hyperparameter derivatives (${unit.withoutDerivatives ?? 'a JavaScript dual map'})`);
  }
}

/**
 * The tangent of every instruction's attributes along each named hyperparameter (or group of names that share one
 * value): d(θ²)/dθ = 2θ in its slot (1 for one held as itself).
 */
export function directionsOf(program: Program, names: readonly (string | readonly string[])[]): { dAttributes: Float64Array; directions: number } {
  const instructions = program.instructions.length / PROGRAM_WIDTH;
  const dAttributes = new Float64Array(names.length * instructions * PROGRAM_ATTRIBUTES);
  // A group of names moves together: its direction is the sum of theirs.
  names.forEach((group, h) => {
    for (const { name: own, value, instruction, slot, squared } of program.hyperparameters) {
      if (typeof group === 'string' ? own === group : group.includes(own))
        dAttributes[(h * instructions + instruction) * PROGRAM_ATTRIBUTES + slot] = squared ? 2 * value : 1;
    }
  });
  return { dAttributes, directions: names.length };
}

/** The program with new hyperparameter values (squared into their slots), for the kernels at another point. */
export function withValues(program: Program, values: Record<string, number>): Program {
  const attributes = program.attributes.slice();
  const hyperparameters = program.hyperparameters.map((entry) => {
    const value = values[entry.name] ?? entry.value;
    attributes[entry.instruction * PROGRAM_ATTRIBUTES + entry.slot] = entry.squared ? value * value : value;
    return { ...entry, value };
  });
  return { ...program, attributes, hyperparameters };
}

/**
 * The kernels and their derivatives between the rows of x1 and x2 (null: x1 with itself), the inputs checked and given as
 * rows of d features.
 */
export function kernelGradientsOf(
  fn: string,
  program: Program,
  x1: Matrix,
  x2: Matrix | null,
  { names, onProgress, signal }: GradientRequest,
): KernelGradients {
  requireDifferentiable(fn, program);
  const [m1, m2] = [x1, x2];
  const [n1, n2, d] = [m1.rows, m2?.rows ?? m1.rows, m1.cols];
  const directions = directionsOf(program, names);
  const size = n1 * n2;
  // Rows [r0, r1) of x1 against `columns` rows of x2 (of x1 from c0; null: the rows themselves, symmetric).
  const evaluate = (r0: number, r1: number, second: Float64Array | null, columns: number, out?: GradientArrays) =>
    current().infiniteGradients(fn, program, logisticRule(), m1.data.subarray(r0 * d, r1 * d), r1 - r0, second, columns, d, directions, out);
  let result: { nngp: Float64Array; ntk: Float64Array; dNngp: Float64Array[]; dNtk: Float64Array[]; finite: boolean };
  if (onProgress === undefined && signal === undefined) {
    // One array per matrix (see GradientArrays).
    const matrices = () => names.map(() => new Float64Array(size));
    const out = { nngp: new Float64Array(size), ntk: new Float64Array(size), dNngp: matrices(), dNtk: matrices() };
    result = evaluate(0, n1, m2?.data ?? null, n2, out);
  } else {
    // Blocks of rows; the derivatives one result per direction and kernel.
    const blocks = inRowBlocks(
      n1,
      n2,
      m2 === null,
      2 + 2 * names.length,
      (r0, r1, c0, columns, self) => {
        const block = evaluate(r0, r1, self ? null : (m2 ?? m1).data.subarray(c0 * d, (c0 + columns) * d), columns);
        return { results: [block.nngp, block.ntk, ...block.dNngp, ...block.dNtk], finite: block.finite };
      },
      onProgress,
      signal,
    );
    const [nngp, ntk, ...derivatives] = blocks.results;
    result = { nngp, ntk, dNngp: derivatives.slice(0, names.length), dNtk: derivatives.slice(names.length), finite: blocks.finite };
  }
  const gradients = Object.fromEntries(names.map((name, h) => [name, { nngp: new Matrix(n1, n2, result.dNngp[h]), ntk: new Matrix(n1, n2, result.dNtk[h]) }]));
  if (!result.finite) {
    const hint = 'the inputs or the weight variance are too large for float64 at this depth';
    requireFiniteResult(fn, 'the NNGP', result.nngp, n2, hint);
    requireFiniteResult(fn, 'the NTK', result.ntk, n2, hint);
    for (const name of names) {
      requireFiniteResult(fn, `∂NNGP/∂${name}`, gradients[name].nngp.data, n2, hint);
      requireFiniteResult(fn, `∂NTK/∂${name}`, gradients[name].ntk.data, n2, hint);
    }
  }
  return { nngp: new Matrix(n1, n2, result.nngp), ntk: new Matrix(n1, n2, result.ntk), gradients };
}

/** What kernelGradients computes: the derivatives by these names, in blocks of rows when progress or a signal is asked for. */
export interface GradientRequest {
  names: readonly string[];
  /** The examples' graphs, as the kernels' `pattern` option. */
  pattern?: unknown;
  onProgress?: (rowsDone: number, rows: number) => void;
  signal?: AbortSignal;
}

/** Checks the options of kernelGradients. */
export function kernelGradientsOptions(fn: string, program: Program, options: KernelGradientsOptions | undefined): GradientRequest {
  const opts = checkOptions(fn, options, ['hyperparameters', 'onProgress', 'signal', 'pattern']);
  return {
    pattern: opts.pattern,
    names: hyperparameterNames(fn, program, opts.hyperparameters),
    onProgress: opts.onProgress === undefined ? undefined : functionArgument(fn, 'onProgress', opts.onProgress),
    signal: signalOption(fn, opts.signal),
  };
}

/**
 * `model` with new hyperparameter values, by name (each checked: a hyperparameter of `program`, the model's lowering,
 * finite and ≥ 0); the layers not named are the same objects.
 */
export function layersWithValues(fn: string, model: Layer, program: Program, values: Record<string, number>): Layer {
  if (values === null || typeof values !== 'object') throw new TypeError(`${fn}: values must be an object of hyperparameter values by name`);
  hyperparameterNames(fn, program, Object.keys(values).length === 0 ? undefined : Object.keys(values));
  // wStd and bStd are ≥ 0; an activation's parameters are checked by its factory.
  for (const [name, value] of Object.entries(values)) {
    const squared = program.hyperparameters.find((h) => h.name === name)!.squared;
    numberOption(fn, name, value, undefined, squared ? { min: 0 } : {});
  }
  const walk = (node: Layer, path: string): Layer => {
    const fields = node as unknown as Record<string, unknown>;
    if (Array.isArray(fields.layers)) {
      return { ...node, layers: (fields.layers as Layer[]).map((inner, i) => walk(inner, `${path}.${node.kind}[${i}]`)) } as Layer;
    }
    if (node.kind === 'repeat') return { ...node, layer: walk(fields.layer as Layer, `${path}.repeat`) } as Layer;
    // A layer's own fields (wStd, bStd, an activation's leak), or an activation's other parameters.
    const named = Object.keys(values).filter((name) => name.startsWith(`${path}.`) && !name.slice(path.length + 1).includes('.'));
    if (named.length === 0) return node;
    const keyOf = (name: string) => name.slice(path.length + 1);
    const changed = Object.fromEntries(named.filter((name) => keyOf(name) in fields).map((name) => [keyOf(name), values[name]]));
    const parameters = Object.fromEntries(named.filter((name) => !(keyOf(name) in fields)).map((name) => [keyOf(name), values[name]]));
    return {
      ...node,
      ...changed,
      ...(Object.keys(parameters).length > 0 ? { parameters: { ...(fields.parameters as object), ...parameters } } : {}),
    } as Layer;
  };
  return walk(model, 'model');
}
