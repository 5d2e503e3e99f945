import { describe, expect, it } from 'vitest';
import {
  Matrix,
  checkMercer,
  conv,
  dense,
  empiricalKernels,
  empiricalNngp,
  empiricalNtk,
  erf,
  globalAvgPool,
  infinite,
  mlp,
  monteCarloKernels,
  monteCarloNtk,
  network,
  ready,
  relu,
  serial,
  setBackend,
  tanh,
} from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { automaticImplementation, initialParameters, lowerNetwork } from '../../src/finite/network.js';
import { current } from '../../src/backend/registry.js';

const isSymmetric = (k: Matrix) => k.data.every((v, i) => v === k.data[(i % k.cols) * k.cols + Math.floor(i / k.cols)]);
import { BACKENDS, describeEachBackend } from '../helpers/backends.js';
import { expectClose, naiveMatmul } from '../helpers/close.js';
import { fixtureNet, networks } from '../helpers/networks.js';

describeEachBackend('empiricalNtk', () => {
  for (const c of networks.cases) {
    it(`${c.name}: structured, jacobian and ntkVectorProducts, mean and full, match PyTorch J·Jᵀ`, () => {
      const net = fixtureNet(c);
      for (const implementation of ['structured', 'jacobian', 'ntkVectorProducts'] as const) {
        expectClose(empiricalNtk(net, c.x1, c.x2, { implementation }), c.ntkMean, 1e-10, `${implementation} mean`);
        expectClose(empiricalNtk(net, c.x1, c.x2, { implementation, outputs: 'full' }), c.ntkFull, 1e-10, `${implementation} full`);
        expectClose(empiricalNtk(net, c.x1, undefined, { implementation }), c.ntkMeanSymmetric, 1e-10, `${implementation} mean x1`);
        expectClose(empiricalNtk(net, c.x1, undefined, { implementation, outputs: 'full' }), c.ntkFullSymmetric, 1e-10, `${implementation} full x1`);
      }
    });
  }

  it('structured equals jacobian to 1e-10 on a [64, 32] net with 3 outputs and 70 points (several Jacobian blocks)', () => {
    const net = mlp({ inputDim: 6, widths: [64, 32], outputDim: 3, activation: 'gelu', bStd: 0.2, seed: 8 });
    const x1 = uniformMatrix(70, 6, 1);
    const x2 = uniformMatrix(33, 6, 2);
    for (const outputs of ['mean', 'full'] as const) {
      const structured = empiricalNtk(net, x1, x2, { outputs });
      const jacobian = empiricalNtk(net, x1, x2, { outputs, implementation: 'jacobian' });
      expectClose(structured, jacobian, 1e-10, outputs);
      // x1 with itself: the lower triangle by row blocks (on two threads with wasm), then mirrored.
      expectClose(
        empiricalNtk(net, x1, undefined, { outputs }),
        empiricalNtk(net, x1, undefined, { outputs, implementation: 'jacobian' }),
        1e-10,
        `${outputs} symmetric`,
      );
    }
  });

  it('equals J·Jᵀ from MLP.jacobian, and is symmetric PSD', () => {
    const net = mlp({ inputDim: 2, widths: [16], outputDim: 2, seed: 4 });
    const x = uniformMatrix(5, 2, 5);
    const j = net.jacobian(x);
    const jjt = new Matrix(10, 10);
    for (let a = 0; a < 10; a++)
      for (let b = 0; b < 10; b++) {
        let s = 0;
        for (let p = 0; p < j.cols; p++) s += j.get(a, p) * j.get(b, p);
        jjt.data[a * 10 + b] = s;
      }
    const full = empiricalNtk(net, x, undefined, { outputs: 'full' });
    expectClose(full, jjt, 1e-12);
    expect(checkMercer(full)).toMatchObject({ symmetric: true, psd: true });
  });

  it('by hand: a linear model f(x) = w·x + b has NTK x·x′ + 1', () => {
    const linear = mlp({ inputDim: 2, widths: [], parameterization: 'standard', bStd: 1, seed: 0 });
    expectClose(
      empiricalNtk(linear, [
        [1, 2],
        [3, -1],
      ]),
      [
        [6, 2],
        [2, 11],
      ],
      1e-14,
    );
  });

  it('ntkVectorProducts equals structured in blocks of x1 and of x2 (several of each, uneven), mean and full, with and without x2', () => {
    const model = serial(dense(48, { bStd: 0.3 }), tanh(), dense(40, { bStd: 0.3 }), tanh(), dense(3, { bStd: 0.3 }));
    const program = lowerNetwork('test', model, [5]);
    const params = initialParameters(program, 6);
    const x1 = uniformMatrix(50, 5, 3);
    const x2 = uniformMatrix(23, 5, 4);
    for (const full of [false, true]) {
      for (const second of [x2, null]) {
        const label = `${full ? 'full' : 'mean'}${second ? ' (x1, x2)' : ' (x1)'}`;
        const n2 = second?.rows ?? 50;
        const ntk = (implementation: 'structured' | 'ntkVectorProducts', rows: number, columns: number) =>
          current().networkNtk('test', program, params, x1.data, 50, second?.data ?? null, n2, full, implementation, { rows, columns });
        const products = ntk('ntkVectorProducts', 7, 4);
        const cols = (full ? 3 : 1) * n2;
        // Normwise: 'full' has entries pairing two outputs that cancel to 1e-6 of the kernel's scale.
        expectClose(
          new Matrix(products.length / cols, cols, products),
          new Matrix(products.length / cols, cols, ntk('structured', 1, 1)),
          1e-13,
          label,
          'normwise',
        );
        if (!second) expect(isSymmetric(new Matrix(cols, cols, products)), label).toBe(true);
      }
    }
  });

  it("'auto' keeps 'structured' while its tables fit, then forward mode for dense networks and Jacobian blocks where weights are shared", () => {
    const mlpProgram = lowerNetwork('test', serial(dense(256), relu(), dense(256), relu(), dense(10)), [32]);
    expect(automaticImplementation(mlpProgram, 1000, 1000, false)).toBe('structured');
    expect(automaticImplementation(mlpProgram, 200_000, 200_000, true)).toBe('ntkVectorProducts');
    expect(automaticImplementation(mlpProgram, 200_000, 200_000, false)).toBe('ntkVectorProducts');
    // A convolution's forward mode repeats its weights at every position; its Jacobian rows do not.
    const convProgram = lowerNetwork(
      'test',
      serial(conv(64, [3, 3], { padding: 'SAME' }), relu(), conv(64, [3, 3], { padding: 'SAME' }), relu(), globalAvgPool(), dense(1)),
      [32, 32, 3],
    );
    expect(automaticImplementation(convProgram, 100, 100, false)).toBe('structured');
    expect(automaticImplementation(convProgram, 200_000, 200_000, false)).toBe('jacobian');
    // The default is 'auto': the same numbers as 'structured' on small inputs.
    const net = mlp({ inputDim: 2, widths: [16], outputDim: 2, seed: 4 });
    const x = uniformMatrix(5, 2, 5);
    expect(Array.from(empiricalNtk(net, x).data)).toEqual(Array.from(empiricalNtk(net, x, undefined, { implementation: 'structured' }).data));
  });

  it('rejects bad options and inputs', () => {
    const net = mlp({ inputDim: 2, widths: [4] });
    expect(() => empiricalNtk(net, [[1, 2]], [[1, 2, 3]])).toThrow(/empiricalNtk: x2 is 1x3 but the network takes 2 inputs/);
    expect(() => empiricalNtk(net, [[1, 2]], undefined, { implementation: 'vjp' as never })).toThrow(
      /implementation must be one of 'auto', 'structured', 'jacobian', 'ntkVectorProducts'/,
    );
    expect(() => empiricalNtk(net, [[1, 2]], undefined, { outputs: 'trace' as never })).toThrow(/outputs must be one of 'mean', 'full'/);
    expect(() => empiricalNtk({} as never, [[1, 2]])).toThrow(/net must be a Network/);
  });
});

describeEachBackend('monteCarloNtk and the lazy regime', () => {
  it('averages the empirical NTKs of seeds seed … seed + samples − 1', () => {
    const spec = { inputDim: 2, widths: [8], outputDim: 1 } as const;
    const x = [
      [1, 0],
      [0.5, 0.5],
    ];
    const progress: number[] = [];
    const average = monteCarloNtk(spec, x, undefined, { samples: 3, seed: 10, onProgress: (done) => progress.push(done) });
    const sum = [10, 11, 12].map((seed) => empiricalNtk(mlp({ ...spec, seed }), x));
    expectClose(
      average.data,
      sum[0].data.map((v, i) => (v + sum[1].data[i] + sum[2].data[i]) / 3),
      1e-14,
    );
    expect(progress).toEqual([1, 2, 3]);
    expect(() => monteCarloNtk({ ...spec, seed: 1 } as never, x, undefined, { samples: 1 })).toThrow(/unknown option 'seed'/);
    expect(() => monteCarloNtk(spec, x, undefined, { samples: 0 })).toThrow(/samples must be ≥ 1/);
  });
});

describe('empiricalNtk: wasm and ts agree', () => {
  it('to 1e-12 (structured, full)', async () => {
    await ready();
    const net = mlp({ inputDim: 4, widths: [20, 12], outputDim: 2, activation: 'tanh', bStd: 0.1, seed: 2 });
    const x1 = uniformMatrix(11, 4, 6);
    const results = BACKENDS.map((backend) => {
      setBackend(backend);
      return empiricalNtk(net, x1, undefined, { outputs: 'full' });
    });
    expectClose(results[0], results[1], 1e-12);
  });
});

describeEachBackend('empiricalNtk with out', () => {
  it('writes the kernel into out, mean and full, both implementations', () => {
    const net = mlp({ inputDim: 2, widths: [16], outputDim: 2, seed: 3 });
    const x = uniformMatrix(5, 2, 1);
    const z = uniformMatrix(3, 2, 2);
    for (const implementation of ['structured', 'jacobian'] as const) {
      for (const [outputs, rows, cols] of [
        ['mean', 5, 3],
        ['full', 10, 6],
      ] as const) {
        const out = new Matrix(rows, cols);
        expect(empiricalNtk(net, x, z, { implementation, outputs, out })).toBe(out);
        expect(Array.from(out.data)).toEqual(Array.from(empiricalNtk(net, x, z, { implementation, outputs }).data));
      }
    }
    expect(() => empiricalNtk(net, x, z, { out: new Matrix(3, 5) })).toThrow(new RangeError('empiricalNtk: out is 3x5 but the result is 5x3'));
  });
});

describeEachBackend('empiricalNngp, empiricalKernels and monteCarloKernels', () => {
  it('the NNGP is the outputs of PyTorch’s forward pass multiplied, mean over outputs and every output pair', () => {
    for (const c of networks.cases) {
      const net = fixtureNet(c);
      const f = Matrix.from(c.output);
      const k = f.cols;
      const outer = naiveMatmul(f, f.transpose());
      expectClose(
        empiricalNngp(net, c.x1),
        new Matrix(
          outer.rows,
          outer.cols,
          outer.data.map((v) => v / k),
        ),
        1e-12,
        `${c.name} mean`,
      );
      const column = new Matrix(f.rows * k, 1, f.data);
      expectClose(empiricalNngp(net, c.x1, undefined, { outputs: 'full' }), naiveMatmul(column, column.transpose()), 1e-12, `${c.name} full`);
      const both = empiricalKernels(net, c.x1, c.x2);
      expectClose(both.ntk!, c.ntkMean, 1e-10, `${c.name} ntk`);
      expectClose(both.nngp!, empiricalNngp(net, c.x1, c.x2), 0, `${c.name} nngp`);
      expect(Object.keys(empiricalKernels(net, c.x1, undefined, { get: ['nngp'] }))).toEqual(['nngp']);
    }
  });

  it('averages both kernels over the seeds, and tends to the infinite-width kernels', () => {
    const model = serial(dense(512, { wStd: 1.5, bStd: 0.1 }), erf(), dense(64, { wStd: 1.5 }));
    const x = [
      [1, 0],
      [0.6, 0.8],
      [-0.5, 0.2],
    ];
    const { nngp, ntk } = monteCarloKernels(model, x, undefined, { inputShape: [2], samples: 4, seed: 7 });
    const draws = [7, 8, 9, 10].map((seed) => empiricalKernels(network(model, { inputShape: [2], seed }), x));
    expectClose(
      nngp,
      new Matrix(
        3,
        3,
        nngp.data.map((_, i) => draws.reduce((sum, d) => sum + d.nngp!.data[i], 0) / 4),
      ),
      1e-14,
      'nngp average',
    );
    expectClose(
      ntk,
      new Matrix(
        3,
        3,
        ntk.data.map((_, i) => draws.reduce((sum, d) => sum + d.ntk!.data[i], 0) / 4),
      ),
      1e-14,
      'ntk average',
    );
    // 4 networks × 64 outputs: a relative spread of about √(2/256) ≈ 9% on the NNGP; 40% is 4.5 of those.
    const limit = infinite(serial(dense(1, { wStd: 1.5, bStd: 0.1 }), erf(), dense(1, { wStd: 1.5 })), { inputShape: [2] }).kernels(x);
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(nngp.get(i, i) - limit.nngp.get(i, i)) / limit.nngp.get(i, i)).toBeLessThan(0.4);
      expect(Math.abs(ntk.get(i, i) - limit.ntk.get(i, i)) / limit.ntk.get(i, i)).toBeLessThan(0.4);
    }
    expect(() => empiricalKernels(network(model, { inputShape: [2] }), x, undefined, { get: ['cov'] as never })).toThrow(
      new TypeError("empiricalKernels: get must be a non-empty array of 'nngp' and 'ntk', got [\"cov\"]"),
    );
    expect(() => empiricalNngp(network(model, { inputShape: [2] }), x, undefined, { outputs: 'sum' as never })).toThrow(
      /empiricalNngp: outputs must be one of 'mean', 'full'/,
    );
    expect(() => monteCarloKernels(model, x, undefined, { inputShape: [2], samples: 0 })).toThrow(/monteCarloKernels: samples must be ≥ 1/);
  });
});
