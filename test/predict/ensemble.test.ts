// gradientDescentMseEnsemble against neural-tangents' predict.gradient_descent_mse_ensemble re-implemented in numpy
// (test/fixtures/make_ensemble.py): means and covariances, 'nngp' and 'ntk', on test and train points, at four times
// from one eigendecomposition, and t = ∞ as gp_inference; then its agreement with gradientDescentMse and the checks.
import { expect, it } from 'vitest';
import { type EnsemblePrediction, Matrix, gpInference, gradientDescentMse, gradientDescentMseEnsemble } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

interface EnsembleCase {
  get: 'nngp' | 'ntk';
  test: boolean;
  computeCov: boolean;
  times: (number | 'Infinity')[];
  predictions: { mean: number[][]; covariance?: number[][] }[];
}
const fixture = await loadFixture<{
  nngp: number[][];
  ntk: number[][];
  n: number;
  y: number[][];
  learningRate: number;
  diagReg: number;
  cases: EnsembleCase[];
}>('ensemble');
const { n } = fixture;
const block = (k: number[][], rows: [number, number], cols: [number, number]) => k.slice(...rows).map((row) => row.slice(...cols));
const total = fixture.nngp.length;
const kTrainTrain = { nngp: block(fixture.nngp, [0, n], [0, n]), ntk: block(fixture.ntk, [0, n], [0, n]) };
const kTestTrain = { nngp: block(fixture.nngp, [n, total], [0, n]), ntk: block(fixture.ntk, [n, total], [0, n]) };
const kTestTest = { nngp: block(fixture.nngp, [n, total], [n, total]) };

describeEachBackend('gradientDescentMseEnsemble', () => {
  it("matches neural-tangents' gradient_descent_mse_ensemble: means and covariances, nngp and ntk, test and train points, 4 times and ∞", () => {
    expect(fixture.cases.length).toBe(10);
    const ensemble = gradientDescentMseEnsemble(kTrainTrain, fixture.y, { learningRate: fixture.learningRate, diagReg: fixture.diagReg });
    for (const c of fixture.cases) {
      const times = c.times.map((t) => (t === 'Infinity' ? Infinity : t));
      const results = ensemble.predict({
        t: times,
        get: c.get,
        computeCov: c.computeCov,
        ...(c.test ? { kTestTrain, kTestTest } : {}),
      }) as EnsemblePrediction[];
      expect(results.length).toBe(times.length);
      results.forEach((result, i) => {
        const label = `${c.get} ${c.test ? 'test' : 'train'} t=${times[i]}`;
        expectClose(result.mean, c.predictions[i].mean, 1e-10, `${label} mean`);
        // Covariances are differences of larger terms (the prior minus what training explains): normwise.
        if (c.computeCov) expectClose(result.covariance!, c.predictions[i].covariance!, 1e-10, `${label} covariance`, 'normwise');
        else expect(result.covariance).toBeUndefined();
      });
    }
    ensemble.dispose();
  });

  it('agrees with gradientDescentMse from zero outputs, with gpInference at t = ∞, and approaches it as t grows', () => {
    const ensemble = gradientDescentMseEnsemble(kTrainTrain, fixture.y, { learningRate: 0.5 });
    const single = gradientDescentMse(kTrainTrain.ntk, fixture.y, { learningRate: 0.5 });
    const at = ensemble.predict({ t: 3, kTestTrain }) as EnsemblePrediction;
    expectClose(at.mean, single.predict({ t: 3, kTestTrain: kTestTrain.ntk }).test!, 1e-12, 'mean vs gradientDescentMse');
    const limit = ensemble.predict({ t: Infinity, computeCov: true, kTestTrain, kTestTest }) as EnsemblePrediction;
    const gp = gpInference(kTrainTrain, fixture.y).predict('ntk', kTestTrain, kTestTest);
    expectClose(limit.mean, gp.mean, 1e-14, 'mean at ∞');
    expectClose(limit.covariance!, gp.covariance!, 1e-14, 'covariance at ∞');
    const late = ensemble.predict({ t: 1e9, computeCov: true, kTestTrain, kTestTest }) as EnsemblePrediction;
    expectClose(late.mean, gp.mean, 1e-7, 'mean at t = 1e9');
    expectClose(late.covariance!, gp.covariance!, 1e-7, 'covariance at t = 1e9', 'normwise');
    // On the train points at t = 0 the ensemble is its prior: mean 0, covariance the NNGP.
    const prior = ensemble.predict({ t: 0, computeCov: true }) as EnsemblePrediction;
    expect(Array.from(prior.mean.data, Math.abs).every((v) => v <= 1e-15)).toBe(true);
    expectClose(prior.covariance!, kTrainTrain.nngp, 1e-12, 'covariance at t = 0', 'normwise');
    ensemble.dispose();
    single.dispose();
  });

  it('checks its arguments, naming them, before any work', () => {
    const ensemble = gradientDescentMseEnsemble({ ntk: kTrainTrain.ntk }, fixture.y);
    expect(() => ensemble.predict({ get: 'nngp' })).toThrow(new TypeError("gradientDescentMseEnsemble.predict: get 'nngp' needs kTrainTrain.nngp"));
    expect(() => ensemble.predict({ computeCov: true })).toThrow(new TypeError('gradientDescentMseEnsemble.predict: computeCov needs kTrainTrain.nngp'));
    expect(() => ensemble.predict({ t: -1 })).toThrow(new RangeError('gradientDescentMseEnsemble.predict: t must be ≥ 0, got -1'));
    expect(() => ensemble.predict({ t: [1, NaN] })).toThrow(new TypeError('gradientDescentMseEnsemble.predict: t[1] must be a number, got NaN'));
    expect(() => ensemble.predict({ t: [] })).toThrow(new RangeError('gradientDescentMseEnsemble.predict: t is an empty array; give at least one time'));
    expect(() => ensemble.predict({ kTestTrain: { nngp: kTestTrain.nngp } })).toThrow(
      new TypeError("gradientDescentMseEnsemble.predict: get 'ntk' needs kTestTrain.ntk"),
    );
    expect(() => ensemble.predict({ kTestTrain: { ntk: [[1, 2]] } })).toThrow(/kTestTrain.ntk is 1x2 but the train kernel is 12x12|kTestTrain.ntk/);
    expect(() => ensemble.predict({ when: 1 } as never)).toThrow(/unknown option 'when'/);
    const full = gradientDescentMseEnsemble(kTrainTrain, fixture.y);
    expect(() => full.predict({ computeCov: true, kTestTrain })).toThrow(
      new TypeError('gradientDescentMseEnsemble.predict: computeCov on test points needs kTestTest.nngp'),
    );
    expect(() => full.predict({ computeCov: true, kTestTrain: { ntk: kTestTrain.ntk }, kTestTest })).toThrow(
      new TypeError("gradientDescentMseEnsemble.predict: the 'ntk' covariance needs kTestTrain.nngp"),
    );
    expect(() => gradientDescentMseEnsemble({}, [1])).toThrow(new TypeError('gradientDescentMseEnsemble: kTrainTrain needs nngp, ntk or both'));
    expect(() =>
      gradientDescentMseEnsemble(
        {
          nngp: [
            [1, 0],
            [0, 1],
          ],
          ntk: [[1]],
        },
        [1, 2],
      ),
    ).toThrow(new RangeError('gradientDescentMseEnsemble: kTrainTrain.nngp is 2x2 but kTrainTrain.ntk is 1x1'));
    expect(() =>
      gradientDescentMseEnsemble(
        {
          ntk: [
            [1, 0],
            [0, 1],
          ],
        },
        [1, 2],
        { learningRate: 0 },
      ),
    ).toThrow(new RangeError('gradientDescentMseEnsemble: learningRate must be > 0, got 0'));
    expect((full.predict({ t: 1 }) as EnsemblePrediction).mean).toBeInstanceOf(Matrix);
    ensemble.dispose();
    full.dispose();
  });
});
