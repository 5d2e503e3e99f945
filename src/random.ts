// Seeded randomness that gives the same numbers on every backend, platform and JavaScript engine:
// xoshiro128** seeded through splitmix32, 53-bit uniforms, Box–Muller normals. Math.log, Math.sin and
// Math.cos are not correctly rounded and differ between engines (Node's and Chromium's V8 disagree in the
// last bit), so the normals use their own log, sin and cos built from + − × ÷ and √ only, which IEEE 754
// fixes exactly.
import { checkOptions, enumOption, numberOption, requireFits, sizeArgument } from './errors.js';
import { Matrix } from './matrix.js';

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const rotl = (x: number, k: number) => (x << k) | (x >>> (32 - k));

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const bits = new DataView(new ArrayBuffer(8));

/** ln(u) for 0 < u ≤ 1: u = m·2^e with m in [√½, √2), ln m = 2·atanh((m − 1)/(m + 1)) by its series. */
function deterministicLog(u: number): number {
  bits.setFloat64(0, u);
  const high = bits.getUint32(0);
  let exponent = ((high >>> 20) & 0x7ff) - 1023;
  bits.setUint32(0, (high & 0x800fffff) | (1023 << 20)); // m in [1, 2)
  let m = bits.getFloat64(0);
  if (m > Math.SQRT2) {
    m /= 2;
    exponent += 1;
  }
  const s = (m - 1) / (m + 1);
  const s2 = s * s;
  let sum = 0;
  for (let k = 21; k >= 1; k -= 2) sum = sum * s2 + 1 / k;
  return 2 * s * sum + exponent * LN2_LO + exponent * LN2_HI;
}

/** [cos(2πu), sin(2πu)] for 0 ≤ u < 1: exact quarter-turn reduction of u, then Taylor series on |θ| ≤ π/4. */
function deterministicCosSin(u: number): [number, number] {
  const quarter = Math.round(u * 4); // u·4 and the subtraction below are exact for 53-bit dyadic u
  const theta = 2 * Math.PI * (u - quarter / 4);
  const t2 = theta * theta;
  let c = 0;
  let sn = 0;
  for (let k = 20; k >= 2; k -= 2) c = 1 - (t2 * c) / ((k - 1) * k);
  for (let k = 21; k >= 3; k -= 2) sn = 1 - (t2 * sn) / ((k - 1) * k);
  const cos = c;
  const sin = theta * sn;
  switch (quarter & 3) {
    case 0:
      return [cos, sin];
    case 1:
      return [-sin, cos];
    case 2:
      return [-cos, -sin];
    default:
      return [sin, -cos];
  }
}

/**
 * A seeded random generator (xoshiro128**, normals by Box–Muller with the library's own log, sin and cos),
 * so the same seed gives the same stream on every engine and platform. Networks are initialized with it.
 *
 * @example
 * ```ts
 * import { Random } from 'ntk-wasm';
 * const random = new Random(42);
 * random.uniform(); // in [0, 1)
 * random.normal();  // standard normal
 * ```
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spareNormal: number | undefined;

  /** `seed`: any integer (taken modulo 2³²). */
  constructor(seed: number) {
    if (!Number.isInteger(seed)) throw new TypeError(`Random: seed must be an integer, got ${String(seed)}`);
    const state = { s: seed | 0 };
    this.s0 = splitmix32(state);
    this.s1 = splitmix32(state);
    this.s2 = splitmix32(state);
    this.s3 = splitmix32(state);
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const high = this.nextUint32() >>> 5;
    const low = this.nextUint32() >>> 6;
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** Standard normal (Box–Muller; the second value of each pair is kept for the next call). */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const value = this.spareNormal;
      this.spareNormal = undefined;
      return value;
    }
    const u = 1 - this.uniform(); // (0, 1], so the log is finite
    const radius = Math.sqrt(-2 * deterministicLog(u));
    const [cos, sin] = deterministicCosSin(this.uniform());
    this.spareNormal = radius * sin;
    return radius * cos;
  }
}

/** Options of {@link randomMatrix}. */
export interface RandomMatrixOptions {
  /** Seed of the generator ({@link Random}); default 0. */
  seed?: number;
  /** `'uniform'` (default) in [low, high), or `'normal'` with mean 0 and standard deviation `std`. */
  distribution?: 'uniform' | 'normal';
  /** Lower bound of uniform entries; default −1. */
  low?: number;
  /** Upper bound of uniform entries; default 1. */
  high?: number;
  /** Standard deviation of normal entries; default 1. */
  std?: number;
}

/**
 * A seeded random `rows × cols` matrix: reproducible data for examples, tests and benchmarks.
 *
 * @example
 * ```ts
 * import { randomMatrix } from 'ntk-wasm';
 * const x = randomMatrix(100, 3, { seed: 1 });                          // uniform in [−1, 1)
 * const w = randomMatrix(3, 512, { seed: 2, distribution: 'normal', std: 0.5 });
 * ```
 */
export function randomMatrix(rows: number, cols: number, options: RandomMatrixOptions = {}): Matrix {
  const fn = 'randomMatrix';
  sizeArgument(fn, 'rows', rows);
  sizeArgument(fn, 'cols', cols);
  requireFits(fn, 'the matrix', rows, cols);
  const opts = checkOptions(fn, options, ['seed', 'distribution', 'low', 'high', 'std']);
  const seed = numberOption(fn, 'seed', opts.seed, 0, { integer: true });
  const distribution = enumOption(fn, 'distribution', opts.distribution, ['uniform', 'normal'] as const, 'uniform');
  if (distribution === 'uniform') {
    if (opts.std !== undefined) throw new TypeError(`${fn}: std applies to normal entries; use low and high`);
    const low = numberOption(fn, 'low', opts.low, -1);
    const high = numberOption(fn, 'high', opts.high, 1);
    if (!(high > low)) throw new RangeError(`${fn}: high (${high}) must be greater than low (${low})`);
    return uniformMatrix(rows, cols, seed, low, high);
  }
  if (opts.low !== undefined || opts.high !== undefined) throw new TypeError(`${fn}: low and high apply to uniform entries; use std`);
  const std = numberOption(fn, 'std', opts.std, 1, { above: 0 });
  const random = new Random(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = std * random.normal();
  return m;
}

/** A `rows × cols` matrix with entries uniform in [low, high) (unchecked; the library's own use). */
export function uniformMatrix(rows: number, cols: number, seed: number, low = -1, high = 1): Matrix {
  const random = new Random(seed);
  const m = new Matrix(rows, cols);
  for (let i = 0; i < m.data.length; i++) m.data[i] = low + (high - low) * random.uniform();
  return m;
}
