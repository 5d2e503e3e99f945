// Everything the library computes, as the public API exports it (./index.ts adds the worker).
export { ready, dispose, setBackend, getBackend, backendInfo, type ReadyOptions, type BackendInfo } from './backend/registry.js';
export type { BackendName, SimdLevel, WasmSource } from './backend/types.js';
export { Matrix, type MatrixInput } from './matrix.js';
export { Random, randomMatrix, type RandomMatrixOptions } from './random.js';
export {
  matmul,
  gram,
  cholesky,
  solveTriangular,
  solveSpd,
  eigh,
  type GramOptions,
  type MatmulOptions,
  type SolveTriangularOptions,
  type EighResult,
} from './linalg.js';
export {
  linearKernel,
  polynomialKernel,
  rbfKernel,
  customKernel,
  type Kernel,
  type KernelCallOptions,
  type LinearKernelOptions,
  type PolynomialKernelOptions,
  type RbfKernelOptions,
} from './kernels/classic.js';
export { polynomialFeatures } from './kernels/features.js';
export { checkMercer, type CheckMercerOptions, type MercerReport } from './kernels/mercer.js';
export type { TargetsInput } from './predict/common.js';
export { KernelRidge, type KernelRidgeOptions } from './predict/ridge.js';
export { Falkon, type FalkonFitOptions, type FalkonOptions } from './predict/falkon.js';
export {
  dualGradientDescent,
  linearRegression,
  type DualGradientDescentOptions,
  type DualGradientDescentResult,
  type LinearRegressionOptions,
  type LinearRegressionResult,
  type LinearSolver,
} from './predict/descent.js';
export {
  gradientDescentMse,
  maxLearningRate,
  type GradientDescentMseOptions,
  type GradientDescentMsePredictor,
  type MaxLearningRateOptions,
  type MsePredictOptions,
  type MsePredictTimesOptions,
  type MsePrediction,
} from './predict/gradientDescentMse.js';
export { eulerFlow, type EulerFlowOptions, type EulerFlowResult } from './predict/euler.js';
export {
  gradientDescentMseEnsemble,
  type EnsembleKernels,
  type TestKernel,
  type EnsembleOptions,
  type EnsemblePredictOptions,
  type EnsemblePredictTimesOptions,
  type EnsemblePrediction,
  type EnsemblePredictor,
} from './predict/ensemble.js';
export {
  gradientDescent,
  type CustomLoss,
  type GradientDescentOptions,
  type GradientDescentPredictOptions,
  type GradientDescentPredictTimesOptions,
  type GradientDescentPrediction,
  type GradientDescentPredictor,
  type Loss,
} from './predict/gradientDescent.js';
export { gpInference, type GpInferenceOptions, type GpPosterior, type GpPrediction, type GpPredictor, type KernelPair } from './predict/gp.js';
export { MLP, mlp, type MlpSpec, type MlpWeightsOptions } from './finite/mlp.js';
export {
  empiricalKernels,
  empiricalNngp,
  empiricalNtk,
  monteCarloKernels,
  monteCarloNtk,
  trainWithNtkChange,
  type EmpiricalKernelsOptions,
  type EmpiricalNngpOptions,
  type EmpiricalNtkOptions,
  type KernelMatrices,
  type MonteCarloKernelsOptions,
  type MonteCarloNtkOptions,
  type NtkChange,
  type NtkImplementation,
  type NtkOutputs,
} from './finite/ntk.js';
export { LinearizedModel, linearize } from './finite/linearize.js';
export { infiniteMlp, type InfiniteMlpOptions } from './infinite/mlp.js';
export * from './ops/index.js';
export {
  fanOut,
  parallel,
  repeat,
  residual,
  serial,
  type FanOutLayer,
  type Layer,
  type ParallelLayer,
  type RepeatLayer,
  type SerialLayer,
} from './model/layers.js';
export type { Padding } from './core/shapes.js';
export type { ExamplesInput, NestedNumbers } from './model/inputs.js';
export {
  infinite,
  type InfiniteKernels,
  type InfiniteKernelsOptions,
  type InfiniteMlp,
  type InfiniteModel,
  type InfiniteOptions,
  type InputCovariances,
  type KernelEvaluationOptions,
  type LayerKernels,
} from './infinite/infinite.js';
export type { KernelGradients, KernelGradientsOptions } from './infinite/gradients.js';
export {
  fitHyperparameters,
  logMarginalLikelihood,
  type FitHyperparametersOptions,
  type FitResult,
  type LogMarginalLikelihood,
  type LogMarginalLikelihoodOptions,
} from './infinite/fit.js';
export {
  Network,
  network,
  type ApplyOptions,
  type FromWeightsOptions,
  type LayerWeights,
  type AttentionWeights,
  type NetworkOptions,
  type PatternOptions,
  type TrainOptions,
  type TrainResult,
} from './finite/network.js';
