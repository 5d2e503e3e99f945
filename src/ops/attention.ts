// Global self-attention (neural-tangents' GlobalSelfAttention with its default linear scaling; Hron et al. 2020,
// "Infinite attention: NNGP and NTK for deep attention networks"). The layer lowers to dense layers for the keys and
// the values (no bias, 'ntk'), the parameter-free op `attend` defined here, and a dense layer for the output: with
// linear scaling the queries are the keys, the logits (wQueryStd·wKeyStd/nChanKey)·KKᵀ per head, the weights a
// mechanism of them (softmax over the key positions, identity, abs or relu) and each head's output G·V, its channels
// ordered v·nHeads + h. So the finite network's parameters are dense layers' (the structured NTK comes with them), and
// at infinite width the keys' covariance C (each example's own, kept by pass 1) fixes G = mechanism(wQ·wK·C) while the
// values carry the kernels: Σ ← GᵢΣGⱼᵀ, Θ ← GᵢΘGⱼᵀ; the dense layers around it give neural-tangents' formula
// Θ = (wOut·wValue)²·(GᵢΘGⱼᵀ + 2·GᵢΣGⱼᵀ) + bStd². Its WASM passes are in assembly/ops/attend.ts.
import { ATTENTION, type Instruction, type Program, SLOTS } from '../core/layout.js';
import { channelsOf, positionsOf, sizeOf } from '../core/shapes.js';
import { checkOptions, enumOption, numberOption } from '../errors.js';
import { dense, lowerDense } from './dense.js';
import type { LayerUnit, OpUnit } from './unit.js';

const MECHANISMS = ['SOFTMAX', 'IDENTITY', 'ABS', 'RELU'] as const;

/** Global self-attention (neural-tangents' `GlobalSelfAttention`). */
export interface GlobalSelfAttentionLayer {
  /** The layer's type tag. */
  readonly kind: 'globalSelfAttention';
  /** Output channels. */
  readonly nChanOut: number;
  /** Key (and query) channels per head. */
  readonly nChanKey: number;
  /** Value channels per head. */
  readonly nChanVal: number;
  /** Heads. */
  readonly nHeads: number;
  /** The key weights' scale. */
  readonly wKeyStd: number;
  /** The value weights' scale. */
  readonly wValueStd: number;
  /** The query weights' scale (the queries are the keys: it scales the logits). */
  readonly wQueryStd: number;
  /** The output weights' scale. */
  readonly wOutStd: number;
  /** The output's bias scale; null: no bias. */
  readonly bStd: number | null;
  /** What turns a logit into an attention weight. */
  readonly attentionMechanism: (typeof MECHANISMS)[number];
}

/** Options of {@link globalSelfAttention}, neural-tangents' names in camelCase. */
export interface GlobalSelfAttentionOptions {
  /**
   * true (default, neural-tangents' too): logits scaled by 1/nChanKey with the queries tied to the keys, the form whose
   * infinite-width kernels are known in closed form. false (1/√nChanKey, independent queries) is not built.
   */
  linearScaling?: boolean;
  /** Scale of the key weights (default 1); only wQueryStd·wKeyStd matters. */
  wKeyStd?: number;
  /** Scale of the value weights (default 1); only wOutStd·wValueStd matters at infinite width. */
  wValueStd?: number;
  /** Scale of the query weights (default 1): with linear scaling the queries are the keys, and it scales the logits. */
  wQueryStd?: number;
  /** Scale of the output weights (default 1). */
  wOutStd?: number;
  /** The bias's scale; null (default, as neural-tangents): no bias. */
  bStd?: number | null;
  /** 'SOFTMAX' (default) over the key positions, 'IDENTITY', 'ABS' or 'RELU' of the logits. */
  attentionMechanism?: (typeof MECHANISMS)[number];
  /** 'NONE' (default). Positional embeddings ('SUM', 'CONCAT') are not built. */
  posEmbType?: 'NONE';
  /** The p of the distances between positions of positional embeddings; used only with them, ignored with 'NONE' (as in neural-tangents). */
  posEmbPNorm?: number;
  /** The decay of positional embeddings' covariance with distance; used only with them. */
  posEmbDecayFn?: ((distance: number) => number) | null;
  /** Channels of positional embeddings; used only with them. */
  nChanPosEmb?: number | null;
  /** Scale of positional embeddings; used only with them. */
  wPosEmbStd?: number;
  /** Whether the values see positional embeddings; used only with them. */
  valPosEmb?: boolean;
}

/**
 * Global self-attention over the positions of every example (neural-tangents' `GlobalSelfAttention(n_chan_out,
 * n_chan_key, n_chan_val, n_heads, …)` with its default linear scaling): per head h, keys K = x·W_K[h] (the queries
 * are the keys), weights G = mechanism(wQueryStd·wKeyStd·KKᵀ/(C·nChanKey)) (softmax over the key positions by default,
 * C the input's channels) and values V = x·W_V[h]; the heads G·V, their channels ordered v·nHeads + h, times W_out
 * scaled by wOutStd·wValueStd/√(nChanVal·nHeads·C), plus bStd·b. Parameters in neural-tangents' order (keys, values,
 * output, bias); `Network.fromWeights` takes `{ key, value, out, b? }` in its layout ([h][c][k], [h][c][v],
 * [v·nHeads + h][out]). At infinite width (keys, values and heads infinitely many channels) the kernels are
 * neural-tangents': each input's own covariance C fixes G = mechanism(wQueryStd·wKeyStd·C), and
 * Σ ← (wOut·wValue)²·GᵢΣGⱼᵀ + bStd², Θ ← (wOut·wValue)²·(GᵢΘGⱼᵀ + 2·GᵢΣGⱼᵀ) + bStd². The gradients of 'ABS' and
 * 'RELU' at a logit of exactly 0 are 0, as PyTorch's (JAX takes 1 for abs there). Models with attention have no
 * derivatives of their kernels with respect to the hyperparameters (`kernelGradients`, `fitHyperparameters`).
 *
 * @example
 * ```ts
 * // A transformer-like block on sequences of 8 tokens with 16 features.
 * const model = serial(globalSelfAttention(64, 64, 64, 4), relu(), globalAvgPool(), dense(1));
 * const { ntk } = infinite(model, { inputShape: [8, 16] }).kernels(randomMatrix(3, 8 * 16, { seed: 1 }));
 * ```
 */
export function globalSelfAttention(
  nChanOut: number,
  nChanKey: number,
  nChanVal: number,
  nHeads: number,
  options: GlobalSelfAttentionOptions = {},
): GlobalSelfAttentionLayer {
  const fn = 'globalSelfAttention';
  const opts = checkOptions(fn, options, [
    'linearScaling',
    'wKeyStd',
    'wValueStd',
    'wQueryStd',
    'wOutStd',
    'bStd',
    'attentionMechanism',
    'posEmbType',
    'posEmbPNorm',
    'posEmbDecayFn',
    'nChanPosEmb',
    'wPosEmbStd',
    'valPosEmb',
  ]) as Partial<GlobalSelfAttentionOptions>;
  const count = (name: string, value: unknown) => numberOption(fn, name, value, undefined, { integer: true, min: 1 });
  if (opts.linearScaling !== undefined && opts.linearScaling !== true) {
    if (opts.linearScaling === false) {
      throw new RangeError(`${fn}: linearScaling false (independent queries, logits over √nChanKey) is not built; neural-tangents' default, true, is`);
    }
    throw new TypeError(`${fn}: linearScaling must be a boolean, got ${JSON.stringify(opts.linearScaling)}`);
  }
  if (opts.posEmbType !== undefined && opts.posEmbType !== 'NONE') {
    throw new RangeError(`${fn}: posEmbType ${JSON.stringify(opts.posEmbType)}: positional embeddings are not built; only 'NONE'`);
  }
  const scale = (name: string, value: unknown) => numberOption(fn, name, value, 1, { min: 0 });
  const [wQueryStd, wKeyStd] = [scale('wQueryStd', opts.wQueryStd), scale('wKeyStd', opts.wKeyStd)];
  if (!Number.isFinite(wQueryStd * wKeyStd)) {
    throw new RangeError(`${fn}: wQueryStd·wKeyStd is ${wQueryStd * wKeyStd} (${wQueryStd}·${wKeyStd}); the logits' scale must be finite`);
  }
  return Object.freeze({
    kind: 'globalSelfAttention',
    nChanOut: count('nChanOut', nChanOut),
    nChanKey: count('nChanKey', nChanKey),
    nChanVal: count('nChanVal', nChanVal),
    nHeads: count('nHeads', nHeads),
    wKeyStd,
    wValueStd: scale('wValueStd', opts.wValueStd),
    wQueryStd,
    wOutStd: scale('wOutStd', opts.wOutStd),
    bStd: opts.bStd === undefined || opts.bStd === null ? null : numberOption(fn, 'bStd', opts.bStd, undefined, { min: 0 }),
    attentionMechanism: enumOption(fn, 'attentionMechanism', opts.attentionMechanism, MECHANISMS, 'SOFTMAX'),
  });
}

const S = SLOTS.attend;

export const globalSelfAttentionLayer: LayerUnit<GlobalSelfAttentionLayer> = {
  kind: 'globalSelfAttention',
  rebuild: (l) =>
    globalSelfAttention(l.nChanOut, l.nChanKey, l.nChanVal, l.nHeads, {
      wKeyStd: l.wKeyStd,
      wValueStd: l.wValueStd,
      wQueryStd: l.wQueryStd,
      wOutStd: l.wOutStd,
      bStd: l.bStd,
      attentionMechanism: l.attentionMechanism,
    }),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    if (input.shape.length < 2) {
      throw new RangeError(`${lowering.fn}: ${where} attends over positions but its input [${input.shape.join(', ')}] has none`);
    }
    // The keys and values unscaled but for 1/√C (dense, 'ntk'); the rest of neural-tangents' scales in the logits and the output.
    const keys = lowerDense(lowering, input, dense(layer.nHeads * layer.nChanKey, { bStd: null }));
    const values = lowerDense(lowering, input, dense(layer.nHeads * layer.nChanVal, { wStd: layer.wValueStd, bStd: null }));
    const attributes = [];
    attributes[S.mechanism] = ATTENTION[layer.attentionMechanism.toLowerCase() as keyof typeof ATTENTION];
    attributes[S.queryKeyScale] = layer.wQueryStd * layer.wKeyStd;
    attributes[S.keyChannels] = layer.nChanKey;
    attributes[S.heads] = layer.nHeads;
    const heads = { id: lowering.define(attendOp, [keys.id, values.id], values.shape, attributes), shape: values.shape, gaussian: true };
    return { values: [lowerDense(lowering, heads, dense(layer.nChanOut, { wStd: layer.wOutStd, bStd: layer.bStd }))], branched: false };
  },
};

/** One head's logits of one example into `weights` (S × S): scale·K_hK_hᵀ, then the mechanism row by row; the logits into `logits`. */
function headWeights(
  mechanism: number,
  scale: number,
  keys: Float64Array,
  at: number,
  s: number,
  width: number,
  head: number,
  dk: number,
  logits: Float64Array,
  weights: Float64Array,
): void {
  for (let p = 0; p < s; p++) {
    for (let q = 0; q < s; q++) {
      let dot = 0;
      for (let k = 0; k < dk; k++) dot += keys[at + p * width + head * dk + k] * keys[at + q * width + head * dk + k];
      logits[p * s + q] = scale * dot;
    }
  }
  mechanismRows(mechanism, logits, s, weights);
}

/** The mechanism on every row of an S × S matrix of logits (softmax over each row). */
function mechanismRows(mechanism: number, logits: Float64Array, s: number, weights: Float64Array): void {
  for (let p = 0; p < s; p++) {
    const row = p * s;
    if (mechanism === ATTENTION.softmax) {
      let largest = -Infinity;
      for (let q = 0; q < s; q++) largest = Math.max(largest, logits[row + q]);
      let total = 0;
      for (let q = 0; q < s; q++) total += weights[row + q] = Math.exp(logits[row + q] - largest);
      for (let q = 0; q < s; q++) weights[row + q] /= total;
    } else {
      for (let q = 0; q < s; q++) {
        const l = logits[row + q];
        weights[row + q] = mechanism === ATTENTION.identity ? l : mechanism === ATTENTION.abs ? Math.abs(l) : Math.max(l, 0);
      }
    }
  }
}

/**
 * The mechanism's Jacobian (symmetric: softmax's diag(G) − GGᵀ per row, the others diagonal) on `d` (S × S) in place,
 * at the logits L and weights G: softmax G ⊙ (d − rowsum(G ⊙ d)), identity d, abs sign(L)·d, relu [L > 0]·d.
 */
function mechanismJacobian(mechanism: number, logits: Float64Array, weights: Float64Array, at: number, s: number, d: Float64Array): void {
  for (let p = 0; p < s; p++) {
    const row = p * s;
    if (mechanism === ATTENTION.softmax) {
      let mean = 0;
      for (let q = 0; q < s; q++) mean += weights[at + row + q] * d[row + q];
      for (let q = 0; q < s; q++) d[row + q] = weights[at + row + q] * (d[row + q] - mean);
    } else if (mechanism !== ATTENTION.identity) {
      for (let q = 0; q < s; q++) d[row + q] *= mechanism === ATTENTION.abs ? Math.sign(logits[at + row + q]) : logits[at + row + q] > 0 ? 1 : 0;
    }
  }
}

/**
 * What backward and forward mode share: for every row r (of example i = ⌊r/m⌋) and head h, `fill` writes a derivative d
 * with respect to the weights G (S × S), the mechanism's Jacobian takes it to the logits, and `use` reads it there.
 */
function throughMechanism(
  shape: { s: number; heads: number; mechanism: number },
  { logits, weights }: AttendKept,
  rows: number,
  m: number,
  fill: (r: number, i: number, h: number, d: Float64Array) => void,
  use: (r: number, i: number, h: number, d: Float64Array) => void,
): void {
  const { s, heads } = shape;
  const d = new Float64Array(s * s);
  for (let r = 0; r < rows; r++) {
    const i = Math.floor(r / m);
    for (let h = 0; h < heads; h++) {
      fill(r, i, h, d);
      mechanismJacobian(shape.mechanism, logits, weights, (i * heads + h) * s * s, s, d);
      use(r, i, h, d);
    }
  }
}

/** The attend instruction's sizes: positions, heads, key and value channels per head, its logits' scale. */
function attendShape(program: Program, { a, b, attrs }: Instruction) {
  const heads = attrs[S.heads];
  const dk = attrs[S.keyChannels];
  return { s: positionsOf(program, a), heads, dk, dv: channelsOf(program, b) / heads, scale: attrs[S.queryKeyScale] / dk, mechanism: attrs[S.mechanism] };
}

/**
 * Rows of the heads G·V (row r of example ⌊r/m⌋, whose weights are `weights` there): out[p][v·H + h] += Σ_q G_h[p][q]·V[q][h·dv + v];
 * with `transpose`, the values' cotangents dV[q][h·dv + v] += Σ_p G_h[p][q]·g[p][v·H + h] instead.
 */
function mixRows(
  ins: { s: number; heads: number; dv: number },
  weights: Float64Array,
  rows: number,
  m: number,
  from: Float64Array,
  out: Float64Array,
  transpose: boolean,
): void {
  const { s, heads, dv } = ins;
  const size = s * heads * dv;
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < heads; h++) {
      const g = (Math.floor(r / m) * heads + h) * s * s;
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          const weight = weights[g + p * s + q];
          for (let v = 0; v < dv; v++) {
            if (transpose) out[r * size + q * heads * dv + h * dv + v] += weight * from[r * size + p * heads * dv + v * heads + h];
            else out[r * size + p * heads * dv + v * heads + h] += weight * from[r * size + q * heads * dv + h * dv + v];
          }
        }
      }
    }
  }
}

/** What a forward pass keeps of an attend instruction: every example's and head's weights, then their logits (n·H·S² each). */
interface AttendKept {
  logits: Float64Array;
  weights: Float64Array;
}

/** The two halves of what the forward pass kept, as the WASM twin lays them out. */
function keptOf(kept: Float64Array): AttendKept {
  const half = kept.length / 2;
  return { weights: kept.subarray(0, half), logits: kept.subarray(half) };
}

export const attendOp: OpUnit = {
  name: 'attend',
  forward({ program, n, values, kept }, ins) {
    const shape = attendShape(program, ins);
    const { s, heads, dk } = shape;
    const keys = values[ins.a];
    const width = heads * dk;
    const both = new Float64Array(2 * n * heads * s * s);
    const { logits, weights } = keptOf(both);
    for (let i = 0; i < n; i++) {
      for (let h = 0; h < heads; h++) {
        const at = (i * heads + h) * s * s;
        headWeights(shape.mechanism, shape.scale, keys, i * s * width, s, width, h, dk, logits.subarray(at, at + s * s), weights.subarray(at, at + s * s));
      }
    }
    const z = new Float64Array(n * sizeOf(program, ins.out));
    mixRows(shape, weights, n, 1, values[ins.b], z, false);
    kept[ins.out] = both;
    return z;
  },
  backward({ program, forward, rows, m, cotangent }, ins, g) {
    const shape = attendShape(program, ins);
    const { s, heads, dk, dv } = shape;
    const [keys, values] = [forward.values[ins.a], forward.values[ins.b]];
    mixRows(shape, keptOf(forward.kept[ins.out]).weights, rows, m, g, cotangent(ins.b), true);
    const keyCotangent = cotangent(ins.a);
    const width = heads * dk;
    // dG[p][q] = Σ_v g[p][v·H + h]·V[q][h·dv + v], through the mechanism to dL, then dK = scale·(dL + dLᵀ)·K.
    throughMechanism(
      shape,
      keptOf(forward.kept[ins.out]),
      rows,
      m,
      (r, i, h, d) => {
        for (let p = 0; p < s; p++) {
          for (let q = 0; q < s; q++) {
            let sum = 0;
            for (let v = 0; v < dv; v++) sum += g[(r * s + p) * heads * dv + v * heads + h] * values[(i * s + q) * heads * dv + h * dv + v];
            d[p * s + q] = sum;
          }
        }
      },
      (r, i, h, d) => {
        for (let p = 0; p < s; p++) {
          for (let q = 0; q < s; q++) {
            const both = shape.scale * (d[p * s + q] + d[q * s + p]);
            for (let k = 0; k < dk; k++) keyCotangent[(r * s + p) * width + h * dk + k] += both * keys[(i * s + q) * width + h * dk + k];
          }
        }
      },
    );
  },
  tangent({ program, forward, rows, m, tangents }, ins) {
    const shape = attendShape(program, ins);
    const { s, heads, dk, dv } = shape;
    const [keys, values] = [forward.values[ins.a], forward.values[ins.b]];
    const tKeys = tangents[ins.a];
    const z = new Float64Array(rows * sizeOf(program, ins.out));
    mixRows(shape, keptOf(forward.kept[ins.out]).weights, rows, m, tangents[ins.b], z, false);
    const width = heads * dk;
    // G·tV (above), then tG·V with tG the mechanism's Jacobian on tL = scale·(tK·Kᵀ + K·tKᵀ).
    throughMechanism(
      shape,
      keptOf(forward.kept[ins.out]),
      rows,
      m,
      (r, i, h, d) => {
        for (let p = 0; p < s; p++) {
          for (let q = 0; q < s; q++) {
            let sum = 0;
            for (let k = 0; k < dk; k++) {
              sum += tKeys[(r * s + p) * width + h * dk + k] * keys[(i * s + q) * width + h * dk + k];
              sum += keys[(i * s + p) * width + h * dk + k] * tKeys[(r * s + q) * width + h * dk + k];
            }
            d[p * s + q] = shape.scale * sum;
          }
        }
      },
      (r, i, h, d) => {
        for (let p = 0; p < s; p++) {
          for (let q = 0; q < s; q++) {
            for (let v = 0; v < dv; v++) z[(r * s + p) * heads * dv + v * heads + h] += d[p * s + q] * values[(i * s + q) * heads * dv + h * dv + v];
          }
        }
      },
    );
    return z;
  },
  needsPositions: () => true,
  // The weights read the keys' covariance between every pair of positions, the heads mix the values' positions.
  fullSpatial(_program, { a, b }, _full, set) {
    set(a, 1);
    set(b, 1);
  },
  // Each example's weights G (S × S), made by pass 1 from its keys' own covariance.
  exampleDoubles: (program, ins) => positionsOf(program, ins.a) ** 2,
  prepare: (program, ins) => ({ half: new Float64Array(positionsOf(program, ins.a) ** 2), logits: new Float64Array(positionsOf(program, ins.a) ** 2) }),
  pair(pass, ins, prepared) {
    const { half, logits } = prepared as { half: Float64Array; logits: Float64Array };
    const { a, b, out, attrs } = ins;
    const s = pass.positions(a);
    const rows = pass.examples1[out].subarray(pass.i * s * s, (pass.i + 1) * s * s);
    if (pass.recording) {
      // Pass 1 (an input with itself): the keys' state is its own covariance C; G = mechanism(wQ·wK·C) is kept.
      const keys = pass.state(a).sigma;
      for (let e = 0; e < s * s; e++) logits[e] = attrs[S.queryKeyScale] * keys[e];
      mechanismRows(attrs[S.mechanism], logits, s, rows);
    }
    const columns = pass.recording ? rows : pass.examples2[out].subarray(pass.j * s * s, (pass.j + 1) * s * s);
    const [source, target] = [pass.state(b), pass.state(out)];
    const full = pass.full(out);
    for (const part of ['sigma', 'theta'] as const) {
      // Gᵢ·M·Gⱼᵀ: M·Gⱼᵀ first, then Gᵢ times it (the same positions only when the output is not kept whole).
      const m = source[part];
      for (let q = 0; q < s; q++) {
        for (let p2 = 0; p2 < s; p2++) {
          let sum = 0;
          for (let q2 = 0; q2 < s; q2++) sum += m[q * s + q2] * columns[p2 * s + q2];
          half[q * s + p2] = sum;
        }
      }
      const result = pass.scratch[part];
      for (let p = 0; p < s; p++) {
        for (let p2 = full ? 0 : p; p2 < (full ? s : p + 1); p2++) {
          let sum = 0;
          for (let q = 0; q < s; q++) sum += rows[p * s + q] * half[q * s + p2];
          result[full ? p * s + p2 : p] = sum;
        }
      }
      target[part].set(result.subarray(0, pass.size(out)));
    }
  },
  withoutDerivatives: "globalSelfAttention's weights come from each input's own covariance",
  cost: {
    entryFlops: (program, ins) => 4 * positionsOf(program, ins.a),
    // The logits and weights of every example and head; the products' work.
    passDoubles: (program, ins, n) => 2 * n * ins.attrs[S.heads] * positionsOf(program, ins.a) ** 2 + 2 * positionsOf(program, ins.a) ** 2,
    pairScratch: (program, ins) => ({ prepared: 0, work: 2 * positionsOf(program, ins.a) ** 2 }),
  },
};
