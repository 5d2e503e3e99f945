import { expect, it } from 'vitest';
import { eigh, gpInference } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

const { gpInference: g } = await loadFixture<{
  gpInference: {
    nngpTrainTrain: Rows;
    ntkTrainTrain: Rows;
    nngpTestTrain: Rows;
    ntkTestTrain: Rows;
    nngpTestTest: Rows;
    ntkTestTest: Rows;
    yTrain: Rows;
    diagReg: number;
    posteriors: Record<'nngp' | 'ntk' | 'ntkgp', { mean: Rows; covariance: Rows }>;
  };
}>('kernels');

describeEachBackend('gpInference', () => {
  const gp = gpInference({ nngp: g.nngpTrainTrain, ntk: g.ntkTrainTrain }, g.yTrain, { diagReg: g.diagReg });
  for (const mode of ['nngp', 'ntk', 'ntkgp'] as const) {
    it(`${mode}: mean and covariance match numpy; the covariance is symmetric PSD`, () => {
      const { mean, covariance } = gp.predict(mode, { nngp: g.nngpTestTrain, ntk: g.ntkTestTrain }, { nngp: g.nngpTestTest, ntk: g.ntkTestTest });
      expectClose(mean, g.posteriors[mode].mean, 1e-9, 'mean');
      expectClose(covariance!, g.posteriors[mode].covariance, 1e-9, 'covariance');
      for (let i = 0; i < covariance!.rows; i++) {
        for (let j = 0; j < i; j++) expect(covariance!.get(i, j)).toBe(covariance!.get(j, i));
      }
      expect(eigh(covariance!).values[0]).toBeGreaterThan(-1e-10);
    });
  }

  it('without kTestTest returns the mean only; at a training point the NNGP posterior collapses', () => {
    expect(gp.predict('nngp', { nngp: g.nngpTestTrain }).covariance).toBeUndefined();
    const exact = gpInference(
      {
        nngp: [
          [1, 0.5],
          [0.5, 1],
        ],
      },
      [[2], [3]],
    );
    const { mean, covariance } = exact.predict('nngp', { nngp: [[1, 0.5]] }, { nngp: [[1]] });
    expectClose(mean, [[2]], 1e-14);
    expectClose(covariance!, [[0]], 1e-14);
  });

  it('asks for the kernels a posterior needs and names mismatched shapes', () => {
    const nngpOnly = gpInference({ nngp: g.nngpTrainTrain }, g.yTrain);
    expect(() => nngpOnly.predict('ntk', { nngp: g.nngpTestTrain })).toThrow(/'ntk' needs kTrainTrain.ntk/);
    expect(() => gp.predict('ntk', { nngp: g.nngpTestTrain })).toThrow(/kTestTrain.ntk is required/);
    expect(() => gp.predict('nngp', { nngp: [[1, 2]] })).toThrow(/kTestTrain.nngp is 1x2 but there are 6 training points/);
    expect(() => gp.predict('nngp', { nngp: g.nngpTestTrain }, { nngp: [[1]] })).toThrow(/kTestTest.nngp is 1x1 but there are 3 test points/);
    expect(() => gp.predict('mean' as never, { nngp: g.nngpTestTrain })).toThrow(/get must be one of 'nngp', 'ntk', 'ntkgp'/);
    expect(() =>
      gpInference(
        {
          nngp: [
            [1, 0],
            [0, 1],
          ],
          ntk: [[1]],
        },
        [1, 2],
      ),
    ).toThrow(/nngp is 2x2 but kTrainTrain.ntk is 1x1/);
    expect(() =>
      gpInference(
        {
          nngp: [
            [1, 1],
            [1, 1],
          ],
        },
        [1, 2],
      ),
    ).toThrow(/not positive definite.*diagReg/);
  });
});
