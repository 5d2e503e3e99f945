// Models written as the fixture scripts' nested tuples (test/fixtures/make_layers.py, make_layer_networks.py),
// built with the library's layers.
import {
  dense, erf, fanInSum, fanOut, gelu, identity, layerNorm, parallel, relu, serial, sigmoid, tanh,
} from '../../src/index.js';
import type { Layer } from '../../src/index.js';

export type ModelJson = [string, ...unknown[]];

export function buildModel([kind, ...args]: ModelJson): Layer {
  switch (kind) {
    case 'dense': {
      const [out, wStd, bStd, parameterization] = args as [number, number, number | null, 'ntk' | 'standard'];
      return dense(out, { wStd, bStd, parameterization });
    }
    case 'relu': return relu();
    case 'erf': return erf();
    case 'tanh': return tanh();
    case 'sigmoid': return sigmoid();
    case 'gelu': return gelu();
    case 'identity': return identity();
    case 'layerNorm': return layerNorm({ eps: args[0] as number });
    case 'fanOut': return fanOut(args[0] as number);
    case 'fanInSum': return fanInSum();
    case 'serial': return serial(...(args as ModelJson[]).map(buildModel));
    case 'parallel': return parallel(...(args as ModelJson[]).map(buildModel));
    default: throw new Error(`unknown layer ${kind}`);
  }
}
