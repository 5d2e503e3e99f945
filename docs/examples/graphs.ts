// Graph classification with the graph neural tangent kernel (Du et al. 2019): graphs of 12 to 20 vertices, grown by
// preferential attachment (a few hubs) or random with as many edges. Every vertex carries the same feature, so only the
// edges tell the classes apart; the vertices come in a random order, padded to 20. Kernel regression on ±1 labels with the NTK of an infinitely wide ReLU MLP on
// the vertices' features and the GNTK of a graph network of 1 and 2 blocks (dense → relu → aggregate, read out by a sum
// over the vertices, which no order of the vertices changes). No npm package ships a small graph benchmark, so the
// graphs are generated here, seeded.
import { Random, aggregate, dense, flatten, globalSumPool, infinite, relu, serial, solveSpd, type Layer, type Matrix } from 'ntk-wasm';
import { savePlot } from './output.js';

const vertices = 20;
const trainSizes = [25, 50, 100, 200];
const testSize = 200;

/**
 * A graph of 12 to 20 vertices (the rest without edges, in a random order of the vertices) as its adjacency with
 * self-loops, its vertices' one-hot degrees, and its label: +1 grown by preferential attachment (each new vertex joined
 * to 2 others chosen with probability ∝ degree: hubs), −1 a random graph with as many edges.
 */
function graph(random: Random): { features: number[][]; adjacency: number[][]; label: number } {
  const size = 12 + Math.floor(random.uniform() * (vertices - 11));
  const attached = random.uniform() < 0.5;
  const edges: [number, number][] = [
    [0, 1],
    [1, 2],
    [0, 2],
  ];
  const degree = [2, 2, 2, ...new Array<number>(size - 3).fill(0)];
  const has = (a: number, b: number) => edges.some(([u, v]) => (u === a && v === b) || (u === b && v === a));
  for (let v = 3; v < size; v++) {
    for (let added = 0; added < 2; ) {
      // Preferential attachment: u with probability ∝ its degree; the random graph: any earlier vertex pair.
      const total = degree.slice(0, v).reduce((s, d) => s + d, 0);
      let pick = random.uniform() * total;
      let u = 0;
      while (pick >= degree[u]) pick -= degree[u++];
      const [a, b] = attached ? [u, v] : [Math.floor(random.uniform() * size), Math.floor(random.uniform() * size)];
      if (a === b || has(a, b)) continue;
      edges.push([a, b]);
      [degree[a], degree[b]] = [degree[a] + 1, degree[b] + 1];
      added++;
    }
  }
  const order = Array.from({ length: vertices }, (_, i) => i).sort(() => random.uniform() - 0.5).filter((i) => i < size);
  const adjacency = Array.from({ length: vertices }, () => new Array<number>(vertices).fill(0));
  for (let v = 0; v < size; v++) adjacency[order[v]][order[v]] = 1;
  for (const [a, b] of edges) adjacency[order[a]][order[b]] = adjacency[order[b]][order[a]] = 1;
  // Every vertex the same feature, 1 (padding 0): only the edges tell the classes apart.
  const features = adjacency.map((row) => [row.some((w) => w !== 0) ? 1 : 0]);
  return { features, adjacency, label: attached ? 1 : -1 };
}

const draw = (count: number, seed: number) => {
  const random = new Random(seed);
  return Array.from({ length: count }, () => graph(random));
};

// A bias, so that vertices of one feature are not all perfectly correlated (the GP of one input channel is rank one).
const block = () => [dense(1, { bStd: 0.5 }), relu(), aggregate()];
const methods: { name: string; model: Layer }[] = [
  { name: 'MLP NTK (2 hidden relu layers)', model: serial(flatten(), dense(1, { bStd: 0.5 }), relu(), dense(1, { bStd: 0.5 }), relu(), dense(1)) },
  { name: 'GNTK, 1 block', model: serial(...block(), globalSumPool(), dense(1)) },
  { name: 'GNTK, 2 blocks', model: serial(...block(), ...block(), globalSumPool(), dense(1)) },
];

/**
 * Kernel regression on the normalized kernel K(a, b)/√(K(a, a)·K(b, b)) (as Du et al. normalize the GNTK: a sum over
 * the vertices grows with the graph's size, which says nothing of its class): (K_test,train)·(K_train + 1e-3·I)⁻¹·y, its sign.
 */
function predict(kTrain: Matrix, kTest: Matrix, testDiagonal: number[], y: number[]): number[] {
  const n = y.length;
  const trainDiagonal = Array.from({ length: n }, (_, i) => kTrain.get(i, i));
  kTrain.data.forEach((v, e) => (kTrain.data[e] = v / Math.sqrt(trainDiagonal[Math.floor(e / n)] * trainDiagonal[e % n])));
  kTest.data.forEach((v, e) => (kTest.data[e] = v / Math.sqrt(testDiagonal[Math.floor(e / n)] * trainDiagonal[e % n])));
  for (let i = 0; i < n; i++) kTrain.data[i * n + i] += 1e-3;
  const alpha = solveSpd(kTrain, y.map((v) => [v]));
  return Array.from({ length: kTest.rows }, (_, i) => Math.sign(y.reduce((s, _, j) => s + kTest.get(i, j) * alpha.get(j, 0), 0)));
}

const test = draw(testSize, 2);
console.log(`${testSize} test graphs of 12 to ${vertices} vertices; normalized kernels, ridge 1e-3`);
const series = [];
for (const method of methods) {
  const kernel = infinite(method.model, { inputShape: [vertices, 1] });
  const accuracies: number[] = [];
  for (const size of trainSizes) {
    const train = draw(size, 1);
    const started = performance.now();
    const [xTrain, xTest] = [train.map((g) => g.features), test.map((g) => g.features)];
    // The MLP reads the features alone; the graph networks take each example's adjacency as its pattern.
    const graphs = method.model.kind === 'serial' && method.model.layers.some((layer) => layer.kind === 'aggregate');
    const [pTrain, pTest] = [train.map((g) => g.adjacency), test.map((g) => g.adjacency)];
    const kTrain = kernel.ntk(xTrain, undefined, graphs ? { pattern: [pTrain] } : {});
    const kTest = kernel.ntk(xTest, xTrain, graphs ? { pattern: [pTest, pTrain] } : {});
    // Each test graph's kernel with itself (one at a time: the diagonal only).
    const testDiagonal = test.map((g) => kernel.ntk([g.features], undefined, graphs ? { pattern: [[g.adjacency]] } : {}).get(0, 0));
    const predictions = predict(kTrain, kTest, testDiagonal, train.map((g) => g.label));
    const accuracy = test.filter((g, i) => predictions[i] === g.label).length / testSize;
    accuracies.push(accuracy);
    const seconds = (performance.now() - started) / 1000;
    console.log(`${method.name.padEnd(32)} n = ${String(size).padStart(3)}: test accuracy ${(100 * accuracy).toFixed(1)}%  (${seconds.toFixed(1)} s)`);
  }
  series.push({ label: method.name, x: trainSizes, y: accuracies.map((a) => 100 * a), markers: true });
}
await savePlot('graphs', {
  title: `Preferential attachment or a random graph: test accuracy on ${testSize} graphs`,
  xLabel: 'training graphs',
  yLabel: 'test accuracy (%)',
  logX: true,
  series,
});
