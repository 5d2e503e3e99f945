// Activation names, their ids in the kernels (assembly/nn/activations.ts), and the TypeScript twins.

/** Elementwise nonlinearities between dense layers. */
export type Activation = 'relu' | 'erf' | 'tanh' | 'identity' | 'abs' | 'leaky_relu' | 'gelu' | 'sigmoid';

/** Ids shared with assembly/nn/activations.ts. */
export const ACTIVATION_IDS: Record<Activation, number> = {
  identity: 0, relu: 1, leaky_relu: 2, abs: 3, erf: 4, tanh: 5, sigmoid: 6, gelu: 7,
};

export const ACTIVATIONS = Object.keys(ACTIVATION_IDS) as Activation[];

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;
const INV_SQRT_2 = 0.7071067811865476;
const INV_SQRT_2PI = 0.3989422804014327;

/** erf(x), by the algorithm of assembly/nn/activations.ts (a positive series below 3, a continued fraction above). */
export function erf(x: number): number {
  const a = Math.abs(x);
  let result: number;
  if (a < 3) {
    const twoX2 = 2 * a * a;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 200; n++) {
      term *= twoX2 / (2 * n + 1);
      const next = sum + term;
      if (next === sum) break;
      sum = next;
    }
    result = TWO_OVER_SQRT_PI * a * Math.exp(-a * a) * sum;
  } else {
    let fraction = a;
    for (let k = 60; k >= 1; k--) fraction = a + (k * 0.5) / fraction;
    result = 1 - (INV_SQRT_PI * Math.exp(-a * a)) / fraction;
  }
  return x < 0 ? -result : result;
}

/** φ(z) for an activation id. */
export function activate(kind: number, z: number, leak: number): number {
  switch (kind) {
    case 1: return z > 0 ? z : 0;
    case 2: return z > 0 ? z : leak * z;
    case 3: return Math.abs(z);
    case 4: return erf(z);
    case 5: return Math.tanh(z);
    case 6: return 1 / (1 + Math.exp(-z));
    case 7: return 0.5 * z * (1 + erf(z * INV_SQRT_2));
    case 0: return z;
    default: throw new Error(`activation id ${kind} is unknown`);
  }
}

/** φ′(z) for an activation id. */
export function derivative(kind: number, z: number, leak: number): number {
  switch (kind) {
    case 1: return z > 0 ? 1 : 0;
    case 2: return z > 0 ? 1 : leak;
    case 3: return z > 0 ? 1 : z < 0 ? -1 : 0;
    case 4: return TWO_OVER_SQRT_PI * Math.exp(-z * z);
    case 5: {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 6: {
      const s = 1 / (1 + Math.exp(-z));
      return s * (1 - s);
    }
    case 7: return 0.5 * (1 + erf(z * INV_SQRT_2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    case 0: return 1;
    default: throw new Error(`activation id ${kind} is unknown`);
  }
}
