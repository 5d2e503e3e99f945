import { MLP, type Activation, type Parameterization } from '../../src/index.js';
import { type Rows, loadFixture } from './fixtures.js';

export interface NetworkCase {
  name: string;
  sizes: number[];
  activation: Activation;
  parameterization: Parameterization;
  wStd: number;
  bStd: number | null;
  layers: { W: Rows; b?: number[] }[];
  x1: Rows;
  x2: Rows;
  output: Rows;
  jacobian: Rows;
  ntkMean: Rows;
  ntkFull: Rows;
  ntkMeanSymmetric: Rows;
  ntkFullSymmetric: Rows;
  train: { y: Rows; learningRate: number; steps: number; loss: number[]; params: number[] };
}
export const networks = await loadFixture<{ cases: NetworkCase[]; erf: { x: number[]; value: number[] } }>('networks');

export function fixtureNet(c: NetworkCase): MLP {
  return MLP.fromWeights(c.layers, {
    activation: c.activation,
    parameterization: c.parameterization,
    wStd: c.wStd,
    bStd: c.bStd,
    ...(c.activation === 'leaky_relu' ? { leak: 0.1 } : {}),
  });
}
