// Shape inference and lowering: a model and an input shape become a flat program of operations on values
// (SSA: each instruction defines one), with every dense or conv layer's parameters placed in θ in order, and the
// storage slot of every value chosen by liveness (so that the infinite-width kernels of a residual network of
// any depth need three slots). Both backends and both widths interpret the same program; the layout is in
// ./opcodes.ts, shared with assembly/net/opcodes.ts.
import { ACTIVATION_IDS, ACTIVATION_UNITS } from '../ops/activations/index.js';
import { parametersOf } from '../ops/activations/unit.js';
import type { Program } from '../core/layout.js';
import { type Layer, checkLayer } from './layers.js';
import { OP, PROGRAM_ATTRIBUTES, PROGRAM_WIDTH, WINDOW } from '../core/layout.js';
import { type Padding, isPointwise, windowAxis, windowOf } from '../core/shapes.js';

/** A value flowing between layers: its shape, and whether it is a mean-zero Gaussian at infinite width. */
interface Value {
  id: number;
  shape: readonly number[];
  gaussian: boolean;
}

/** What flows out of a layer: one value, or the branches of a fanOut/parallel. */
interface Flow {
  values: Value[];
  branched: boolean;
}

const describeShape = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** Checks an input shape: `[d]`, `[length, channels]` or `[height, width, channels]`, positive integers. */
export function checkInputShape(fn: string, inputShape: unknown): number[] {
  if (!Array.isArray(inputShape) || inputShape.length === 0) {
    throw new TypeError(`${fn}: inputShape must be a non-empty array of positive integers, such as [d] or [height, width, channels]`);
  }
  inputShape.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: inputShape[${i}] must be a positive integer, got ${String(v)}`);
    }
  });
  if (inputShape.length > 3) {
    throw new RangeError(`${fn}: inputShape ${describeShape(inputShape)} has ${inputShape.length} axes; at most 3 ([height, width, channels])`);
  }
  return [...inputShape];
}

/** A shape as the program's table row: height, width, channels (1 for missing spatial axes). */
const shapeRow = (shape: readonly number[]) => [shape.length > 1 ? shape[0] : 1, shape.length > 2 ? shape[1] : 1, shape[shape.length - 1]];

/**
 * Lowers `model` for inputs of shape `inputShape`. With `infinite`, every activation, layerNorm and sum of
 * branches must take a Gaussian input (a dense or conv layer before it), as neural-tangents requires for its kernels.
 */
export function lowerProgram(fn: string, model: Layer, inputShape: readonly number[], infinite: boolean): Program {
  const instructions: number[] = [];
  const attributes: number[] = [];
  const shapes: number[][] = [shapeRow(inputShape)]; // value 0 is the input
  let paramCount = 0;
  const define = (op: number, inputs: number[], shape: readonly number[], attrs: number[], paramOffset = 0): number => {
    const id = shapes.length;
    shapes.push(shapeRow(shape));
    instructions.push(op, inputs[0], inputs[1] ?? -1, id, paramOffset);
    attributes.push(...attrs, ...new Array<number>(PROGRAM_ATTRIBUTES - attrs.length).fill(0));
    return id;
  };

  const single = (flow: Flow, where: string): Value => {
    if (flow.branched) {
      throw new RangeError(`${fn}: ${where} takes one input but receives ${flow.values.length} branches (close them with fanInSum())`);
    }
    return flow.values[0];
  };
  const gaussian = (value: Value, where: string) => {
    if (infinite && !value.gaussian) {
      throw new RangeError(`${fn}: ${where} needs a Gaussian input at infinite width: put a dense or conv layer before it`);
    }
  };
  /** The output spatial shape of a window over the input's spatial axes, and its attributes from WINDOW on. */
  const windowed = (input: Value, sizes: readonly number[], strides: readonly number[], padding: Padding, what: string, where: string) => {
    const spatial = input.shape.slice(0, -1);
    if (spatial.length !== sizes.length) {
      throw new RangeError(`${fn}: ${where} has a ${sizes.length}-D ${what} ${describeShape(sizes)} but its input ${describeShape(input.shape)} ` +
        `has ${spatial.length} spatial ${spatial.length === 1 ? 'axis' : 'axes'}`);
    }
    if (padding === 'VALID' && spatial.some((size, i) => sizes[i] > size)) {
      throw new RangeError(`${fn}: ${where} has a ${what} ${describeShape(sizes)} larger than its input ${describeShape(spatial)} with 'VALID' padding`);
    }
    const axes = spatial.map((size, i) => windowAxis(size, sizes[i], strides[i], padding));
    const [h, w] = [axes[0], axes[1] ?? { out: 1, before: 0 }];
    return {
      spatial: axes.map((axis) => axis.out),
      attrs: [sizes[0], sizes[1] ?? 1, strides[0], strides[1] ?? 1, h.before, w.before, padding === 'CIRCULAR' ? 1 : 0],
    };
  };
  const affine = (input: Value, layer: { out: number; wStd: number; bStd: number | null; parameterization: string }, taps: number, window: number[], spatial: readonly number[]) => {
    const fanIn = taps * input.shape[input.shape.length - 1];
    const standard = layer.parameterization === 'standard';
    const hasBias = layer.bStd !== null;
    const id = define(OP.dense, [input.id], [...spatial, layer.out], [
      layer.wStd * layer.wStd, (layer.bStd ?? 0) ** 2, standard ? fanIn : 0, hasBias ? 1 : 0, standard ? 1 : 0,
      standard ? 1 : layer.wStd / Math.sqrt(fanIn), standard ? 1 : (layer.bStd ?? 0), ...window,
    ], paramCount);
    paramCount += fanIn * layer.out + (hasBias ? layer.out : 0);
    return { values: [{ id, shape: [...spatial, layer.out], gaussian: true }], branched: false };
  };

  const walk = (node: unknown, flow: Flow, path: string): Flow => {
    const layer = checkLayer(fn, node, path);
    const where = `${path} (${layer.kind})`;
    switch (layer.kind) {
      case 'dense': {
        const input = single(flow, where);
        return affine(input, layer, 1, [1, 1, 1, 1, 0, 0, 0], input.shape.slice(0, -1));
      }
      case 'conv': {
        const input = single(flow, where);
        const { spatial, attrs } = windowed(input, layer.filter, layer.strides, layer.padding, 'filter', where);
        return affine(input, layer, layer.filter.reduce((p, k) => p * k, 1), attrs, spatial);
      }
      case 'avgPool': {
        const input = single(flow, where);
        const { spatial, attrs } = windowed(input, layer.window, layer.strides, layer.padding, 'window', where);
        const shape = [...spatial, input.shape[input.shape.length - 1]];
        return { values: [{ id: define(OP.avgPool, [input.id], shape, [...new Array<number>(WINDOW).fill(0), ...attrs]), shape, gaussian: input.gaussian }], branched: false };
      }
      case 'globalAvgPool': {
        const input = single(flow, where);
        if (input.shape.length === 1) throw new RangeError(`${fn}: ${where} needs a spatial input but receives ${describeShape(input.shape)}`);
        const shape = [input.shape[input.shape.length - 1]];
        return { values: [{ id: define(OP.globalAvgPool, [input.id], shape, []), shape, gaussian: input.gaussian }], branched: false };
      }
      case 'flatten': {
        const input = single(flow, where);
        const shape = [input.shape.reduce((p, v) => p * v, 1)];
        // As neural-tangents: the flattened value is not treated as Gaussian (a dense layer must follow before an activation).
        return { values: [{ id: define(OP.flatten, [input.id], shape, []), shape, gaussian: false }], branched: false };
      }
      case 'activation': {
        const input = single(flow, where);
        gaussian(input, where);
        const id = define(OP.activation, [input.id], input.shape, [ACTIVATION_IDS[layer.activation], ...parametersOf(ACTIVATION_UNITS[ACTIVATION_IDS[layer.activation]], layer)]);
        return { values: [{ id, shape: input.shape, gaussian: false }], branched: false };
      }
      case 'identity':
        return { values: [single(flow, where)], branched: false };
      case 'layerNorm': {
        const input = single(flow, where);
        gaussian(input, where);
        const id = define(OP.layerNorm, [input.id], input.shape, [layer.eps, layer.axis === 'all' && input.shape.length > 1 ? 1 : 0]);
        return { values: [{ id, shape: input.shape, gaussian: true }], branched: false };
      }
      case 'serial':
        return layer.layers.reduce((current, inner, i) => walk(inner, current, `${path}.serial[${i}]`.replace(/^\./, '')), flow);
      case 'parallel': {
        if (!flow.branched || flow.values.length !== layer.layers.length) {
          const got = flow.branched ? `${flow.values.length} branches` : 'one input';
          throw new RangeError(`${fn}: ${where} has ${layer.layers.length} layers but receives ${got} (put fanOut(${layer.layers.length}) before it)`);
        }
        const outputs = layer.layers.map((inner, i) => single(walk(inner, { values: [flow.values[i]], branched: false }, `${path}.parallel[${i}]`.replace(/^\./, '')), where));
        return { values: outputs, branched: true };
      }
      case 'fanOut': {
        const input = single(flow, where);
        return { values: new Array<Value>(layer.count).fill(input), branched: true };
      }
      case 'fanInSum': {
        const [first, ...rest] = flow.values;
        for (const value of rest) {
          if (describeShape(value.shape) !== describeShape(first.shape)) {
            throw new RangeError(`${fn}: ${where} sums branches of different shapes: ${flow.values.map((v) => describeShape(v.shape)).join(', ')}`);
          }
        }
        if (rest.length > 0) flow.values.forEach((value) => gaussian(value, where));
        let sum = first;
        for (const value of rest) sum = { id: define(OP.sum, [sum.id, value.id], first.shape, []), shape: first.shape, gaussian: true };
        return { values: [sum], branched: false };
      }
    }
  };

  const output = single(walk(model, { values: [{ id: 0, shape: inputShape, gaussian: false }], branched: false }, 'model'), 'the model');
  if (output.shape.length !== 1) {
    throw new RangeError(`${fn}: the model's output ${describeShape(output.shape)} is not flat: end it with flatten() or globalAvgPool() (and a dense layer)`);
  }
  return {
    instructions: Int32Array.from(instructions), attributes: Float64Array.from(attributes), shapes: Int32Array.from(shapes.flat()),
    values: shapes.length, output: output.id, paramCount, slots: assignSlots(instructions, shapes.length, output.id),
    fullSpatial: fullSpatial(instructions, attributes, shapes),
  };
}

/**
 * Infinite width: 1 for the values whose covariance must be kept for every pair of positions, 0 where the
 * same-position entries suffice. Pooling reads the covariance between positions; a convolution reads, for
 * output positions (p, p′), input positions displaced by the same tap, so it needs whole input covariances only
 * when its output is kept whole; flatten reads the same-position entries. Ops that act entry by entry
 * (activations, layerNorm, sums, dense layers) keep their inputs and output alike, so the flags are settled
 * to a fixed point.
 */
function fullSpatial(instructions: readonly number[], attributes: readonly number[], shapes: readonly number[][]): Int32Array {
  const full = new Int32Array(shapes.length);
  const count = instructions.length / PROGRAM_WIDTH;
  const positions = (v: number) => shapes[v][0] * shapes[v][1];
  for (let changed = true; changed;) {
    changed = false;
    const set = (v: number, flag: number) => {
      if (v >= 0 && positions(v) > 1 && flag && !full[v]) {
        full[v] = 1;
        changed = true;
      }
    };
    for (let t = count - 1; t >= 0; t--) {
      const [op, a, b, out] = instructions.slice(t * PROGRAM_WIDTH, t * PROGRAM_WIDTH + 4);
      const pointwise = op === OP.dense && isPointwise(windowOf(Float64Array.from(attributes.slice(t * PROGRAM_ATTRIBUTES, (t + 1) * PROGRAM_ATTRIBUTES))));
      const entrywise = pointwise || op === OP.activation || op === OP.layerNorm || op === OP.sum;
      if (op === OP.avgPool || op === OP.globalAvgPool) set(a, 1);
      else if (entrywise) {
        const flag = full[a] | full[out] | (b >= 0 ? full[b] : 0);
        [a, b, out].forEach((v) => set(v, flag));
      } else if (op === OP.dense) set(a, full[out]);
    }
  }
  return full;
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
