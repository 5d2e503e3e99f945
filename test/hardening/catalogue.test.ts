// Every public function against bad input: each failure is a TypeError or RangeError that names the
// function and the argument, thrown before any work, and the library keeps working afterwards.
import { expect, it } from 'vitest';
import {
  Falkon,
  KernelRidge,
  MLP,
  Matrix,
  checkMercer,
  cholesky,
  customKernel,
  dualGradientDescent,
  eigh,
  empiricalNtk,
  eulerFlow,
  gpInference,
  gradientDescentMse,
  gram,
  infiniteMlp,
  linearKernel,
  linearRegression,
  linearize,
  matmul,
  maxLearningRate,
  mlp,
  monteCarloNtk,
  polynomialFeatures,
  polynomialKernel,
  rbfKernel,
  ready,
  setBackend,
  solveSpd,
  solveTriangular,
  trainWithNtkChange,
  Network,
  activation,
  avgPool,
  conv,
  convLocal,
  dense,
  fanOut,
  flatten,
  globalAvgPool,
  infinite,
  layerNorm,
  network,
  relu,
  serial,
} from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

type Case = [call: () => unknown, error: typeof TypeError | typeof RangeError, message: RegExp];

const spd = [
  [4, 2],
  [2, 3],
];
const net = mlp({ inputDim: 2, widths: [4], outputDim: 1, seed: 1 });
const column = (rows: number) => new Matrix(rows, 1);
// A valid predictor holds a factor in WASM memory; the failing call on it must add nothing.
function disposing<T extends { dispose(): void }>(owner: T, call: (owner: T) => unknown): unknown {
  try {
    return call(owner);
  } finally {
    owner.dispose();
  }
}

const catalogue: Record<string, Case[]> = {
  'Matrix, Matrix.from': [
    [() => new Matrix(-1, 2), RangeError, /^Matrix: rows must be a non-negative integer, got -1$/],
    [() => new Matrix(2.5, 2), RangeError, /^Matrix: rows must be a non-negative integer, got 2.5$/],
    [() => Matrix.from([[1, Infinity]]), TypeError, /^Matrix.from: rows\[0\]\[1\] is Infinity/],
    [() => Matrix.from([[1, 2], [3]]), RangeError, /^Matrix.from: rows is ragged/],
  ],
  matmul: [
    [() => matmul([[1, 2]], [[1, 2]]), RangeError, /^matmul: a is 1x2 but b is 1x2/],
    [() => matmul([[NaN]], [[1]]), TypeError, /^matmul: a\[0\]\[0\] is NaN/],
    [() => matmul([[1]], [[-Infinity]]), TypeError, /^matmul: b\[0\]\[0\] is -Infinity/],
    [() => matmul([[1]], [[1]], { transpose: true } as never), TypeError, /^matmul: unknown option 'transpose'/],
    [() => matmul([[1]], [[1]], { transA: 'yes' } as never), TypeError, /^matmul: transA must be a boolean/],
    [() => matmul(column(40_000), column(40_000), { transB: true }), RangeError, /^matmul: the product would be 40000x40000 \(11.9 GiB\)/],
  ],
  gram: [
    [() => gram([[NaN, 1]]), TypeError, /^gram: a\[0\]\[0\] is NaN/],
    [() => gram(column(40_000)), RangeError, /^gram: the Gram matrix would be 40000x40000/],
  ],
  'cholesky, solveSpd, solveTriangular, eigh': [
    [() => cholesky([[1, 2, 3]]), RangeError, /^cholesky: a is 1x3; it must be square/],
    [() => cholesky([]), RangeError, /^cholesky: a is 0x0; it must not be empty/],
    [
      () =>
        cholesky([
          [1, 2],
          [3, 1],
        ]),
      RangeError,
      /^cholesky: a \(2x2\) is not symmetric/,
    ],
    [() => cholesky([[-1]]), RangeError, /^cholesky: a \(1x1\) is not positive definite: pivot 0 is -1.*diagReg \/ ridge/],
    [
      () =>
        solveSpd(
          gram([
            [1, 2],
            [1, 2],
            [0, 1],
          ]),
          [[1], [1], [1]],
        ),
      RangeError,
      /^solveSpd: a \(3x3\) is not positive definite.*diagReg/,
    ],
    [() => solveSpd(spd, [[1]]), RangeError, /^solveSpd: a is 2x2 but b is 1x1; b must have 2 rows/],
    [() => solveTriangular([[0]], [[1]]), RangeError, /^solveTriangular: t \(1x1\) is singular/],
    [() => solveTriangular([[1]], [[1]], { upper: true } as never), TypeError, /^solveTriangular: unknown option 'upper'/],
    [
      () =>
        eigh([
          [1, NaN],
          [NaN, 1],
        ]),
      TypeError,
      /^eigh: a\[0\]\[1\] is NaN/,
    ],
  ],
  'classic kernels, polynomialFeatures, checkMercer': [
    [() => linearKernel({ scale: Infinity }), TypeError, /^linearKernel: scale must be finite, got Infinity/],
    [() => linearKernel({ bais: 1 } as never), TypeError, /^linearKernel: unknown option 'bais'/],
    [() => polynomialKernel({ degree: -2 }), RangeError, /^polynomialKernel: degree must be ≥ 1, got -2/],
    [() => polynomialKernel({ degree: 2.5 }), RangeError, /^polynomialKernel: degree must be an integer/],
    [() => rbfKernel({ lengthscale: -1 }), RangeError, /^rbfKernel: lengthscale must be > 0, got -1/],
    [() => rbfKernel({ lengthscale: NaN }), TypeError, /^rbfKernel: lengthscale must be a number, got NaN/],
    [() => rbfKernel()([[1, 2]], [[1, 2, 3]]), RangeError, /^rbfKernel: x1 is 1x2 but x2 is 1x3/],
    [() => rbfKernel()(Matrix.zeros(0, 3)), RangeError, /^rbfKernel: x1 is 0x3; it must not be empty/],
    [() => rbfKernel()(column(40_000)), RangeError, /^rbfKernel: the Gram matrix would be 40000x40000/],
    [() => customKernel('dot' as never), TypeError, /^customKernel: k must be a function/],
    [() => customKernel(() => Infinity)([[1]]), TypeError, /^customKernel: k\(x1\[0\], x2\[0\]\) returned Infinity/],
    [() => polynomialFeatures([[1]], 0), RangeError, /^polynomialFeatures: degree must be ≥ 1/],
    [() => checkMercer([[1, 2]]), RangeError, /^checkMercer: k is 1x2; it must be square/],
    [() => checkMercer([[1]], { tol: NaN }), TypeError, /^checkMercer: tol must be a number/],
  ],
  'kernel machines': [
    [() => new KernelRidge(rbfKernel(), { ridge: -1 }), RangeError, /^KernelRidge: ridge must be ≥ 0/],
    [() => new KernelRidge(rbfKernel()).fit([[1], [2]], [1, 2, 3]), RangeError, /^KernelRidge.fit: x has 2 rows but y is 3x1/],
    [() => new KernelRidge(rbfKernel()).fit([[1], [2]], [1, NaN]), TypeError, /^KernelRidge.fit: y\[1\]\[0\] is NaN/],
    [() => new KernelRidge(rbfKernel()).fit([[1]], [1]).predict([[1, 2]]), RangeError, /^KernelRidge.predict: x is 1x2 but the model was fitted to 1 features/],
    [() => new Falkon(rbfKernel(), { ridge: 0 }), RangeError, /^Falkon: ridge must be > 0/],
    [() => new Falkon(rbfKernel(), { ridge: 1, centers: 0 }), RangeError, /^Falkon: centers must be ≥ 1/],
    [() => new Falkon(rbfKernel(), { ridge: 1, centers: 3 }).fit([[1], [2]], [1, 2]), RangeError, /^Falkon.fit: centers is 3 but x has 2 rows/],
    [() => new Falkon(rbfKernel(), { ridge: 1, centers: [[1, 2]] }).fit([[1], [2]], [1, 2]), RangeError, /^Falkon.fit: centers are 1x2 but x is 2x1/],
    [() => new Falkon(rbfKernel(), { ridge: 1, centers: 1 }).fit([[1], [NaN]], [1, 2]), TypeError, /^Falkon.fit: x\[1\]\[0\] is NaN/],
    [() => new Falkon(() => new Matrix(1, 1), { ridge: 1, centers: 2 }).fit([[1], [2]], [1, 2]), RangeError, /^Falkon.fit: the kernel returned 1x1/],
    [() => dualGradientDescent(spd, [1, 2], { learningRate: 1, steps: -1 }), RangeError, /^dualGradientDescent: steps must be ≥ 0/],
    [() => dualGradientDescent(spd, [1, 2], { learningRate: Infinity, steps: 1 }), TypeError, /^dualGradientDescent: learningRate must be finite/],
    [() => linearRegression([[1]], [1], { solver: 'svd' } as never), TypeError, /^linearRegression: solver must be one of/],
    [() => gradientDescentMse(spd, [[1, 2]]), RangeError, /^gradientDescentMse: kTrainTrain has 2 rows but yTrain is 1x2/],
    [() => gradientDescentMse(spd, [1, 2], { diagReg: NaN }), TypeError, /^gradientDescentMse: diagReg must be a number/],
    [() => gradientDescentMse(spd, [1, 2]).predict({ t: -1 }), RangeError, /^gradientDescentMse.predict: t must be ≥ 0/],
    [() => gradientDescentMse(spd, [1, 2]).predict({ tau: 1 } as never), TypeError, /^gradientDescentMse.predict: unknown option 'tau'/],
    [() => eulerFlow(spd, [1, 2], { dt: Infinity, steps: 1 }), TypeError, /^eulerFlow: dt must be finite/],
    [() => eulerFlow(spd, [1, 2], { dt: 0.1, steps: 1.5 }), RangeError, /^eulerFlow: steps must be an integer/],
    [() => gpInference({ ntk: spd } as never, [1, 2]), TypeError, /^gpInference: kTrainTrain.nngp is required/],
    [
      () => disposing(gpInference({ nngp: spd }, [1, 2]), (gp) => gp.predict('posterior' as never, { nngp: [[1, 1]] })),
      TypeError,
      /^gpInference.predict: get must be one of/,
    ],
    [() => maxLearningRate(spd, { outputs: 0 }), RangeError, /^maxLearningRate: outputs must be ≥ 1/],
  ],
  networks: [
    [() => mlp({ inputDim: 0, widths: [4] }), RangeError, /^mlp: inputDim must be ≥ 1, got 0/],
    [() => mlp({ inputDim: 2, widths: [-3] }), RangeError, /^mlp: widths\[0\] must be ≥ 1, got -3/],
    [() => mlp({ inputDim: 2, widths: [4], wStd: NaN }), TypeError, /^mlp: wStd must be a number, got NaN/],
    [() => mlp({ inputDim: 2, widths: [4], bStd: -0.1 }), RangeError, /^mlp: bStd must be ≥ 0/],
    [() => mlp({ inputDim: 2, widths: [4], seed: 0.5 }), RangeError, /^mlp: seed must be an integer/],
    [() => mlp({ inputDim: 2, widths: 4 } as never), TypeError, /^mlp: widths must be an array of positive integers/],
    [() => MLP.fromWeights([{ W: [[1, NaN]] }]), TypeError, /^MLP.fromWeights: layers\[0\].W\[0\]\[1\] is NaN/],
    [() => MLP.fromWeights([{ W: [[1, 2]], b: [0] }]), RangeError, /^MLP.fromWeights: layers\[0\].b has 1 entries but layers\[0\].W has 2 columns/],
    [() => net.apply([[1]]), RangeError, /^MLP.apply: x is 1x1 but the network takes 2 inputs/],
    [() => net.apply([[1, 2]], [1, 2]), RangeError, /^MLP.apply: params has 2 entries but the network has 17/],
    [() => mlp({ inputDim: 1, widths: [8192] }).jacobian(column(20_000)), RangeError, /^MLP.jacobian: the Jacobian would be 20000x24577/],
    [() => net.train([[1, 2]], [1], { learningRate: 0, steps: 1 }), RangeError, /^MLP.train: learningRate must be > 0/],
    [() => empiricalNtk(net, [[1, 2]], undefined, { implementation: 'ntvp' } as never), TypeError, /^empiricalNtk: implementation must be one of/],
    [() => empiricalNtk(net, new Matrix(40_000, 2)), RangeError, /^empiricalNtk: the kernel would be 40000x40000/],
    [() => linearize([] as never), TypeError, /^linearize: net must be a Network/],
    [() => monteCarloNtk({ inputDim: 2, widths: [4] }, [[1, 2]], undefined, { samples: 1.5 }), RangeError, /^monteCarloNtk: samples must be an integer/],
    [() => trainWithNtkChange({} as never, [[1, 2]], [1], { learningRate: 1, steps: 1 }), TypeError, /^trainWithNtkChange: net must be a Network/],
    [() => infiniteMlp({ depth: 1.5, activation: 'relu' }), RangeError, /^infiniteMlp: depth must be an integer/],
    [() => infiniteMlp({ depth: 1, activation: 'swish' as never }), TypeError, /^infiniteMlp: activation must be one of/],
    [() => infiniteMlp({ depth: 1, activation: 'relu' }).kernels(column(40_000)), RangeError, /^infiniteMlp: the Gram matrix would be 40000x40000/],
  ],
  layers: [
    [() => dense(0), RangeError, /^dense: out must be ≥ 1, got 0/],
    [() => dense(4, { wStd: 1, bias: 0 } as never), TypeError, /^dense: unknown option 'bias'/],
    [() => layerNorm({ eps: -1 }), RangeError, /^layerNorm: eps must be > 0, got -1/],
    [() => activation('swish' as never), TypeError, /^activation: name must be one of/],
    [() => fanOut(1.5), RangeError, /^fanOut: count must be an integer, got 1.5/],
    [
      () => network(serial(dense(4), fanOut(2), dense(1)), { inputShape: [2] }),
      RangeError,
      /^network: model.serial\[2\] \(dense\) takes one input but receives 2 branches/,
    ],
    [() => network(dense(1), { inputShape: [2.5] }), RangeError, /^network: inputShape\[0\] must be a positive integer, got 2.5/],
    [() => network(dense(1), { inputShape: [2] }).apply([[1, 2, 3]]), RangeError, /^Network.apply: x is 1x3 but the network takes 2 inputs/],
    [() => network(dense(1), { inputShape: [2] }).apply([[1, NaN]]), TypeError, /^Network.apply: x\[0\]\[1\] is NaN/],
    [
      () => Network.fromWeights(dense(1), { inputShape: [2], weights: [{ W: [1, 2, 3] }] }),
      RangeError,
      /^Network.fromWeights: weights\[0\]\.W is 3 entries but dense layer 0 needs 2x1/,
    ],
    [() => infinite(serial(relu(), dense(1)), { inputShape: [2] }), RangeError, /^infinite: model.serial\[0\] \(activation\) needs a Gaussian input/],
    [() => infinite(dense(1), { inputShape: [2] }).kernels(column(3)), RangeError, /^infinite: the inputs have 1 features but inputShape is \[2\]/],
    [() => infinite(dense(1), { inputShape: [1] }).kernels(column(40_000)), RangeError, /^infinite: the Gram matrix would be 40000x40000/],
  ],
  'convolutions and pooling': [
    [() => conv(2, [0, 3]), RangeError, /^conv: filter\[0\] must be ≥ 1, got 0$/],
    [() => conv(2, [3, 3], { strides: [1, 2, 1] }), TypeError, /^conv: strides must be a positive integer or an array of 2, got \[1,2,1\]$/],
    [() => conv(2, 3 as never), TypeError, /^conv: filter must be an array of 1 to 3 positive integers, got 3$/],
    [() => avgPool([2, 2], { padding: 'FULL' as never }), TypeError, /^avgPool: padding must be one of 'VALID', 'SAME', 'CIRCULAR'/],
    [() => convLocal(2, [2, 2, 2, 2]), TypeError, /^convLocal: filter must be an array of 1 to 3 positive integers, got \[2,2,2,2\]$/],
    [() => convLocal(2, [2], { dilation: 2 } as never), TypeError, /^convLocal: unknown option 'dilation'/],
    [
      () => infinite(serial(convLocal(2, [3, 3]), flatten(), dense(1)), { inputShape: [2, 2, 2, 1] }),
      RangeError,
      /^infinite: model.serial\[0\] \(convLocal\) has a 2-D filter \[3, 3\] but its input \[2, 2, 2, 1\] has 3 spatial axes$/,
    ],
    [
      () => network(serial(conv(2, [5]), flatten(), dense(1)), { inputShape: [4, 1] }),
      RangeError,
      /^network: model.serial\[0\] \(conv\) has a filter \[5\] larger than its input \[4\] with 'VALID' padding$/,
    ],
    [() => infinite(serial(conv(2, [2]), relu(), dense(1)), { inputShape: [4, 1] }), RangeError, /^infinite: the model's output \[3, 1\] is not flat/],
    [
      () => infinite(serial(conv(2, [2, 2]), relu(), globalAvgPool(), dense(1)), { inputShape: [4, 1] }),
      RangeError,
      /^infinite: model.serial\[0\] \(conv\) has a 2-D filter \[2, 2\] but its input \[4, 1\] has 1 spatial axis$/,
    ],
    [
      () => network(serial(conv(2, [2]), flatten(), dense(1)), { inputShape: [4, 1] }).apply([[1, 2, 3]]),
      RangeError,
      /^Network.apply: x is 1x3 but the network takes 4 inputs \(inputShape \[4, 1\]\)$/,
    ],
    [() => infinite(serial(conv(2, [2]), relu(), flatten(), dense(1)), { inputShape: [4, 1] }).kernels([[[1], [2], [NaN], [0]]]), TypeError, /NaN/],
    [
      () =>
        Network.fromWeights(serial(conv(1, [2]), flatten(), dense(1)), {
          inputShape: [3, 1],
          weights: [
            { W: [[[1]]], b: [0] },
            { W: [1, 1], b: [0] },
          ],
        }),
      RangeError,
      /^Network.fromWeights: weights\[0\].W is 1x1x1 but conv layer 0 needs 2x1x1$/,
    ],
    [
      () =>
        infinite(serial(conv(1, [3, 3], { padding: 'SAME' }), relu(), globalAvgPool(), dense(1)), { inputShape: [4, 4, 1] }).kernels(new Matrix(40_000, 16)),
      RangeError,
      /^infinite: the Gram matrix would be 40000x40000/,
    ],
  ],
  setup: [
    [() => setBackend('gpu' as never), TypeError, /^setBackend: unknown backend "gpu"/],
    [() => ready({ memory: 1 } as never), TypeError, /^ready: unknown option 'memory'/],
  ],
};

describeEachBackend('bad-input catalogue', (backend) => {
  for (const [group, cases] of Object.entries(catalogue)) {
    it(`${group}: clear errors, nothing allocated, and the library still works`, async () => {
      const top = backend === 'wasm' ? wasmHeap()!.top : 0;
      for (const [call, ErrorClass, message] of cases) {
        let thrown: unknown;
        try {
          // ready() reports problems as a rejected promise; everything else throws at once.
          await call();
        } catch (error) {
          thrown = error;
        }
        expect(thrown, `${message}`).toBeInstanceOf(ErrorClass);
        expect((thrown as Error).message).toMatch(message);
      }
      if (backend === 'wasm') expect(wasmHeap()!.top).toBe(top);
      setBackend(backend);
      expectClose(solveSpd(spd, [[2], [1]]), [[0.5], [0]], 1e-14);
      expectClose(rbfKernel()([[0]], [[1]]), [[Math.exp(-0.5)]], 1e-15);
      expectClose(matmul([[1, 2]], [[3], [4]]), [[11]], 0);
    });
  }
});
