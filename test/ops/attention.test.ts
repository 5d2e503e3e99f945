// globalSelfAttention (src/ops/attention.ts, assembly/ops/attend.ts): neural-tangents' GlobalSelfAttention with linear
// scaling. Infinite-width kernels against its kernel_fn re-implemented in 40-digit mpmath (test/fixtures/make_attention.py:
// every mechanism, two blocks, 2-D inputs, a saturated softmax, tiny inputs); finite networks against PyTorch autograd
// with neural-tangents' weights (test/fixtures/make_attention_networks.py); the options it refuses.
import { expect, it } from 'vitest';
import { Network, dense, globalAvgPool, globalSelfAttention, infinite, network, relu, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';
import { type KernelCase, type ModelJson, type NetworkValues, buildModel, expectKernelCase, expectNetworkCase } from '../helpers/models.js';

interface AttentionKernelCase extends KernelCase {
  model: ModelJson;
  inputShape: number[];
  /** Where float64 itself cannot do better than 1e-12 (make_attention.py says why). */
  tolerance?: number;
}
interface AttentionNetworkCase extends NetworkValues {
  model: ModelJson;
  inputShape: number[];
  weights: ({ key: number[][][]; value: number[][][]; out: number[][]; b?: number[] } | { W: number[][]; b?: number[] })[];
}

const kernelCases = (await loadFixture<{ cases: AttentionKernelCase[] }>('attention')).cases;
const networkCases = (await loadFixture<{ cases: AttentionNetworkCase[] }>('attention-networks')).cases;

/**
 * neural-tangents' parameters in θ's order: an attention layer's key and value [h][c][k] are here the columns h·k of an
 * in × (heads·k) matrix. The Jacobian's columns of the fixture, moved to θ's order.
 */
function inThetaOrder(c: AttentionNetworkCase): Rows {
  const order: number[] = [];
  let offset = 0;
  for (const entry of c.weights) {
    const blocks: number[][] = [];
    if ('key' in entry) {
      for (const tensor of [entry.key, entry.value]) {
        const [heads, inputs, perHead] = [tensor.length, tensor[0].length, tensor[0][0].length];
        // θ entry (c, h·k + j) is neural-tangents' (h, c, j).
        blocks.push(
          Array.from({ length: heads * inputs * perHead }, (_, e) => {
            const [c2, column] = [Math.floor(e / (heads * perHead)), e % (heads * perHead)];
            return (Math.floor(column / perHead) * inputs + c2) * perHead + (column % perHead);
          }),
        );
      }
      blocks.push(Array.from({ length: entry.out.length * entry.out[0].length }, (_, e) => e));
    } else blocks.push(Array.from({ length: entry.W.length * entry.W[0].length }, (_, e) => e));
    if (entry.b !== undefined) blocks.push(Array.from({ length: entry.b.length }, (_, e) => e));
    for (const block of blocks) {
      order.push(...block.map((e) => offset + e));
      offset += block.length;
    }
  }
  return c.jacobian.map((row) => order.map((from) => row[from]));
}

describeEachBackend('globalSelfAttention', () => {
  it("infinite width: neural-tangents' kernel_fn in mpmath (every mechanism, two blocks, 2-D inputs, saturated softmax, tiny inputs)", () => {
    for (const c of kernelCases) {
      expectKernelCase(infinite(buildModel(c.model), { inputShape: c.inputShape }), c, c.tolerance ?? 1e-12);
    }
  });

  it("finite width: outputs, Jacobians, jvp and every empirical NTK agree with PyTorch autograd on neural-tangents' weights", () => {
    for (const c of networkCases) {
      const net = Network.fromWeights(buildModel(c.model), { inputShape: c.inputShape, weights: c.weights as never });
      expectNetworkCase(net, { ...c, jacobian: inThetaOrder(c) }, 1e-12, 1e-11, 'normwise');
    }
  });

  it('trains: the loss falls, and the kernels have no hyperparameter derivatives (a clear error)', () => {
    const model = serial(globalSelfAttention(8, 8, 8, 2, { bStd: 0.1 }), relu(), globalAvgPool(), dense(1));
    const net = network(model, { inputShape: [4, 3], seed: 3 });
    const x = Array.from({ length: 6 }, (_, i) => Array.from({ length: 12 }, (_, p) => Math.sin(i + 0.7 * p)));
    const { loss } = net.train(x, [1, -1, 0.5, 0, 1, -0.5], { learningRate: 0.5, steps: 30 });
    expect(loss[30]).toBeLessThan(loss[0]);
    expect(() => infinite(model, { inputShape: [4, 3] }).kernelGradients(x)).toThrow(
      new RangeError(
        "kernelGradients: the model's attend layer has no hyperparameter derivatives (globalSelfAttention's weights come from each input's own covariance)",
      ),
    );
  });

  it('refuses what it does not build and bad shapes, with a clear error', () => {
    expect(() => globalSelfAttention(4, 4, 4, 2, { linearScaling: false })).toThrow(RangeError);
    expect(() => globalSelfAttention(4, 4, 4, 2, { posEmbType: 'SUM' as never })).toThrow(
      new RangeError('globalSelfAttention: posEmbType "SUM": positional embeddings are not built; only \'NONE\''),
    );
    expect(() => globalSelfAttention(4, 4, 4, 0)).toThrow(new RangeError('globalSelfAttention: nHeads must be ≥ 1, got 0'));
    expect(() => globalSelfAttention(4, 4, 4, 2, { attentionMechanism: 'TANH' as never })).toThrow(TypeError);
    expect(() => infinite(serial(globalSelfAttention(4, 4, 4, 2), dense(1)), { inputShape: [3] })).toThrow(
      new RangeError('infinite: model.serial[0] (globalSelfAttention) attends over positions but its input [3] has none'),
    );
    const model = serial(globalSelfAttention(2, 2, 2, 2), globalAvgPool(), dense(1));
    expect(() =>
      Network.fromWeights(model, {
        inputShape: [3, 2],
        weights: [{ key: [[[1, 2]]], value: [], out: [] }, { W: [[1], [1]] }] as never,
      }),
    ).toThrow(new RangeError('Network.fromWeights: weights[0].key is 1x1x2 but globalSelfAttention layer 0 needs 2x2x2'));
    // Errors name the entries and fields as given, after an attention layer's entry too.
    const weights = (over: Record<string, unknown>, dense: Record<string, unknown>) => [
      {
        key: [
          [
            [1, 0],
            [0, 1],
          ],
          [
            [1, 1],
            [0, 1],
          ],
        ],
        value: [
          [
            [1, 0],
            [0, 1],
          ],
          [
            [1, 1],
            [0, 1],
          ],
        ],
        out: [
          [1, 0],
          [0, 1],
          [1, 1],
          [0, 0],
        ],
        ...over,
      },
      { W: [[1], [1]], b: [0], ...dense },
    ];
    const withBias = serial(globalSelfAttention(2, 2, 2, 2), globalAvgPool(), dense(1));
    expect(() => Network.fromWeights(withBias, { inputShape: [3, 2], weights: weights({ out: [[1, 0]] }, {}) as never })).toThrow(
      new RangeError('Network.fromWeights: weights[0].out is 1x2 but globalSelfAttention layer 0 needs 4x2'),
    );
    expect(() => Network.fromWeights(withBias, { inputShape: [3, 2], weights: weights({}, { W: [[1], [1], [1]] }) as never })).toThrow(
      new RangeError('Network.fromWeights: weights[1].W is 3x1 but dense layer 1 needs 2x1'),
    );
    expect(() => Network.fromWeights(withBias, { inputShape: [3, 2], weights: weights({ b: [0, 0] }, {}) as never })).toThrow(
      new RangeError('Network.fromWeights: weights[0] has b but globalSelfAttention layer 0 has no bias (bStd null)'),
    );
    expect(() => globalSelfAttention(2, 2, 2, 2, { wQueryStd: 1e200, wKeyStd: 1e200 })).toThrow(RangeError);
  });
});
