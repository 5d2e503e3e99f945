// Models written as the fixture scripts' nested tuples (test/fixtures/make_layers.py, make_layer_networks.py, make_conv.py),
// built with the library's layers.
import {
  avgPool, conv, dense, erf, fanInSum, fanOut, flatten, gelu, globalAvgPool, identity, layerNorm, parallel, relu, serial, sigmoid, tanh,
} from '../../src/index.js';
import type { Layer, Padding } from '../../src/index.js';

export type ModelJson = [string, ...unknown[]];

export function buildModel([kind, ...args]: ModelJson): Layer {
  switch (kind) {
    case 'dense': {
      const [out, wStd, bStd, parameterization] = args as [number, number, number | null, 'ntk' | 'standard'];
      return dense(out, { wStd, bStd, parameterization });
    }
    case 'conv': {
      const [out, filter, strides, padding, wStd, bStd, parameterization] = args as [number, number[], number[], Padding, number, number | null, 'ntk' | 'standard'];
      return conv(out, filter, { strides, padding, wStd, bStd, parameterization });
    }
    case 'avgPool': {
      const [window, strides, padding] = args as [number[], number[], Padding];
      return avgPool(window, { strides, padding });
    }
    case 'flatten': return flatten();
    case 'globalAvgPool': return globalAvgPool();
    case 'relu': return relu();
    case 'erf': return erf();
    case 'tanh': return tanh();
    case 'sigmoid': return sigmoid();
    case 'gelu': return gelu();
    case 'identity': return identity();
    // [eps] (vector models) or [axis, eps].
    case 'layerNorm': return args.length === 1 ? layerNorm({ eps: args[0] as number }) : layerNorm({ axis: args[0] as 'channels' | 'all', eps: args[1] as number });
    case 'fanOut': return fanOut(args[0] as number);
    case 'fanInSum': return fanInSum();
    case 'serial': return serial(...(args as ModelJson[]).map(buildModel));
    case 'parallel': return parallel(...(args as ModelJson[]).map(buildModel));
    default: throw new Error(`unknown layer ${kind}`);
  }
}
