// Models written as the fixture scripts' nested tuples (test/fixtures/make_layers.py, make_layer_networks.py, make_conv.py),
// built with the library's layers.
import {
  type IndexAxis,
  aggregate,
  dropout,
  globalSelfAttention,
  index,
  avgPool,
  conv,
  convLocal,
  convTranspose,
  imageResize,
  cos,
  sin,
  dense,
  erf,
  fanInConcat,
  fanInSum,
  fanOut,
  flatten,
  gelu,
  globalAvgPool,
  globalSumPool,
  identity,
  layerNorm,
  parallel,
  relu,
  serial,
  sigmoid,
  sumPool,
  tanh,
} from '../../src/index.js';
import { type InfiniteMlp, type Layer, type Network, type Padding, empiricalNtk } from '../../src/index.js';
import { expectClose, expectEntries } from './close.js';
import type { Rows } from './fixtures.js';

export type ModelJson = [string, ...unknown[]];

export function buildModel([kind, ...args]: ModelJson): Layer {
  switch (kind) {
    case 'dense': {
      const [out, wStd, bStd, parameterization] = args as [number, number, number | null, 'ntk' | 'standard'];
      return dense(out, { wStd, bStd, parameterization });
    }
    case 'conv':
    case 'convLocal': {
      const [out, filter, strides, padding, wStd, bStd, parameterization] = args as [
        number,
        number[],
        number[],
        Padding,
        number,
        number | null,
        'ntk' | 'standard',
      ];
      return (kind === 'conv' ? conv : convLocal)(out, filter, { strides, padding, wStd, bStd, parameterization });
    }
    case 'convTranspose': {
      const [out, filter, strides, padding, wStd, bStd, parameterization] = args as [
        number,
        number[],
        number[],
        'VALID' | 'SAME' | 'CIRCULAR',
        number,
        number | null,
        'ntk' | 'standard',
      ];
      return convTranspose(out, filter, { strides, padding, wStd, bStd, parameterization });
    }
    case 'avgPool':
    case 'sumPool': {
      const [window, strides, padding, normalizeEdges] = args as [number[], number[], Padding, boolean?];
      return kind === 'avgPool' ? avgPool(window, { strides, padding, normalizeEdges }) : sumPool(window, { strides, padding });
    }
    case 'dropout':
      return dropout(args[0] as number);
    case 'imageResize': {
      const [shape, method, antialias] = args as [number[], 'linear' | 'nearest', boolean];
      return imageResize({ shape, method, antialias });
    }
    case 'index':
      return index(args[0] as IndexAxis[]);
    // [axes (batch first) or null, implementation?].
    case 'aggregate': {
      const [axes, implementation] = args as [number[] | null, ('DENSE' | 'SPARSE')?];
      return aggregate({ ...(axes === null ? {} : { aggregationAxes: axes }), ...(implementation === undefined ? {} : { implementation }) });
    }
    // [nChanOut, nChanKey, nChanVal, nHeads, options].
    case 'globalSelfAttention': {
      const [out, key, value, heads, options] = args as [number, number, number, number, Parameters<typeof globalSelfAttention>[4]];
      return globalSelfAttention(out, key, value, heads, options);
    }
    case 'flatten':
      return flatten();
    case 'globalAvgPool':
      return globalAvgPool();
    case 'globalSumPool':
      return globalSumPool();
    case 'relu':
      return relu();
    case 'erf':
      return erf();
    case 'tanh':
      return tanh();
    case 'sigmoid':
      return sigmoid();
    case 'gelu':
      return gelu();
    case 'sin':
    case 'cos': {
      const [a, b, c] = args as [number, number, number];
      return (kind === 'sin' ? sin : cos)({ a, b, c });
    }
    case 'identity':
      return identity();
    // [eps] (vector models) or [axis, eps].
    case 'layerNorm':
      return args.length === 1 ? layerNorm({ eps: args[0] as number }) : layerNorm({ axis: args[0] as 'channels' | 'all', eps: args[1] as number });
    case 'fanOut':
      return fanOut(args[0] as number);
    case 'fanInSum':
      return fanInSum();
    case 'fanInConcat':
      return fanInConcat({ axis: args[0] as number });
    case 'serial':
      return serial(...(args as ModelJson[]).map(buildModel));
    case 'parallel':
      return parallel(...(args as ModelJson[]).map(buildModel));
    default:
      throw new Error(`unknown layer ${kind}`);
  }
}

/** A fixture's kernels of x with itself and of (x, z), as the scripts write them. */
export interface KernelCase {
  name: string;
  x: Rows;
  z: Rows;
  nngp: Rows;
  ntk: Rows;
  nngp12: Rows;
  ntk12: Rows;
}

/** A fixture's finite network outputs, Jacobian and empirical NTKs ('mean' and 'full', x with itself and with z). */
export interface NetworkValues {
  name: string;
  x: Rows;
  z: Rows;
  apply: Rows;
  jacobian: Rows;
  ntk: Rows;
  ntkFull: Rows;
  ntk12: Rows;
  ntk12Full: Rows;
  /** The graphs of x's and z's examples, for models with aggregate layers. */
  patternX?: unknown;
  patternZ?: unknown;
}

/** The kernels of `kernel` against a fixture case, to `tol` relative. */
export function expectKernelCase(kernel: InfiniteMlp, c: KernelCase, tol: number): void {
  const self = kernel.kernels(c.x);
  expectEntries(self.nngp, c.nngp, tol, `${c.name} nngp`);
  expectEntries(self.ntk, c.ntk, tol, `${c.name} ntk`);
  const cross = kernel.kernels(c.x, c.z);
  expectEntries(cross.nngp, c.nngp12, tol, `${c.name} nngp(x, z)`);
  expectEntries(cross.ntk, c.ntk12, tol, `${c.name} ntk(x, z)`);
}

/** apply and jacobian to `tol`, and every NTK implementation ('mean' and 'full') to `ntkTol`, against a fixture case. */
export function expectNetworkCase(net: Network, c: NetworkValues, tol: number, ntkTol: number, jacobianScale?: 'normwise'): void {
  // The examples' graphs, for models with aggregate layers (none: every option is undefined, as without them).
  const graphs = c.patternX === undefined ? undefined : { pattern: c.patternX };
  const pattern = c.patternX === undefined ? {} : { pattern: [c.patternX] as [unknown] };
  const pattern12 = c.patternX === undefined ? {} : { pattern: [c.patternX, c.patternZ] as [unknown, unknown] };
  expectEntries(net.apply(c.x, graphs), c.apply, tol, `${c.name} apply`);
  // A Jacobian entry sums products along every path, as the NTK's do: entries that cancel keep the NTK's tolerance.
  // Normwise where entries come out of cancelling sums (attention's key gradients through the softmax's G ⊙ (d − Σ G·d)).
  if (jacobianScale === 'normwise') expectClose(net.jacobian(c.x, graphs), c.jacobian, ntkTol, `${c.name} jacobian`, 'normwise');
  else expectEntries(net.jacobian(c.x, graphs), c.jacobian, ntkTol, `${c.name} jacobian`);
  // Forward mode along a direction of θ against PyTorch's Jacobian times it.
  const v = Array.from({ length: net.numParams }, (_, i) => Math.sin(i + 1));
  const k = c.apply[0].length;
  const moved = c.x.map((_, i) => Array.from({ length: k }, (_, o) => c.jacobian[i * k + o].reduce((sum, entry, p) => sum + entry * v[p], 0)));
  expectEntries(net.jvp(c.x, v, graphs), moved, ntkTol, `${c.name} jvp`);
  for (const implementation of ['structured', 'jacobian', 'ntkVectorProducts'] as const) {
    const label = `${c.name} ${implementation}`;
    expectEntries(empiricalNtk(net, c.x, undefined, { implementation, ...pattern }), c.ntk, ntkTol, `${label} ntk`);
    expectEntries(empiricalNtk(net, c.x, undefined, { implementation, outputs: 'full', ...pattern }), c.ntkFull, ntkTol, `${label} ntk full`);
    expectEntries(empiricalNtk(net, c.x, c.z, { implementation, ...pattern12 }), c.ntk12, ntkTol, `${label} ntk(x, z)`);
    expectEntries(empiricalNtk(net, c.x, c.z, { implementation, outputs: 'full', ...pattern12 }), c.ntk12Full, ntkTol, `${label} ntk(x, z) full`);
  }
}
