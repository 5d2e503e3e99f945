// The infinite ensemble of networks trained by gradient flow on the mean squared error, at any time (neural-tangents'
// predict.gradient_descent_mse_ensemble): the mean and covariance of its outputs over initializations, from the NNGP
// and NTK of the train set, one eigendecomposition per kernel for every time asked.
import { booleanOption, checkOptions, enumOption, numberOption, shapeOf } from '../errors.js';
import { type Spectrum, product, spectrumOf, symmetricSquare } from '../linalg.js';
import { Matrix, type MatrixInput, requireSquare, toMatrix } from '../matrix.js';
import { addDiagonal, addScaled, disposeWhenCollected, forgetHeld, symmetrize, type TargetsInput, testTrainKernel, timesOption, toTargets } from './common.js';
import { type GpPredictor, type KernelPair, gpInference } from './gp.js';

/** Kernels as matrices, either or both: the NNGP and the NTK. */
export interface EnsembleKernels {
  /** The NNGP. */
  nngp?: MatrixInput;
  /** The NTK. */
  ntk?: MatrixInput;
}

/** The NNGP between test points. */
export interface TestKernel {
  /** m × m. */
  nngp: MatrixInput;
}

/** Options of {@link gradientDescentMseEnsemble}. */
export interface EnsembleOptions {
  /** η. Default 1. Only η·t matters. */
  learningRate?: number;
  /** Diagonal regularizer of the train-train kernel that is decomposed, as in {@link gradientDescentMse}. Default 0. */
  diagReg?: number;
  /** Add `diagReg` itself instead of scaling it by the mean diagonal. Default false. */
  diagRegAbsoluteScale?: boolean;
}

/** Options of an {@link EnsemblePredictor} call. */
export interface EnsemblePredictOptions {
  /** Training time t ≥ 0; `Infinity` (default) is {@link gpInference}. */
  t?: number;
  /** The regime: networks trained in the 'ntk' regime (all layers), or only the readout ('nngp'). Default 'ntk'. */
  get?: 'nngp' | 'ntk';
  /** Also the covariance of the outputs over the ensemble. Default false. */
  computeCov?: boolean;
  /**
   * Kernels between test and train points (m × n): the `get` one, and for the 'ntk' covariance both. Without them
   * the predictions are on the train points.
   */
  kTestTrain?: EnsembleKernels;
  /** The NNGP between test points (m × m), for the covariance on test points. */
  kTestTest?: TestKernel;
}

/** Options of an {@link EnsemblePredictor} call at several times. */
export interface EnsemblePredictTimesOptions extends Omit<EnsemblePredictOptions, 't'> {
  /** Times t ≥ 0 (`Infinity` allowed): one prediction each, from one eigendecomposition. */
  t: readonly number[];
}

/** The ensemble's outputs at one time. */
export interface EnsemblePrediction {
  /** Mean output (m × k on test points, n × k on the train points). */
  mean: Matrix;
  /** The covariance of one output between the points (the same for every output), with `computeCov`. */
  covariance?: Matrix;
}

/** Predicts the ensemble at any time; see {@link gradientDescentMseEnsemble}. */
export interface EnsemblePredictor {
  /**
   * Mean (and covariance) of the ensemble's outputs at time `t`, or at each of several times.
   *
   * @example
   * ```ts
   * const ensemble = gradientDescentMseEnsemble({ nngp: [[1, 0.5], [0.5, 1]], ntk: [[2, 1], [1, 2]] }, [[1], [-1]]);
   * const [early, late] = ensemble.predict({ t: [0.5, 50], kTestTrain: { nngp: [[0.8, 0.3]], ntk: [[1.6, 0.6]] } });
   * early.mean.get(0, 0);
   * ```
   */
  predict(options: EnsemblePredictTimesOptions): EnsemblePrediction[];
  /**
   * Mean (and covariance) of the ensemble's outputs at one time. (This signature comes last: a remote proxy's type,
   * src/remote, takes an overloaded method's last.)
   *
   * @example
   * ```ts
   * const ensemble = gradientDescentMseEnsemble({ ntk: [[2, 1], [1, 2]] }, [1, -1]);
   * ensemble.predict({ t: 1 }).mean.toArray();
   * ```
   */
  predict(options?: EnsemblePredictOptions): EnsemblePrediction;
  /**
   * Frees the kept eigendecompositions (n² doubles each) now rather than when the predictor is collected; a later
   * predict computes them again.
   *
   * @example
   * ```ts
   * const ensemble = gradientDescentMseEnsemble({ ntk: [[2, 1], [1, 2]] }, [1, -1]);
   * ensemble.predict({ t: 1 });
   * ensemble.dispose();
   * ```
   */
  dispose(): void;
}

/**
 * The infinite ensemble of infinitely wide networks trained by continuous gradient descent on `‖f − y‖²/(2N)`
 * (`N = y.rows·y.cols`) from their random initialization, at any time (neural-tangents'
 * `predict.gradient_descent_mse_ensemble`, with kernels given as matrices, like {@link gpInference}). With the
 * decomposed train kernel `K = V·Λ·Vᵀ` (the NTK Θ for 'ntk', the NNGP for 'nngp'; plus diagReg) and
 * `Cₜ = V·(I − e^{−ηΛt/N})·Λ⁻¹·Vᵀ`, the mean on test points is `K_td·Cₜ·y`; the covariance is
 * `K_tt − K_td·C₂ₜ·K_tdᵀ` for 'nngp', and for 'ntk'
 * `K_tt + Θ_td·Cₜ·K·Cₜ·Θ_tdᵀ − (Θ_td·Cₜ·K_tdᵀ + its transpose)` with K the NNGP. On the train points the
 * mean is `V·(I − e^{−ηΛt/N})·Vᵀ·y`. t = ∞ is {@link gpInference}. Negative eigenvalues count as 0, as in
 * neural-tangents.
 *
 * @example
 * ```ts
 * const kTrainTrain = { nngp: [[1, 0.5], [0.5, 1]], ntk: [[2, 1], [1, 2]] };
 * const ensemble = gradientDescentMseEnsemble(kTrainTrain, [[1], [-1]], { learningRate: 1 });
 * const { mean, covariance } = ensemble.predict({
 *   t: 2,
 *   computeCov: true,
 *   kTestTrain: { nngp: [[0.8, 0.3]], ntk: [[1.6, 0.6]] },
 *   kTestTest: { nngp: [[1]] },
 * }) as EnsemblePrediction;
 * ```
 */
export function gradientDescentMseEnsemble(kTrainTrain: EnsembleKernels, yTrain: TargetsInput, options?: EnsembleOptions): EnsemblePredictor {
  const fn = 'gradientDescentMseEnsemble';
  const pair = checkOptions(fn, kTrainTrain, ['nngp', 'ntk']);
  const opts = checkOptions(fn, options, ['learningRate', 'diagReg', 'diagRegAbsoluteScale']);
  const learningRate = numberOption(fn, 'learningRate', opts.learningRate, 1, { above: 0 });
  if (pair.nngp === undefined && pair.ntk === undefined) throw new TypeError(`${fn}: kTrainTrain needs nngp, ntk or both`);
  const kernels = {
    nngp: pair.nngp === undefined ? undefined : symmetricSquare(fn, 'kTrainTrain.nngp', pair.nngp),
    ntk: pair.ntk === undefined ? undefined : symmetricSquare(fn, 'kTrainTrain.ntk', pair.ntk),
  };
  const n = (kernels.nngp ?? kernels.ntk)!.rows;
  if (kernels.nngp && kernels.ntk && kernels.ntk.rows !== n) {
    throw new RangeError(`${fn}: kTrainTrain.nngp is ${shapeOf(kernels.nngp)} but kTrainTrain.ntk is ${shapeOf(kernels.ntk)}`);
  }
  const y = toTargets(fn, 'yTrain', yTrain, n, kernels.nngp ? 'kTrainTrain.nngp' : 'kTrainTrain.ntk');
  // Validate diagReg once, before any prediction.
  addDiagonal(fn, (kernels.nngp ?? kernels.ntk)!, opts.diagReg, opts.diagRegAbsoluteScale);
  const size = n * y.cols;

  // Per regime: the decomposed train kernel, Vᵀy, and Vᵀ itself once a train covariance needs it.
  const spaces: Partial<Record<'nngp' | 'ntk', { spectrum: Spectrum; projectedY: Float64Array; transposed?: Float64Array }>> = {};
  const gp: Partial<Record<'nngp' | 'ntk', GpPredictor>> = {};
  const spaceOf = (pfn: string, get: 'nngp' | 'ntk') => {
    const existing = spaces[get];
    if (existing) return existing;
    const name = `kTrainTrain.${get} (+ diagReg)`;
    const spectrum = spectrumOf(pfn, name, addDiagonal(fn, kernels[get]!, opts.diagReg, opts.diagRegAbsoluteScale));
    disposeWhenCollected(predictor, spectrum.session);
    const space = { spectrum, projectedY: spectrum.session.transposeTimes(pfn, y.data, y.cols) };
    spaces[get] = space;
    return space;
  };

  const predictor: EnsemblePredictor = {
    predict(predictOptions) {
      const pfn = `${fn}.predict`;
      const p = checkOptions(pfn, predictOptions, ['t', 'get', 'computeCov', 'kTestTrain', 'kTestTest']);
      const get = enumOption(pfn, 'get', p.get, ['nngp', 'ntk'] as const, 'ntk');
      const computeCov = booleanOption(pfn, 'computeCov', p.computeCov, false);
      const times = timesOption(pfn, p.t);
      if (!kernels[get]) throw new TypeError(`${pfn}: get '${get}' needs kTrainTrain.${get}`);
      if (computeCov && !kernels.nngp) throw new TypeError(`${pfn}: computeCov needs kTrainTrain.nngp`);
      const test = p.kTestTrain === undefined ? undefined : checkOptions(pfn, p.kTestTrain, ['nngp', 'ntk']);
      const testTrain = test && {
        nngp: test.nngp === undefined ? undefined : testTrainKernel(pfn, 'kTestTrain.nngp', test.nngp, n),
        ntk: test.ntk === undefined ? undefined : testTrainKernel(pfn, 'kTestTrain.ntk', test.ntk, n),
      };
      if (testTrain && !testTrain[get]) throw new TypeError(`${pfn}: get '${get}' needs kTestTrain.${get}`);
      const m = testTrain ? testTrain[get]!.rows : n;
      if (testTrain?.nngp && testTrain.ntk && testTrain.nngp.rows !== testTrain.ntk.rows) {
        throw new RangeError(`${pfn}: kTestTrain.nngp is ${shapeOf(testTrain.nngp)} but kTestTrain.ntk is ${shapeOf(testTrain.ntk)}`);
      }
      if (testTrain && computeCov && get === 'ntk' && !testTrain.nngp) throw new TypeError(`${pfn}: the 'ntk' covariance needs kTestTrain.nngp`);
      let testTest: Matrix | undefined;
      if (testTrain && computeCov) {
        const given = p.kTestTest === undefined ? undefined : checkOptions(pfn, p.kTestTest, ['nngp', 'ntk']);
        if (given?.nngp === undefined) throw new TypeError(`${pfn}: computeCov on test points needs kTestTest.nngp`);
        testTest = toMatrix(pfn, 'kTestTest.nngp', given.nngp);
        requireSquare(pfn, 'kTestTest.nngp', testTest);
        if (testTest.rows !== m) throw new RangeError(`${pfn}: kTestTest.nngp is ${shapeOf(testTest)} but kTestTrain has ${m} rows`);
      }

      const at = (t: number): EnsemblePrediction => {
        if (t === Infinity && testTrain) {
          gp[get] ??= gpInference({ nngp: kernels.nngp ?? kernels.ntk!, ntk: kernels.ntk }, y, {
            diagReg: opts.diagReg,
            diagRegAbsoluteScale: opts.diagRegAbsoluteScale,
          });
          return gp[get].predict(get, testTrain as KernelPair, computeCov ? { nngp: testTest! } : undefined);
        }
        const space = spaceOf(pfn, get);
        return testTrain ? onTest(pfn, space, t, testTest) : onTrain(pfn, get, space, t, computeCov);
      };
      // Vᵀ·K_tdᵀ per kernel, shared by every time.
      const projections: Partial<Record<'nngp' | 'ntk', Float64Array>> = {};
      const projected = (space: { spectrum: Spectrum }, kernel: 'nngp' | 'ntk') =>
        (projections[kernel] ??= space.spectrum.session.transposeTimes(pfn, testTrain![kernel]!.transpose().data, m));

      const onTest = (name: string, space: { spectrum: Spectrum; projectedY: Float64Array }, t: number, kTt: Matrix | undefined): EnsemblePrediction => {
        const { values } = space.spectrum;
        const k = y.cols;
        const c = inverseExpm1(values, (learningRate * t) / size);
        const a = projected(space, get); // n × m
        const mean = new Matrix(m, k);
        for (let i = 0; i < n; i++) {
          for (let l = 0; l < m; l++) {
            const weight = a[i * m + l] * c[i];
            for (let o = 0; o < k; o++) mean.data[l * k + o] += weight * space.projectedY[i * k + o];
          }
        }
        if (!kTt) return { mean };
        const scaledA = new Matrix(n, m, scaleRows(a, get === 'nngp' ? inverseExpm1(values, (2 * learningRate * t) / size) : c, m));
        const aMatrix = new Matrix(n, m, a);
        if (get === 'nngp') return { mean, covariance: symmetrize(addScaled(kTt, product(name, aMatrix, scaledA, true), -1)) };
        // 'ntk': Θ_td·Cₜ·K·Cₜ·Θ_tdᵀ with Cₜ·Θ_tdᵀ = V·(c ⊙ A), and Θ_td·Cₜ·K_tdᵀ = (c ⊙ A)ᵀ·(Vᵀ·K_tdᵀ).
        const first = new Matrix(n, m, space.spectrum.session.times(name, scaledA.data, m));
        const middle = product(name, first, product(name, kernels.nngp!, first), true);
        const cross = product(name, scaledA, new Matrix(n, m, projected(space, 'nngp')), true);
        const covariance = new Matrix(m, m);
        for (let r = 0; r < m; r++) {
          for (let s = 0; s < m; s++) covariance.data[r * m + s] = kTt.data[r * m + s] + middle.data[r * m + s] - cross.data[r * m + s] - cross.data[s * m + r];
        }
        return { mean, covariance: symmetrize(covariance) };
      };

      const results = times.map((t) => at(t));
      return (Array.isArray(p.t) ? results : results[0]) as EnsemblePrediction & EnsemblePrediction[];
    },
    dispose() {
      forgetHeld(predictor);
      for (const space of Object.values(spaces)) space.spectrum.session.dispose();
      for (const key of Object.keys(spaces) as ('nngp' | 'ntk')[]) delete spaces[key];
      for (const predictorOfGp of Object.values(gp)) predictorOfGp.dispose();
      for (const key of Object.keys(gp) as ('nngp' | 'ntk')[]) delete gp[key];
    },
  };

  /** On the train points: the mean V·(I − e^{−rΛ})·Vᵀy and the covariance of the regime. */
  function onTrain(
    pfn: string,
    get: 'nngp' | 'ntk',
    space: { spectrum: Spectrum; projectedY: Float64Array; transposed?: Float64Array },
    t: number,
    computeCov: boolean,
  ): EnsemblePrediction {
    const { values, session } = space.spectrum;
    const rate = (learningRate * t) / size;
    const k = y.cols;
    const moved = Float64Array.from(values, (lambda) => -Math.expm1(-decayExponent(lambda, rate)));
    const mean = new Matrix(n, k, session.times(pfn, scaleRows(space.projectedY, moved, k), k));
    if (!computeCov) return { mean };
    space.transposed ??= session.transposeTimes(pfn, identity(n), n);
    if (get === 'nngp') {
      // V·diag(λ₊·e^{−2rλ₊})·Vᵀ: what the readout's variance keeps of the NNGP by time t.
      const weights = Float64Array.from(values, (lambda) => Math.max(lambda, 0) * Math.exp(-decayExponent(lambda, 2 * rate)));
      return { mean, covariance: symmetrize(new Matrix(n, n, session.times(pfn, scaleRows(space.transposed, weights, n), n))) };
    }
    // E·K·E with E = V·e^{−rΛ₊}·Vᵀ, K the NNGP.
    const e = new Matrix(
      n,
      n,
      session.times(
        pfn,
        scaleRows(
          space.transposed,
          Float64Array.from(values, (lambda) => Math.exp(-decayExponent(lambda, rate))),
          n,
        ),
        n,
      ),
    );
    return { mean, covariance: symmetrize(product(pfn, e, product(pfn, kernels.nngp!, e))) };
  }
  return predictor;
}

/** λ₊·rate, where a zero (or negative) eigenvalue never moves, even at rate = ∞. */
const decayExponent = (lambda: number, rate: number) => (lambda > 0 ? lambda * rate : 0);

/** (1 − e^{−rλ₊})/λ, whose limit where λ₊ = 0 is r: the coefficients of Cₜ (neural-tangents' −inv_expm1). */
function inverseExpm1(values: Float64Array, rate: number): Float64Array {
  return Float64Array.from(values, (lambda) => (lambda > 0 ? -Math.expm1(-lambda * rate) / lambda : rate));
}

/** Row i of an (rows × width) array times weights[i]. */
function scaleRows(data: Float64Array, weights: Float64Array, width: number): Float64Array {
  const out = new Float64Array(data.length);
  for (let i = 0; i < weights.length; i++) for (let j = 0; j < width; j++) out[i * width + j] = data[i * width + j] * weights[i];
  return out;
}

function identity(n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) out[i * n + i] = 1;
  return out;
}
