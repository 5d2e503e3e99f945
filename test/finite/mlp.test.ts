import { describe, expect, it } from 'vitest';
import { MLP, mlp, ready, setBackend } from '../../src/index.js';
import { erf } from '../../src/ops/activations/unit.js';
import { uniformMatrix } from '../../src/random.js';
import { BACKENDS, describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { fixtureNet, networks } from '../helpers/networks.js';

/** Central differences of f along each parameter: an independent check of the Jacobian. */
function finiteDifferenceJacobian(net: MLP, x: number[][]): number[][] {
  const rows = x.length * net.outputDim;
  const out = Array.from({ length: rows }, () => new Array<number>(net.numParams).fill(0));
  const h = 1e-6;
  for (let p = 0; p < net.numParams; p++) {
    const plus = net.params.slice();
    const minus = net.params.slice();
    plus[p] += h;
    minus[p] -= h;
    const fPlus = net.apply(x, plus).data;
    const fMinus = net.apply(x, minus).data;
    for (let r = 0; r < rows; r++) out[r][p] = (fPlus[r] - fMinus[r]) / (2 * h);
  }
  return out;
}

describe('erf', () => {
  it('matches torch.erf to 1e-15 from −6 to 6, across the switch at |x| = 3', () => {
    expectClose(networks.erf.x.map(erf), networks.erf.value, 1e-15);
  });
});

describeEachBackend('MLP', () => {
  for (const c of networks.cases) {
    it(`${c.name}: outputs and Jacobian match PyTorch autograd`, () => {
      const net = fixtureNet(c);
      expectClose(net.apply(c.x1), c.output, 1e-12, 'output');
      expectClose(net.jacobian(c.x1), c.jacobian, 1e-11, 'jacobian');
    });

    it(`${c.name}: 5 steps of gradient descent match PyTorch (loss curve and parameters)`, () => {
      const net = fixtureNet(c);
      const { loss } = net.train(c.x1, c.train.y, { learningRate: c.train.learningRate, steps: c.train.steps });
      expectClose(loss, c.train.loss, 1e-11, 'loss');
      expectClose(net.params, c.train.params, 1e-11, 'params');
    });
  }

  it('the Jacobian equals central finite differences (relu net away from kinks, tanh net)', () => {
    for (const activation of ['tanh', 'gelu', 'sigmoid'] as const) {
      const net = mlp({ inputDim: 3, widths: [7, 5], outputDim: 2, activation, bStd: 0.3, seed: 11 });
      const x = uniformMatrix(3, 3, 12).toArray();
      expectClose(net.jacobian(x), finiteDifferenceJacobian(net, x), 1e-7, activation, 'normwise');
    }
  });

  it('initializes from the seed: same seed same parameters, the right count and scale per parameterization', () => {
    const spec = { inputDim: 10, widths: [400], outputDim: 3, seed: 5 };
    expect(mlp(spec).params).toEqual(mlp(spec).params);
    expect(mlp({ ...spec, seed: 6 }).params).not.toEqual(mlp(spec).params);
    const ntk = mlp({ ...spec, wStd: 2, bStd: 0.5 });
    expect(ntk.numParams).toBe(10 * 400 + 400 + 400 * 3 + 3);
    const variance = (a: Float64Array) => a.reduce((s, v) => s + v * v, 0) / a.length;
    // 'ntk': raw W ~ N(0, 1); 'standard': W ~ N(0, wStd²/fanIn) = 4/10 for the first layer.
    expect(variance(ntk.params.subarray(0, 4000))).toBeCloseTo(1, 1);
    const standard = mlp({ ...spec, wStd: 2, bStd: 0.5, parameterization: 'standard' });
    expect(variance(standard.params.subarray(0, 4000))).toBeCloseTo(0.4, 1);
    expect(mlp({ ...spec, bStd: null }).numParams).toBe(10 * 400 + 400 * 3);
  });

  it('clone is independent, train replaces params and reports progress', () => {
    const net = mlp({ inputDim: 1, widths: [32], seed: 1 });
    const copy = net.clone();
    const progress: number[] = [];
    net.train([[0], [1]], [1, 2], { learningRate: 0.5, steps: 40, onProgress: (done) => progress.push(done) });
    expect(copy.params).not.toEqual(net.params);
    expect(progress.at(-1)).toBe(40);
    expect(progress.length).toBe(20);
  });

  it('rejects bad specs, inputs and weights with clear messages', () => {
    expect(() => mlp({ inputDim: 2, widths: [0] })).toThrow(new RangeError('mlp: widths[0] must be ≥ 1, got 0'));
    expect(() => mlp({ inputDim: 2, widths: [3.5] })).toThrow(/widths\[0\] must be an integer/);
    expect(() => mlp({ inputDim: 2, widths: [3], activation: 'softplus' as never })).toThrow(/activation must be one of 'identity', 'relu', 'leaky_relu'/);
    expect(() => mlp({ inputDim: 2, widths: [3], parameterization: 'mup' as never })).toThrow(/parameterization must be one of 'ntk', 'standard'/);
    expect(() => mlp({ inputDim: 2, widths: [3], leak: 0.2 })).toThrow(/leak applies to activation 'leaky_relu' only/);
    expect(() => mlp({ inputDim: 2, widths: [3], depth: 2 } as never)).toThrow(/unknown option 'depth'/);
    const net = mlp({ inputDim: 2, widths: [3] });
    expect(() => net.apply([[1, 2, 3]])).toThrow(new RangeError('MLP.apply: x is 1x3 but the network takes 2 inputs'));
    expect(() => net.apply([[1, NaN]])).toThrow(TypeError);
    expect(() => net.apply([[1, 2]], new Float64Array(3))).toThrow(/params has 3 entries but the network has 13/);
    const broken = net.clone();
    broken.params[0] = Infinity;
    expect(() => broken.jacobian([[1, 2]])).toThrow(/params\[0\] is Infinity/);
    expect(() => net.train([[1, 2]], [[1, 2]], { learningRate: 1, steps: 1 })).toThrow(/y is 1x2 but the network has 1 outputs/);
    expect(() => MLP.fromWeights([{ W: [[1, 2]] }, { W: [[1], [2], [3]] }])).toThrow(
      /layers\[0\].W is 1x2 but layers\[1\].W is 3x1; each W needs as many rows as the previous has columns/,
    );
    expect(() => MLP.fromWeights([{ W: [[1]], b: [0] }, { W: [[1]] }])).toThrow(/give b for every layer or none|layers\[1\].b has no entries/);
    expect(() => MLP.fromWeights([{ W: [[1]] }], { bStd: 0.5 })).toThrow(/no biases are given but bStd is 0.5/);
  });
});

describe('MLP: wasm and ts agree', () => {
  it('on outputs, Jacobians and 20 training steps of a [32, 16] erf net with 3 outputs', async () => {
    await ready();
    const x = uniformMatrix(9, 5, 1);
    const y = uniformMatrix(9, 3, 2);
    const results = BACKENDS.map((backend) => {
      setBackend(backend);
      const net = mlp({ inputDim: 5, widths: [32, 16], outputDim: 3, activation: 'erf', bStd: 0.1, seed: 3 });
      const out = [net.apply(x), net.jacobian(x)];
      const { loss } = net.train(x, y, { learningRate: 0.5, steps: 20 });
      return { out, loss, params: net.params };
    });
    expectClose(results[0].out[0], results[1].out[0], 1e-12, 'apply');
    expectClose(results[0].out[1], results[1].out[1], 1e-12, 'jacobian');
    expectClose(results[0].loss, results[1].loss, 1e-11, 'loss');
    expectClose(results[0].params, results[1].params, 1e-11, 'params');
  });
});
