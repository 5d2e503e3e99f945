// One result of every public function, for the comparisons across thread counts (test/backend/wasm/determinism.slow.test.ts).
import {
  Falkon,
  KernelRidge,
  checkMercer,
  cholesky,
  conv,
  dense,
  dualGradientDescent,
  eigh,
  empiricalNtk,
  eulerFlow,
  flatten,
  gpInference,
  gradientDescentMse,
  gram,
  infinite,
  infiniteMlp,
  linearKernel,
  linearRegression,
  linearize,
  matmul,
  maxLearningRate,
  mlp,
  monteCarloNtk,
  network,
  polynomialKernel,
  rbfKernel,
  relu,
  serial,
  solveSpd,
  solveTriangular,
  trainWithNtkChange,
  type Matrix,
} from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';

export type Result = Matrix | Float64Array | number;
/** A result's numbers. */
export const bits = (r: Result): Float64Array => (typeof r === 'number' ? Float64Array.of(r) : r instanceof Float64Array ? r : r.data);

/**
 * One result per public function, at sizes where every parallel op is split (eigh above the 256 rows where
 * its matrix–vector products split; training and Nyström passes over several blocks).
 */
export function publicResults(): Record<string, Result> {
  const a = uniformMatrix(300, 280, 1);
  const spd = gram(a);
  for (let i = 0; i < 300; i++) spd.data[i * 301] += 300;
  const b = uniformMatrix(300, 3, 2);
  const x = uniformMatrix(301, 16, 3);
  const z = uniformMatrix(67, 16, 4);
  const y = uniformMatrix(301, 2, 5);
  const rbf = rbfKernel({ lengthscale: 3 });
  const kxx = rbf(x);
  const kzx = rbf(z, x);
  const net = mlp({ inputDim: 16, widths: [128, 128], outputDim: 2, activation: 'tanh', seed: 6 });
  const trained = net.clone();
  const cnn = serial(conv(8, [3, 3], { padding: 'SAME' }), relu(), flatten(), dense(2));
  const images = uniformMatrix(40, 6 * 6 * 2, 7);
  const cnnNet = network(cnn, { inputShape: [6, 6, 2], seed: 8 });
  const lin = linearize(mlp({ inputDim: 16, widths: [64], outputDim: 2, seed: 9 }));
  const flow = gradientDescentMse(kxx, y, { diagReg: 1e-3 });
  const gp = gpInference({ nngp: kxx }, y, { diagReg: 1e-3 });
  const falkon = new Falkon(rbf, { ridge: 1e-4, centers: 120, maxIterations: 8 }).fit(uniformMatrix(3000, 16, 10), uniformMatrix(3000, 2, 11));
  const ridge = new KernelRidge(rbf, { ridge: 1e-3 }).fit(x, y);
  const { values, vectors } = eigh(spd);
  return {
    matmul: matmul(a, a, { transB: true }),
    gram: gram(a),
    cholesky: cholesky(spd),
    solveTriangular: solveTriangular(cholesky(spd), b),
    solveSpd: solveSpd(spd, b),
    'eigh values': values,
    'eigh vectors': vectors,
    checkMercer: checkMercer(kxx).minEigenvalue,
    linearKernel: linearKernel({ bias: 1 })(x, z),
    polynomialKernel: polynomialKernel({ degree: 3 })(x),
    rbfKernel: kxx,
    'KernelRidge.predict': ridge.predict(z),
    'Falkon.predict': falkon.predict(z),
    dualGradientDescent: dualGradientDescent(kxx, y, { learningRate: 0.5 / 301, steps: 20 }).alpha,
    'linearRegression gradientDescent': linearRegression(x, y, { solver: 'gradientDescent', learningRate: 0.01, steps: 20 }).theta,
    'linearRegression normal': linearRegression(x, y, { ridge: 1e-3 }).theta,
    'gradientDescentMse t=10': flow.predict({ t: 10, kTestTrain: kzx }).test!,
    'gradientDescentMse t=∞': flow.predict({ t: Infinity, kTestTrain: kzx }).test!,
    'gpInference mean': gp.predict('nngp', { nngp: kzx }, { nngp: rbf(z) }).mean,
    'gpInference covariance': gp.predict('nngp', { nngp: kzx }, { nngp: rbf(z) }).covariance!,
    eulerFlow: eulerFlow(kxx, y, { learningRate: 1, dt: 0.001, steps: 20 }).train[1],
    maxLearningRate: maxLearningRate(kxx),
    'MLP.apply': net.apply(x),
    'MLP.jacobian': net.jacobian(z),
    'MLP.train': (trained.train(x, y, { learningRate: 0.5, steps: 5 }), trained.params),
    'empiricalNtk structured': empiricalNtk(net, x, z, { outputs: 'full' }),
    'empiricalNtk jacobian': empiricalNtk(net, x, z, { implementation: 'jacobian' }),
    monteCarloNtk: monteCarloNtk(serial(dense(64), relu(), dense(1)), x, undefined, { inputShape: [16], samples: 2 }),
    trainWithNtkChange: trainWithNtkChange(
      mlp({ inputDim: 16, widths: [64], seed: 12 }),
      x,
      y.data.filter((_, i) => i % 2 === 0),
      { learningRate: 0.5, steps: 3 },
    ).relativeChange,
    'LinearizedModel.train': (lin.train(x, y, { learningRate: 0.2, steps: 5 }), lin.params),
    'Network.train (CNN)': (cnnNet.train(images, uniformMatrix(40, 2, 13), { learningRate: 0.2, steps: 3 }), cnnNet.params),
    'empiricalNtk (CNN)': empiricalNtk(cnnNet, images),
    'infiniteMlp relu': infiniteMlp({ depth: 2, activation: 'relu', bStd: 0.1 }).kernels(x).ntk,
    'infiniteMlp tanh': infiniteMlp({ depth: 2, activation: 'tanh', bStd: 0.1 }).kernels(x, z).ntk,
    'infinite (CNN)': infinite(cnn, { inputShape: [6, 6, 2] }).kernels(images).ntk,
  };
}
