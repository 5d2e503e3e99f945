// Shape inference and lowering: a model and an input shape become a flat program of operations on values
// (SSA: each instruction defines one), with every parameterized layer's parameters placed in θ in order, and the
// storage slot of every value chosen by liveness (so that the infinite-width kernels of a residual network of
// any depth need three slots). Each kind of layer lowers itself (src/ops/<op>.ts); both backends and both widths
// interpret the same program, whose layout is src/core/layout.ts.
import {
  type GraphFormat,
  type HostPasses,
  type Instruction,
  type ProgramHyperparameter,
  PROGRAM_ATTRIBUTES,
  PROGRAM_WIDTH,
  type Program,
  SPATIAL_AXES,
  WINDOW_MODE,
  instructionsOf,
} from '../core/layout.js';
import { type Padding, describeShape, positionsOf, transposedWindowAxis, windowAxis } from '../core/shapes.js';
import { OP_UNITS, opcodeOf } from '../ops/index.js';
import type { Flow, Lowering, OpUnit, Value } from '../ops/unit.js';
import { type Layer, checkLayer } from './layers.js';

/** Checks an input shape: `[d]`, `[length, channels]`, `[height, width, channels]` or `[depth, height, width, channels]`, positive integers. */
export function checkInputShape(fn: string, inputShape: unknown): number[] {
  if (!Array.isArray(inputShape) || inputShape.length === 0) {
    throw new TypeError(`${fn}: inputShape must be a non-empty array of positive integers, such as [d] or [height, width, channels]`);
  }
  inputShape.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: inputShape[${i}] must be a positive integer, got ${String(v)}`);
    }
  });
  if (inputShape.length > SPATIAL_AXES + 1) {
    throw new RangeError(
      `${fn}: inputShape ${describeShape(inputShape)} has ${inputShape.length} axes; at most ${SPATIAL_AXES + 1} ([depth, height, width, channels])`,
    );
  }
  return [...inputShape];
}

/** A shape as the program's table row: the spatial sizes (1 past the shape's own), then the channels. */
const shapeRow = (shape: readonly number[]) => [
  ...Array.from({ length: SPATIAL_AXES }, (_, d) => (d < shape.length - 1 ? shape[d] : 1)),
  shape[shape.length - 1],
];

/**
 * Lowers `model` for inputs of shape `inputShape`. With `infinite`, every activation, layerNorm and sum of
 * branches must take a Gaussian input (a dense or conv layer before it, or the input itself when `inputIsGaussian`),
 * as neural-tangents requires for its kernels.
 */
export function lowerProgram(fn: string, model: Layer, inputShape: readonly number[], infinite: boolean, inputIsGaussian = false): Program {
  const instructions: number[] = [];
  const attributes: number[] = [];
  const shapes: number[][] = [shapeRow(inputShape)]; // value 0 is the input
  const hosts: HostPasses[] = [];
  const hyperparameters: ProgramHyperparameter[] = [];
  let paramCount = 0;
  let graph: GraphFormat | null = null;
  const lowering: Lowering = {
    fn,
    infinite,
    define(op: OpUnit, inputs: number[], shape: readonly number[], attrs: readonly number[], paramOffset = 0): number {
      const id = shapes.length;
      shapes.push(shapeRow(shape));
      instructions.push(opcodeOf(op), inputs[0], inputs[1] ?? -1, id, paramOffset);
      attributes.push(...Array.from(attrs, (v) => v ?? 0), ...new Array<number>(PROGRAM_ATTRIBUTES - attrs.length).fill(0));
      return id;
    },
    parameters(count: number): number {
      paramCount += count;
      return paramCount - count;
    },
    hyperparameter(name: string, value: number, id: number, slot: number, squared: boolean) {
      // A repeated layer's applications share its hyperparameters: one name for all.
      hyperparameters.push({ name: name.replace(/\.repeat\[\d+\]/g, '.repeat'), value, instruction: id - 1, slot, squared });
    },
    host(passes: HostPasses): number {
      hosts.push(passes);
      return hosts.length - 1;
    },
    graph(format: GraphFormat, where: string) {
      // One graph per example feeds every aggregate layer, as neural-tangents' one `pattern`.
      if (graph !== null && (describeShape(graph.nodeShape) !== describeShape(format.nodeShape) || graph.implementation !== format.implementation)) {
        throw new RangeError(
          `${fn}: ${where} aggregates over vertices ${describeShape(format.nodeShape)} (${format.implementation}) but an aggregate layer before it ` +
            `over ${describeShape(graph.nodeShape)} (${graph.implementation}): every aggregate layer reads the same pattern`,
        );
      }
      if (graph !== null && graph.toDense !== format.toDense) {
        throw new RangeError(`${fn}: ${where} has another toDense than an aggregate layer before it: every aggregate layer reads the same pattern`);
      }
      graph = format;
    },
    single(flow: Flow, where: string): Value {
      if (flow.branched) {
        throw new RangeError(`${fn}: ${where} takes one input but receives ${flow.values.length} branches (close them with fanInSum())`);
      }
      return flow.values[0];
    },
    gaussian(value: Value, where: string) {
      if (infinite && !value.gaussian) {
        throw new RangeError(`${fn}: ${where} needs a Gaussian input at infinite width: put a dense or conv layer before it`);
      }
    },
    windowed(input: Value, sizes: readonly number[], strides: readonly number[], padding: Padding, what: string, where: string, transposed = false) {
      const spatial = input.shape.slice(0, -1);
      if (spatial.length !== sizes.length) {
        throw new RangeError(
          `${fn}: ${where} has a ${sizes.length}-D ${what} ${describeShape(sizes)} but its input ${describeShape(input.shape)} ` +
            `has ${spatial.length} spatial ${spatial.length === 1 ? 'axis' : 'axes'}`,
        );
      }
      const axes = spatial.map((size, i) =>
        transposed
          ? transposedWindowAxis(size, sizes[i], strides[i], padding as 'VALID' | 'SAME' | 'CIRCULAR')
          : windowAxis(size, sizes[i], strides[i], padding, i),
      );
      if (axes.some((axis) => axis.out < 1)) {
        const padded =
          typeof padding === 'string' ? `its input ${describeShape(spatial)}` : `its input ${describeShape(spatial)} padded by ${JSON.stringify(padding)}`;
        throw new RangeError(
          `${fn}: ${where} has a ${what} ${describeShape(sizes)} larger than ${padded}${padding === 'VALID' ? " with 'VALID' padding" : ''}`,
        );
      }
      const perAxis = (values: readonly number[], missing: number) => Array.from({ length: SPATIAL_AXES }, (_, d) => values[d] ?? missing);
      return {
        spatial: axes.map((axis) => axis.out),
        window: [
          ...perAxis(sizes, 1),
          ...perAxis(strides, 1),
          ...perAxis(
            axes.map((axis) => axis.before),
            0,
          ),
          (padding === 'CIRCULAR' ? WINDOW_MODE.circular : 0) | (transposed ? WINDOW_MODE.transposed : 0),
        ],
      };
    },
    walk(node: unknown, flow: Flow, path: string): Flow {
      const { layer, unit } = checkLayer(fn, node, path);
      return unit.lower(lowering, layer as never, flow, `${path} (${layer.kind})`, path);
    },
  };

  const output = lowering.single(
    lowering.walk(model, { values: [{ id: 0, shape: inputShape, gaussian: inputIsGaussian }], branched: false }, 'model'),
    'the model',
  );
  if (output.shape.length !== 1) {
    throw new RangeError(`${fn}: the model's output ${describeShape(output.shape)} is not flat: end it with flatten() or globalAvgPool() (and a dense layer)`);
  }
  const program: Program = {
    instructions: Int32Array.from(instructions),
    attributes: Float64Array.from(attributes),
    shapes: Int32Array.from([...shapes.flat(), graph === null ? 0 : (graph as GraphFormat).nodeShape.reduce((p, v) => p * v, 1) ** 2]),
    values: shapes.length,
    output: output.id,
    outputGaussian: output.gaussian,
    paramCount,
    slots: assignSlots(instructions, shapes.length, output.id),
    fullSpatial: new Int32Array(shapes.length),
    hosts,
    hyperparameters,
    graph,
  };
  settleFullSpatial(program);
  return program;
}

/**
 * Infinite width: 1 for the values whose covariance must be kept for every pair of positions, 0 where the
 * same-position entries suffice. Each op says what it reads (src/ops/<op>.ts, fullSpatial): pooling the covariance
 * between positions; a convolution input positions displaced by the same tap, so whole input covariances only
 * when its output is kept whole; flatten the same-position entries; ops that act entry by entry keep their inputs
 * and output alike. The flags are settled to a fixed point.
 */
function settleFullSpatial(program: Program): void {
  const full = program.fullSpatial;
  const instructions: Instruction[] = instructionsOf(program).reverse();
  for (let changed = true; changed;) {
    changed = false;
    const set = (v: number, flag: number) => {
      if (v >= 0 && positionsOf(program, v) > 1 && flag && !full[v]) {
        full[v] = 1;
        changed = true;
      }
    };
    for (const ins of instructions) OP_UNITS[ins.op].fullSpatial(program, ins, full, set);
  }
}

/** Physical slots for the values: a value's slot is free again after its last use. Returns slot per value. */
function assignSlots(instructions: readonly number[], values: number, output: number): Int32Array {
  const lastUse = new Int32Array(values).fill(-1);
  const count = instructions.length / PROGRAM_WIDTH;
  for (let t = 0; t < count; t++) {
    for (const input of [instructions[t * PROGRAM_WIDTH + 1], instructions[t * PROGRAM_WIDTH + 2]]) if (input >= 0) lastUse[input] = t;
  }
  lastUse[output] = count;
  const slotOf = new Int32Array(values).fill(-1);
  const free: number[] = [];
  let slots = 1;
  slotOf[0] = 0;
  for (let t = 0; t < count; t++) {
    const id = instructions[t * PROGRAM_WIDTH + 3];
    // Inputs that die here free their slots first, so an op may write over its own input.
    for (const input of new Set([instructions[t * PROGRAM_WIDTH + 1], instructions[t * PROGRAM_WIDTH + 2]])) {
      if (input >= 0 && lastUse[input] === t) free.push(slotOf[input]);
    }
    slotOf[id] = free.length > 0 ? free.pop()! : slots++;
  }
  return slotOf;
}
