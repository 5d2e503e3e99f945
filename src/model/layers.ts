// Models as neural-tangents' stax builds them: pure data, a tree of layers. The kinds of layer that lower to ops
// are the ops' own (src/ops/<op>.ts, listed in src/ops/index.ts); this module holds the combinators that arrange
// them (serial, parallel, fanOut, residual) and checks any layer object that reaches a model.
import { numberOption } from '../errors.js';
import { describeShape } from '../core/shapes.js';
import { LAYER_UNITS, type OpLayer } from '../ops/index.js';
import { fanInSum } from '../ops/fanInSum.js';
import { identity } from '../ops/identity.js';
import type { LayerUnit } from '../ops/unit.js';

/** Layers applied one after the other. */
export interface SerialLayer {
  /** The layer's type tag. */
  readonly kind: 'serial';
  /** The layers, in order. */
  readonly layers: readonly Layer[];
}

/** Layers applied to the branches of a fanned-out input, one each. */
export interface ParallelLayer {
  /** The layer's type tag. */
  readonly kind: 'parallel';
  /** One layer per branch. */
  readonly layers: readonly Layer[];
}

/** Copies its input into `count` branches. */
export interface FanOutLayer {
  /** The layer's type tag. */
  readonly kind: 'fanOut';
  /** Number of branches. */
  readonly count: number;
}

/** A layer applied n times in a row, each time with its own parameters. */
export interface RepeatLayer {
  /** The layer's type tag. */
  readonly kind: 'repeat';
  /** The layer repeated. */
  readonly layer: Layer;
  /** How many times. */
  readonly count: number;
}

/** Any layer or combination of layers: a model. */
export type Layer = OpLayer | SerialLayer | ParallelLayer | FanOutLayer | RepeatLayer;

function layerList(fn: string, layers: readonly Layer[]): readonly Layer[] {
  if (layers.length === 0) throw new TypeError(`${fn}: at least one layer is required`);
  layers.forEach((layer, i) => {
    if (layer === null || typeof layer !== 'object' || typeof (layer as { kind?: unknown }).kind !== 'string') {
      throw new TypeError(`${fn}: argument ${i} is not a layer (use dense(), relu(), serial(), …)`);
    }
  });
  return Object.freeze([...layers]);
}

/**
 * Layers one after the other.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), relu(), dense(512), relu(), dense(1));
 * ```
 */
export function serial(...layers: Layer[]): SerialLayer {
  return Object.freeze({ kind: 'serial', layers: layerList('serial', layers) });
}

/**
 * One layer per branch of a fanned-out input.
 *
 * @example
 * ```ts
 * const twoBranches = serial(fanOut(2), parallel(dense(64), serial(dense(64), relu(), dense(64))), fanInSum());
 * ```
 */
export function parallel(...layers: Layer[]): ParallelLayer {
  return Object.freeze({ kind: 'parallel', layers: layerList('parallel', layers) });
}

/**
 * Copies the input into `count` branches.
 *
 * @example
 * ```ts
 * const block = serial(fanOut(2), parallel(identity(), dense(64)), fanInSum());
 * ```
 */
export function fanOut(count: number): FanOutLayer {
  return Object.freeze({ kind: 'fanOut', count: numberOption('fanOut', 'count', count, undefined, { integer: true, min: 1 }) });
}

/**
 * A residual block `x + branch(x)`: `serial(fanOut(2), parallel(identity(), serial(...branch)), fanInSum())`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), residual(relu(), dense(512)), relu(), dense(1));
 * ```
 */
export function residual(...branch: Layer[]): SerialLayer {
  return serial(fanOut(2), parallel(identity(), serial(...layerList('residual', branch))), fanInSum());
}

/**
 * `layer` applied `n` times in a row (neural-tangents' `repeat`), each application with its own parameters, drawn and
 * given (`Network.fromWeights`) in order as for `serial` of n copies; the layer must keep its input's shape.
 * (The program holds the n applications one after the other.)
 *
 * @example
 * ```ts
 * const deep = serial(dense(64), repeat(serial(relu(), dense(64)), 10), relu(), dense(1));
 * ```
 */
export function repeat(layer: Layer, n: number): RepeatLayer {
  const [checked] = layerList('repeat', [layer]);
  return Object.freeze({ kind: 'repeat', layer: checked, count: numberOption('repeat', 'n', n, undefined, { integer: true, min: 1 }) });
}

const repeatLayer: LayerUnit<RepeatLayer> = {
  kind: 'repeat',
  rebuild: (l) => repeat(l.layer, l.count),
  lower(lowering, layer, flow, where, path) {
    let current = flow;
    for (let i = 0; i < layer.count; i++) {
      const next = lowering.walk(layer.layer, current, `${path}.repeat[${i}]`.replace(/^\./, ''));
      const [before, after] = [current.values.map((v) => v.shape.join()), next.values.map((v) => v.shape.join())];
      if (before.join('|') !== after.join('|') || current.branched !== next.branched) {
        const shapes = (f: typeof flow) => f.values.map((v) => describeShape(v.shape)).join(', ');
        throw new RangeError(
          `${lowering.fn}: ${where} repeats a layer that changes its input ${shapes(current)} into ${shapes(next)}; a repeated layer must keep the shape`,
        );
      }
      current = next;
    }
    return current;
  },
};

const serialLayer: LayerUnit<SerialLayer> = {
  kind: 'serial',
  rebuild: (l) => Object.freeze({ kind: 'serial', layers: layerList('serial', l.layers) }),
  lower: (lowering, layer, flow, _where, path) =>
    layer.layers.reduce((current, inner, i) => lowering.walk(inner, current, `${path}.serial[${i}]`.replace(/^\./, '')), flow),
};

const parallelLayer: LayerUnit<ParallelLayer> = {
  kind: 'parallel',
  rebuild: (l) => Object.freeze({ kind: 'parallel', layers: layerList('parallel', l.layers) }),
  lower(lowering, layer, flow, where, path) {
    if (!flow.branched || flow.values.length !== layer.layers.length) {
      const got = flow.branched ? `${flow.values.length} branches` : 'one input';
      throw new RangeError(`${lowering.fn}: ${where} has ${layer.layers.length} layers but receives ${got} (put fanOut(${layer.layers.length}) before it)`);
    }
    const outputs = layer.layers.map((inner, i) =>
      lowering.single(lowering.walk(inner, { values: [flow.values[i]], branched: false }, `${path}.parallel[${i}]`.replace(/^\./, '')), where),
    );
    return { values: outputs, branched: true };
  },
};

const fanOutLayer: LayerUnit<FanOutLayer> = {
  kind: 'fanOut',
  rebuild: (l) => fanOut(l.count),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    return { values: new Array(layer.count).fill(input), branched: true };
  },
};

/** Every kind of layer, by kind. */
const UNITS = new Map<string, LayerUnit>(
  [...LAYER_UNITS, serialLayer, parallelLayer, fanOutLayer, repeatLayer].map((unit) => [unit.kind, unit as unknown as LayerUnit]),
);

/** The kinds of layer, for messages. */
const LAYER_KINDS = [...UNITS.keys()];

/**
 * @internal `layer` (one node of a model, `where` in it) checked as its factory checks its arguments, with every
 * field present and none unknown; the children of serial and parallel are checked when they are reached. Errors
 * keep the factory's type and name the node: `network: model.serial[2] (dense): out must be an integer, got 1.5`.
 * Returns the layer as its factory builds it, with the unit that lowers it.
 */
export function checkLayer(fn: string, layer: unknown, where: string): { layer: Layer; unit: LayerUnit } {
  const kind = (layer as { kind?: unknown } | null)?.kind;
  const unit = typeof kind === 'string' ? UNITS.get(kind) : undefined;
  if (layer === null || typeof layer !== 'object' || unit === undefined) {
    const found = layer === null || typeof layer !== 'object' ? String(layer) : `kind ${JSON.stringify(kind)}`;
    throw new TypeError(`${fn}: ${where} is not a layer (${found}); a layer's kind is one of ${LAYER_KINDS.map((k) => `'${k}'`).join(', ')}`);
  }
  const label = `${fn}: ${where} (${kind as string})`;
  let rebuilt: Layer;
  try {
    rebuilt = unit.rebuild(layer as never) as Layer;
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    throw new (error.constructor as typeof TypeError)(`${label}: ${error.message.replace(/^[A-Za-z]+: /, '')}`);
  }
  const fields = Object.keys(rebuilt);
  for (const key of Object.keys(layer)) {
    if (!fields.includes(key)) throw new TypeError(`${label} has an unknown field '${key}'; its fields are ${fields.map((f) => `'${f}'`).join(', ')}`);
  }
  for (const key of fields) {
    if (!(key in layer)) throw new TypeError(`${label} lacks the field '${key}'; build layers with their functions (dense(), conv(), …)`);
  }
  // identity is rebuilt as itself; an activation named 'identity' becomes the identity layer.
  return { layer: rebuilt, unit: UNITS.get(rebuilt.kind)! };
}
