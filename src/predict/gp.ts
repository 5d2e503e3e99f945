import { checkOptions, enumOption, shapeOf } from '../errors.js';
import { type Factor, factorOf, product, symmetricSquare } from '../linalg.js';
import { Matrix, type MatrixInput, requireSquare, toMatrix } from '../matrix.js';
import { addDiagonal, addScaled, disposeWhenCollected, forgetHeld, symmetrize, type TargetsInput, testTrainKernel, toTargets } from './common.js';

/** A pair of kernels on the same points: the NNGP kernel and (optionally) the NTK. */
export interface KernelPair {
  /** The NNGP kernel K. */
  nngp: MatrixInput;
  /** The NTK Θ (needed by the 'ntk' and 'ntkgp' posteriors). */
  ntk?: MatrixInput;
}

/** Options of {@link gpInference}. */
export interface GpInferenceOptions {
  /** Diagonal regularizer of the train-train kernels, as in {@link gradientDescentMse}. Default 0. */
  diagReg?: number;
  /** Add `diagReg` itself instead of scaling it by the mean diagonal. Default false. */
  diagRegAbsoluteScale?: boolean;
}

/** Which posterior {@link GpPredictor.predict} returns. */
export type GpPosterior = 'nngp' | 'ntk' | 'ntkgp';

/** A Gaussian posterior over test outputs; the covariance is shared by all output columns. */
export interface GpPrediction {
  /** m × k. */
  mean: Matrix;
  /** m × m, when `kTestTest` was given. */
  covariance?: Matrix;
}

/** Posterior predictions; see {@link gpInference}. */
export interface GpPredictor {
  /**
   * The posterior `get` at test points, from test-train kernels and (for the covariance) test-test kernels.
   *
   * @example
   * ```ts
   * const gp = gpInference({ nngp: [[1, 0.5], [0.5, 1]] }, [[1], [0]]);
   * gp.predict('nngp', { nngp: [[0.8, 0.3]] }).mean.get(0, 0);
   * ```
   */
  predict(get: GpPosterior, kTestTrain: KernelPair, kTestTest?: KernelPair): GpPrediction;
  /**
   * Frees the Cholesky factors of the train-train kernels, which the backend keeps (the WASM backend in its
   * memory) for every predict, now rather than when the predictor is collected; predict fails afterwards.
   *
   * @example
   * ```ts
   * const gp = gpInference({ nngp: [[1, 0.5], [0.5, 1]] }, [[1], [0]]);
   * gp.predict('nngp', { nngp: [[0.8, 0.3]] });
   * gp.dispose();
   * ```
   */
  dispose(): void;
}

/**
 * Exact Bayesian inference with infinite-width kernels, as neural-tangents'
 * `predict.gp_inference`, with K the NNGP kernel and Θ the NTK (train-train kernels regularized, except
 * the K between the two Θ⁻¹ of the 'ntk' covariance, as there):
 * - `'nngp'`: the NNGP posterior, mean `K_*·K⁻¹·y`, covariance `K_** − K_*·K⁻¹·K_*ᵀ`;
 * - `'ntk'`: the distribution of an infinite ensemble of wide networks trained to convergence by gradient
 *   descent, mean `Θ_*·Θ⁻¹·y`, covariance `K_** + Θ_*Θ⁻¹KΘ⁻¹Θ_*ᵀ − (Θ_*Θ⁻¹K_*ᵀ + K_*Θ⁻¹Θ_*ᵀ)`;
 * - `'ntkgp'`: the GP posterior with the NTK as prior covariance.
 *
 * @example
 * ```ts
 * const gp = gpInference({ nngp: [[1, 0.5], [0.5, 1]] }, [[1], [0]], { diagReg: 1e-4 });
 * const { mean, covariance } = gp.predict('nngp', { nngp: [[0.8, 0.3]] }, { nngp: [[1]] });
 * ```
 */
export function gpInference(kTrainTrain: KernelPair, yTrain: TargetsInput, options?: GpInferenceOptions): GpPredictor {
  const fn = 'gpInference';
  const pair = checkOptions(fn, kTrainTrain, ['nngp', 'ntk']);
  const opts = checkOptions(fn, options, ['diagReg', 'diagRegAbsoluteScale']);
  if (pair.nngp === undefined) throw new TypeError(`${fn}: kTrainTrain.nngp is required`);
  const nngp = symmetricSquare(fn, 'kTrainTrain.nngp', pair.nngp);
  const n = nngp.rows;
  const ntk = pair.ntk === undefined ? undefined : symmetricSquare(fn, 'kTrainTrain.ntk', pair.ntk);
  if (ntk && ntk.rows !== n) {
    throw new RangeError(`${fn}: kTrainTrain.nngp is ${shapeOf(nngp)} but kTrainTrain.ntk is ${shapeOf(ntk)}`);
  }
  const y = toTargets(fn, 'yTrain', yTrain, n, 'kTrainTrain.nngp');
  const nngpReg = addDiagonal(fn, nngp, opts.diagReg, opts.diagRegAbsoluteScale);
  const ntkReg = ntk && addDiagonal(fn, ntk, opts.diagReg, opts.diagRegAbsoluteScale);
  const nngpFactor = factorOf(fn, 'kTrainTrain.nngp (+ diagReg)', nngpReg);
  let ntkFactor: Factor | undefined;
  try {
    ntkFactor = ntkReg && factorOf(fn, 'kTrainTrain.ntk (+ diagReg)', ntkReg);
  } catch (error) {
    nngpFactor.dispose();
    throw error;
  }
  let disposed = false;

  const predictor: GpPredictor = {
    predict(get, kTestTrain, kTestTest) {
      const pfn = `${fn}.predict`;
      if (disposed) throw new Error(`${pfn}: the predictor was disposed`);
      const mode = enumOption<GpPosterior>(pfn, 'get', get, ['nngp', 'ntk', 'ntkgp'], 'nngp');
      const testPair = checkOptions(pfn, kTestTrain, ['nngp', 'ntk']);
      const needsNtk = mode !== 'nngp';
      const needsNngp = mode !== 'ntkgp';
      if (needsNtk && !ntkFactor) throw new TypeError(`${pfn}: '${mode}' needs kTrainTrain.ntk`);
      const kStar = needsNngp || testPair.nngp !== undefined ? required(pfn, 'kTestTrain.nngp', testPair.nngp, n, needsNngp) : undefined;
      const thetaStar = needsNtk ? required(pfn, 'kTestTrain.ntk', testPair.ntk, n, true) : undefined;
      const testTest = kTestTest === undefined ? undefined : checkOptions(pfn, kTestTest, ['nngp', 'ntk']);

      // The posterior mean uses the NNGP for 'nngp' and the NTK otherwise.
      const [meanKernel, meanFactor] = mode === 'nngp' ? [kStar!, nngpFactor] : [thetaStar!, ntkFactor!];
      const mean = product(pfn, meanKernel, meanFactor.solve(pfn, y));
      if (!testTest) return { mean };
      const m = meanKernel.rows;
      let covariance: Matrix;
      if (mode === 'ntkgp') {
        covariance = posteriorCovariance(pfn, squareTest(pfn, 'kTestTest.ntk', testTest.ntk, m), thetaStar!, ntkFactor!);
      } else if (mode === 'nngp') {
        covariance = posteriorCovariance(pfn, squareTest(pfn, 'kTestTest.nngp', testTest.nngp, m), kStar!, nngpFactor);
      } else {
        const kTT = squareTest(pfn, 'kTestTest.nngp', testTest.nngp, m);
        const b = ntkFactor!.solve(pfn, thetaStar!.transpose()); // Θ⁻¹Θ_*ᵀ, n × m
        const cross = product(pfn, kStar!, b); // K_*Θ⁻¹Θ_*ᵀ
        // As neural-tangents: Θ is regularized, the NNGP between them is not.
        const middle = product(pfn, b, product(pfn, nngp, b), true);
        covariance = symmetrize(
          new Matrix(
            m,
            m,
            kTT.data.map((v, i) => {
              const r = Math.floor(i / m);
              const c = i - r * m;
              return v + middle.data[i] - cross.data[i] - cross.data[c * m + r];
            }),
          ),
        );
      }
      return { mean, covariance };
    },
    dispose() {
      forgetHeld(predictor);
      nngpFactor.dispose();
      ntkFactor?.dispose();
      disposed = true;
    },
  };
  disposeWhenCollected(predictor, nngpFactor);
  if (ntkFactor) disposeWhenCollected(predictor, ntkFactor);
  return predictor;
}

function required(fn: string, name: string, value: MatrixInput | undefined, n: number, needed: boolean): Matrix | undefined {
  if (value === undefined) {
    if (needed) throw new TypeError(`${fn}: ${name} is required`);
    return undefined;
  }
  return testTrainKernel(fn, name, value, n);
}

function squareTest(fn: string, name: string, value: MatrixInput | undefined, m: number): Matrix {
  if (value === undefined) throw new TypeError(`${fn}: ${name} is required for the covariance`);
  const k = toMatrix(fn, name, value);
  requireSquare(fn, name, k);
  if (k.rows !== m) throw new RangeError(`${fn}: ${name} is ${shapeOf(k)} but there are ${m} test points`);
  return k;
}

// k_** − k_*·K⁻¹·k_*ᵀ through the cached factor, symmetrized.
function posteriorCovariance(fn: string, kTestTest: Matrix, kStar: Matrix, factor: Factor): Matrix {
  const explained = product(fn, kStar, factor.solve(fn, kStar.transpose()));
  return symmetrize(addScaled(kTestTest, explained, -1));
}
