// aggregate (src/ops/aggregate.ts, assembly/ops/aggregate.ts): neural-tangents' Aggregate. Infinite-width kernels against
// an independent mpmath implementation of neural-tangents' rules (test/fixtures/make_graphs.py: the GNTK, edge lists,
// weighted directed graphs, slices of images, nested patterns, extreme weights); finite networks against PyTorch
// autograd with explicit weights (test/fixtures/make_graph_networks.py); the bad inputs it refuses.
import { expect, it } from 'vitest';
import {
  Matrix,
  Network,
  aggregate,
  dense,
  empiricalNtk,
  erf,
  globalSumPool,
  infinite,
  linearize,
  logMarginalLikelihood,
  network,
  relu,
  serial,
  solveSpd,
  trainWithNtkChange,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, expectEntries } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';
import { type KernelCase, type ModelJson, type NetworkValues, buildModel, expectNetworkCase } from '../helpers/models.js';

interface GraphKernelCase extends KernelCase {
  model: ModelJson;
  inputShape: number[];
  patternX: unknown[];
  patternZ: unknown[];
  edgesX?: number[][][];
  edgesZ?: number[][][];
  /** Where float64 itself cannot do better than 1e-12 (make_graphs.py says why). */
  tolerance?: number;
}

interface GraphNetworkCase extends NetworkValues {
  model: ModelJson;
  inputShape: number[];
  weights: { W: unknown; b?: number[] }[];
  edgesX?: number[][][];
}

const kernelCases = (await loadFixture<{ cases: GraphKernelCase[] }>('graphs')).cases;
const networkCases = (await loadFixture<{ cases: GraphNetworkCase[] }>('graph-networks')).cases;

/** The model with every aggregate layer taking edge lists ('SPARSE'). */
const sparse = (model: ModelJson): ModelJson =>
  model[0] === 'aggregate' ? ['aggregate', model[1], 'SPARSE'] : (model.map((part) => (Array.isArray(part) ? sparse(part as ModelJson) : part)) as ModelJson);

// Three graphs of 3 vertices with 2 features: a path, a star into vertex 0, no edges.
const x = [
  [
    [1, 0],
    [0, 1],
    [1, 1],
  ],
  [
    [0.5, 0],
    [0, 2],
    [1, -1],
  ],
  [
    [-1, 0.5],
    [0.3, 0.2],
    [2, 0],
  ],
];
const identity = [
  [1, 0, 0],
  [0, 1, 0],
  [0, 0, 1],
];
const pattern = [
  [
    [1, 1, 0],
    [0, 1, 1],
    [0, 0, 1],
  ],
  [
    [1, 0, 0],
    [1, 1, 0],
    [1, 0, 1],
  ],
  [
    [0, 0, 0],
    [0, 0, 0],
    [0, 0, 0],
  ],
];
const gnn = serial(dense(16), relu(), aggregate(), dense(16), relu(), aggregate(), globalSumPool(), dense(1));

describeEachBackend('aggregate', () => {
  it("infinite width: neural-tangents' rules in numpy (GNTK, weighted directed graphs, slices of images, nested patterns, extreme weights)", () => {
    for (const c of kernelCases) {
      const tol = c.tolerance ?? 1e-12;
      const kernel = infinite(buildModel(c.model), { inputShape: c.inputShape });
      const self = kernel.kernels(c.x, undefined, { pattern: [c.patternX] });
      expectEntries(self.nngp, c.nngp, tol, `${c.name} nngp`);
      expectEntries(self.ntk, c.ntk, tol, `${c.name} ntk`);
      const cross = kernel.kernels(c.x, c.z, { pattern: [c.patternX, c.patternZ] });
      expectEntries(cross.nngp, c.nngp12, tol, `${c.name} nngp(x, z)`);
      expectEntries(cross.ntk, c.ntk12, tol, `${c.name} ntk(x, z)`);
      expectEntries(kernel.ntk(c.x, c.z, { pattern: [c.patternX, c.patternZ] }), c.ntk12, tol, `${c.name} ntk alone`);
      if (c.edgesX === undefined) continue;
      // The same graphs as edge lists: padding [-1, -1] ignored, a repeated edge counted twice.
      const edges = infinite(buildModel(sparse(c.model)), { inputShape: c.inputShape }).kernels(c.x, c.z, { pattern: [c.edgesX, c.edgesZ] });
      expectEntries(edges.ntk, c.ntk12, tol, `${c.name} ntk(x, z) from edge lists`);
    }
  });

  it('finite width: outputs, Jacobians, jvp and every empirical NTK agree with PyTorch autograd (edge lists too)', () => {
    for (const c of networkCases) {
      const net = Network.fromWeights(buildModel(c.model), { inputShape: c.inputShape, weights: c.weights as never });
      expectNetworkCase(net, c, 1e-12, 1e-11);
      if (c.edgesX === undefined) continue;
      const edges = Network.fromWeights(buildModel(sparse(c.model)), { inputShape: c.inputShape, weights: c.weights as never });
      expectEntries(edges.apply(c.x, { pattern: c.edgesX }), c.apply, 1e-12, `${c.name} apply on edge lists`);
    }
  });

  it('patterns come nested, as flat rows of V² or through toDense; none is the identity graph', () => {
    const kernel = infinite(gnn, { inputShape: [3, 2] });
    const nested = kernel.kernels(x, undefined, { pattern: [pattern] });
    const flat = kernel.kernels(x, undefined, { pattern: [new Matrix(3, 9, Float64Array.from(pattern.flat(2)))] });
    expect(Array.from(flat.ntk.data)).toEqual(Array.from(nested.ntk.data));
    // toDense turns the batch's pattern (here edge lists) into adjacencies, as neural-tangents' to_dense.
    const toDense = (lists: unknown) =>
      (lists as number[][][]).map((edges) => {
        const a = identity.map((row) => row.map(() => 0));
        for (const [tail, head] of edges) a[tail][head] = 1;
        return a;
      });
    const viaToDense = serial(dense(16), relu(), aggregate({ toDense }), dense(16), relu(), aggregate({ toDense }), globalSumPool(), dense(1));
    const lists = pattern.map((a) => a.flatMap((row, i) => row.flatMap((w, j) => (w === 0 ? [] : [[i, j]]))));
    expect(Array.from(infinite(viaToDense, { inputShape: [3, 2] }).ntk(x, undefined, { pattern: [lists] }).data)).toEqual(Array.from(nested.ntk.data));
    // No pattern: every graph is its vertices' self-loops, and the model is the one without aggregate layers.
    const plain = infinite(serial(dense(16), relu(), dense(16), relu(), globalSumPool(), dense(1)), { inputShape: [3, 2] }).kernels(x);
    expectClose(kernel.kernels(x).ntk, plain.ntk, 1e-14, 'no pattern');
    expectClose(kernel.kernels(x, undefined, { pattern: [[identity, identity, identity]] }).nngp, plain.nngp, 1e-14, 'identity patterns');
  });

  it('finite width: apply, the Jacobian and every empirical NTK implementation agree with the graphs', () => {
    const net = network(gnn, { inputShape: [3, 2], seed: 4 });
    const outputs = net.apply(x, { pattern });
    // By hand for the graph without edges: every vertex 0 after the first aggregate, so the output is the last bias path.
    const empty = net.apply([x[2]], { pattern: [pattern[2]] });
    expect(empty.get(0, 0)).toBe(outputs.get(2, 0));
    expect(Array.from(net.apply(x, { params: net.params, pattern }).data)).toEqual(Array.from(outputs.data));
    const jacobian = net.jacobian(x, { pattern });
    const gram = new Matrix(
      3,
      3,
      Float64Array.from({ length: 9 }, (_, e) =>
        jacobian.data
          .subarray(Math.floor(e / 3) * net.numParams, (Math.floor(e / 3) + 1) * net.numParams)
          .reduce((sum, v, p) => sum + v * jacobian.get(e % 3, p), 0),
      ),
    );
    for (const implementation of ['structured', 'jacobian', 'ntkVectorProducts'] as const) {
      expectClose(empiricalNtk(net, x, undefined, { pattern: [pattern], implementation }), gram, 1e-12, implementation);
    }
    const v = Array.from({ length: net.numParams }, (_, i) => Math.cos(i));
    const moved = Array.from({ length: 3 }, (_, i) => [v.reduce((sum, vp, p) => sum + vp * jacobian.get(i, p), 0)]);
    expectEntries(net.jvp(x, v, { pattern }), moved, 1e-12, 'jvp');
  });

  it("the kernels' derivatives with respect to the hyperparameters take the graphs (central differences)", () => {
    const model = infinite(
      serial(dense(8, { wStd: 1.3, bStd: 0.2 }), erf({ b: 0.8 }), aggregate(), dense(8, { wStd: 1.1 }), erf(), aggregate(), globalSumPool(), dense(1)),
      { inputShape: [3, 2] },
    );
    const names = ['model.serial[0].wStd', 'model.serial[1].b'];
    const { gradients } = model.kernelGradients(x, x.slice(0, 2), { hyperparameters: names, pattern: [pattern, pattern.slice(0, 2)] });
    for (const name of names) {
      const value = model.hyperparameters()[name];
      const at = (v: number) => model.withHyperparameters({ [name]: v }).kernels(x, x.slice(0, 2), { pattern: [pattern, pattern.slice(0, 2)] });
      const [up, down] = [at(value + 1e-5), at(value - 1e-5)];
      for (const kernel of ['nngp', 'ntk'] as const) {
        const difference = up[kernel].data.map((v, e) => (v - down[kernel].data[e]) / 2e-5);
        expectClose(gradients[name][kernel].data, difference, 1e-7, `∂${kernel}/∂${name}`);
      }
    }
  });

  it('trains with the graphs: one step is θ − η·Jᵀ(f − y)/n', () => {
    const net = network(gnn, { inputShape: [3, 2], seed: 2 });
    const y = [[1], [-1], [0.5]];
    const before = net.clone();
    net.train(x, y, { learningRate: 0.1, steps: 1, pattern });
    const jacobian = before.jacobian(x, { pattern });
    const residual = before.apply(x, { pattern }).data.map((f, i) => f - y[i][0]);
    const expected = before.params.map((p, j) => p - (0.1 / 3) * residual.reduce((sum, r, i) => sum + r * jacobian.get(i, j), 0));
    expectClose(net.params, expected, 1e-12, 'one step');
  });

  it("aggregation axes keep the pattern's order (neural-tangents' aggregate_axis): [2, 1] takes the graph nested [w][h][w][h]", () => {
    const images = [0, 1].map((i) => Array.from({ length: 12 }, (_, e) => Math.sin(1.3 * i + 0.7 * e)));
    // One graph per image over its 2 × 3 positions, nested [h][w][h][w], and the same graph nested [w][h][w][h].
    const byHeight = [0, 1].map((i) =>
      [0, 1].map((h1) => [0, 1, 2].map((w1) => [0, 1].map((h2) => [0, 1, 2].map((w2) => Math.cos(i + h1 + 2 * w1 + 3 * h2 + 5 * w2))))),
    );
    const byWidth = byHeight.map((a) => [0, 1, 2].map((w1) => [0, 1].map((h1) => [0, 1, 2].map((w2) => [0, 1].map((h2) => a[h1][w1][h2][w2])))));
    const model = (aggregationAxes: number[]) => serial(dense(4), relu(), aggregate({ aggregationAxes }), dense(4), relu(), globalSumPool(), dense(1));
    const inOrder = infinite(model([1, 2]), { inputShape: [2, 3, 2] }).kernels(images, undefined, { pattern: [byHeight] });
    const reversed = infinite(model([2, 1]), { inputShape: [2, 3, 2] }).kernels(images, undefined, { pattern: [byWidth] });
    expectClose(reversed.ntk, inOrder.ntk, 1e-13, 'ntk, axes [2, 1]');
    const net = network(model([2, 1]), { inputShape: [2, 3, 2], seed: 1 });
    expectClose(
      net.apply(images, { pattern: byWidth }),
      network(model([1, 2]), { inputShape: [2, 3, 2], seed: 1 }).apply(images, { pattern: byHeight }),
      1e-13,
      'apply',
    );
  });

  it('marginal likelihoods, trainWithNtkChange and linearized models read the graphs', () => {
    const model = infinite(serial(dense(8, { wStd: 1.2, bStd: 0.1 }), erf(), aggregate(), dense(8), erf(), globalSumPool(), dense(1)), { inputShape: [3, 2] });
    const y = [[1], [-0.5], [0.25]];
    // -½·yᵀK⁻¹y − ½·log|K| − (n/2)·log 2π with K = NNGP + noise·I, from the kernels with the same graphs.
    const k = model.nngp(x, undefined, { pattern: [pattern] });
    const noise = 0.3;
    const a = k.toArray().map((row, i) => row.map((v, j) => v + (i === j ? noise : 0)));
    const det =
      a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    const alpha = solveSpd(new Matrix(3, 3, Float64Array.from(a.flat())), y);
    const expected = -0.5 * y.reduce((sum, [v], i) => sum + v * alpha.get(i, 0), 0) - 0.5 * Math.log(det) - 1.5 * Math.log(2 * Math.PI);
    expectClose([logMarginalLikelihood(model, x, y, { noise, pattern }).value], [expected], 1e-12, 'log p(y)');
    const net = network(gnn, { inputShape: [3, 2], seed: 5 });
    const linear = linearize(net);
    expectClose(linear.apply(x, { pattern }), net.apply(x, { pattern }), 1e-14, 'linearized at θ0');
    const before = empiricalNtk(net, x, undefined, { pattern: [pattern] });
    const change = trainWithNtkChange(net, x, y, { learningRate: 0.1, steps: 3, pattern });
    expectClose(change.ntkBefore, before, 1e-14, 'ntkBefore');
    expectClose(change.ntkAfter, empiricalNtk(net, x, undefined, { pattern: [pattern] }), 1e-14, 'ntkAfter');
  });

  it('refuses bad patterns and layouts with a clear error, and keeps working', () => {
    const kernel = infinite(gnn, { inputShape: [3, 2] });
    const net = network(gnn, { inputShape: [3, 2], seed: 1 });
    expect(() => kernel.kernels(x, undefined, { pattern: [pattern.slice(0, 2)] })).toThrow(
      new RangeError('infinite: pattern[0] has 2 adjacencies but the inputs have 3 examples'),
    );
    expect(() =>
      kernel.kernels(x, undefined, {
        pattern: [
          [
            identity,
            identity,
            [
              [1, 0],
              [0, 1],
            ],
          ],
        ],
      }),
    ).toThrow(new RangeError('infinite: pattern[0][2] has shape [2, 2] but an adjacency is [3, 3]'));
    expect(() => net.apply(x, { pattern: new Matrix(3, 4) })).toThrow(
      new RangeError('Network.apply: pattern is 3x4 but 3 examples of 3 vertices need 3 adjacencies of [3, 3] (9 entries each)'),
    );
    expect(() =>
      kernel.kernels(x, undefined, {
        pattern: [
          [
            identity,
            identity,
            [
              [1, 0, 0],
              [0, NaN, 0],
              [0, 0, 1],
            ],
          ],
        ],
      }),
    ).toThrow(TypeError);
    expect(() => kernel.kernels(x, undefined, { pattern: [pattern, pattern] })).toThrow(
      new RangeError('infinite: pattern has graphs for x2 (pattern[1]) but x2 is not given'),
    );
    const plain = infinite(serial(dense(4), relu(), globalSumPool(), dense(1)), { inputShape: [3, 2] });
    expect(() => plain.kernels(x, undefined, { pattern: [pattern] })).toThrow(
      new RangeError('infinite: pattern is given but the model has no aggregate layer to read it'),
    );
    const edges = infinite(serial(dense(4), relu(), aggregate({ implementation: 'SPARSE' }), globalSumPool(), dense(1)), { inputShape: [3, 2] });
    expect(() => edges.ntk([x[0]], undefined, { pattern: [[[[0, 3]]]] })).toThrow(
      new RangeError('infinite: pattern[0][0][0] = [0,3] has a vertex index beyond 2, the last along aggregated axis 0'),
    );
    expect(() => edges.ntk([x[0]], undefined, { pattern: [[[[0, 1.5]]]] })).toThrow(
      new TypeError('infinite: pattern[0][0][0] head is 1.5; vertex indices are integers'),
    );
    expect(() => infinite(serial(aggregate({ aggregationAxes: 2 }), dense(1)), { inputShape: [3, 2] })).toThrow(
      new RangeError('infinite: model.serial[0] (aggregate) aggregates over axis 2, the channel axis: only spatial axes (1 to 1) hold vertices'),
    );
    expect(() => aggregate({ batchAxis: 1 })).toThrow(new RangeError('aggregate: batchAxis is 1 but inputs here are batch first: it must be 0'));
    expect(() => aggregate({ implementation: 'SPARSE', toDense: (p) => p })).toThrow(TypeError);
    expect(() => infinite(serial(aggregate({ channelAxis: 1 }), dense(1)), { inputShape: [3, 2] })).toThrow(RangeError);
    expect(() =>
      network(serial(aggregate({ aggregationAxes: [1] }), dense(2), aggregate({ aggregationAxes: [2] }), globalSumPool(), dense(1)), { inputShape: [3, 4, 2] }),
    ).toThrow(/every aggregate layer reads the same pattern/);
    // After every refusal the same calls work.
    expectClose(kernel.kernels(x, undefined, { pattern: [pattern] }).ntk, kernel.kernels(x, undefined, { pattern: [pattern] }).ntk, 0, 'still works');
    expect(Number.isFinite(net.apply(x, { pattern }).get(0, 0))).toBe(true);
  });
});
