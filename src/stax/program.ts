// Shape inference and lowering: a model and an input shape become a flat program of operations on values
// (SSA: each instruction defines one), with every dense layer's parameters placed in θ in order, and the
// storage slot of every value chosen by liveness (so that the infinite-width kernels of a residual network of
// any depth need three slots). Both backends and both widths interpret the same program; the layout is in
// ./opcodes.ts, shared with assembly/net/opcodes.ts.
import { ACTIVATION_IDS } from '../core/activations.js';
import type { Program } from '../backend/types.js';
import type { Layer } from './layers.js';
import { OP, PROGRAM_ATTRIBUTES, PROGRAM_WIDTH } from '../core/opcodes.js';

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

/** Checks an input shape: positive integers (vector inputs [d] only, until spatial layers exist). */
export function checkInputShape(fn: string, inputShape: unknown): number[] {
  if (!Array.isArray(inputShape) || inputShape.length === 0) {
    throw new TypeError(`${fn}: inputShape must be a non-empty array of positive integers, such as [d]`);
  }
  inputShape.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      throw new RangeError(`${fn}: inputShape[${i}] must be a positive integer, got ${String(v)}`);
    }
  });
  if (inputShape.length !== 1) {
    throw new RangeError(`${fn}: inputShape ${describeShape(inputShape)} is spatial; these layers take vector inputs [d]`);
  }
  return [...inputShape];
}

/**
 * Lowers `model` for inputs of shape `inputShape`. With `infinite`, every activation, layerNorm and sum of
 * branches must take a Gaussian input (a dense layer before it), as neural-tangents requires for its kernels.
 */
export function lowerProgram(fn: string, model: Layer, inputShape: readonly number[], infinite: boolean): Program {
  const instructions: number[] = [];
  const attributes: number[] = [];
  const widths: number[] = [inputShape[inputShape.length - 1]]; // value 0 is the input
  let paramCount = 0;
  const define = (op: number, inputs: number[], width: number, attrs: number[], paramOffset = 0): number => {
    const id = widths.length;
    widths.push(width);
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
      throw new RangeError(`${fn}: ${where} needs a Gaussian input at infinite width: put a dense layer before it`);
    }
  };

  const walk = (layer: Layer, flow: Flow, path: string): Flow => {
    const where = `${path} (${layer.kind})`;
    switch (layer.kind) {
      case 'dense': {
        const input = single(flow, where);
        const fanIn = input.shape[input.shape.length - 1];
        const standard = layer.parameterization === 'standard';
        const hasBias = layer.bStd !== null;
        const id = define(OP.dense, [input.id], layer.out, [
          layer.wStd * layer.wStd, (layer.bStd ?? 0) ** 2, standard ? fanIn : 0, hasBias ? 1 : 0, standard ? 1 : 0,
          standard ? 1 : layer.wStd / Math.sqrt(fanIn), standard ? 1 : (layer.bStd ?? 0),
        ], paramCount);
        paramCount += fanIn * layer.out + (hasBias ? layer.out : 0);
        return { values: [{ id, shape: [...input.shape.slice(0, -1), layer.out], gaussian: true }], branched: false };
      }
      case 'activation': {
        const input = single(flow, where);
        gaussian(input, where);
        const id = define(OP.activation, [input.id], widths[input.id], [ACTIVATION_IDS[layer.activation], layer.leak]);
        return { values: [{ id, shape: input.shape, gaussian: false }], branched: false };
      }
      case 'identity':
        return { values: [single(flow, where)], branched: false };
      case 'layerNorm': {
        const input = single(flow, where);
        gaussian(input, where);
        const id = define(OP.layerNorm, [input.id], widths[input.id], [layer.eps]);
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
        for (const value of rest) sum = { id: define(OP.sum, [sum.id, value.id], widths[first.id], []), shape: first.shape, gaussian: true };
        return { values: [sum], branched: false };
      }
    }
  };

  const output = single(walk(model, { values: [{ id: 0, shape: inputShape, gaussian: false }], branched: false }, 'model'), 'the model');
  if (output.shape.length !== 1) throw new RangeError(`${fn}: the model's output ${describeShape(output.shape)} is not flat`);
  return {
    instructions: Int32Array.from(instructions), attributes: Float64Array.from(attributes), widths: Int32Array.from(widths),
    values: widths.length, output: output.id, paramCount, slots: assignSlots(instructions, widths.length, output.id),
  };
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
