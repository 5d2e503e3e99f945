// 3-D convolutions on small volumes: 5×5×5 grids holding, at a random place and with noise, either a 2×2×2 cube or a
// 1×2×4 slab in one of its six orientations (8 voxels each, so their sums agree and only the shape tells them apart).
// Kernel regression on ±1 labels with three kernels: the NTK of an infinitely wide ReLU MLP on the 125 voxels, and the
// convolutional NTK of a 3-D CNN (two 3×3×3 convolutions and relu) read out by flatten, or by globalAvgPool, which
// makes the kernel see the same shape anywhere in the volume: the one that generalizes from the fewest examples.
// With globalAvgPool every pair of volumes needs the covariance of every pair of the 125 positions (15,625 entries
// per layer), with flatten only the 125 same-position ones.
import { KernelRidge, type Kernel, Random, conv, dense, flatten, globalAvgPool, infinite, infiniteMlp, relu, serial } from 'ntk-wasm';
import { savePlot } from './output.js';

const side = 5;
const trainSizes = [25, 50, 100, 200];
const testSize = 200;

/** A volume (side³ voxels, row-major over depth, height, width) and its label: +1 a 2×2×2 cube, −1 a 1×2×4 slab. */
function volume(random: Random): { voxels: number[]; label: number } {
  const cube = random.uniform() < 0.5;
  // The slab's three extents in a random order of the axes.
  const extents = cube ? [2, 2, 2] : [1, 2, 4].sort(() => random.uniform() - 0.5);
  const corner = extents.map((extent) => Math.floor(random.uniform() * (side - extent + 1)));
  const voxels = Array.from({ length: side ** 3 }, () => 0.3 * random.normal());
  for (let d = 0; d < extents[0]; d++) {
    for (let h = 0; h < extents[1]; h++) {
      for (let w = 0; w < extents[2]; w++) voxels[((corner[0] + d) * side + corner[1] + h) * side + corner[2] + w] += 1;
    }
  }
  return { voxels, label: cube ? 1 : -1 };
}

const draw = (count: number, seed: number) => {
  const random = new Random(seed);
  return Array.from({ length: count }, () => volume(random));
};

const cnn = (readout: ReturnType<typeof flatten> | ReturnType<typeof globalAvgPool>) =>
  serial(conv(1, [3, 3, 3], { padding: 'SAME' }), relu(), conv(1, [3, 3, 3], { padding: 'SAME' }), relu(), readout, dense(1));
const inputShape = [side, side, side, 1];
const methods: { name: string; kernel: Kernel }[] = [
  { name: 'MLP NTK (2 hidden relu layers)', kernel: infiniteMlp({ depth: 2, activation: 'relu', wStd: Math.SQRT2 }).ntk },
  { name: 'CNTK 3-D, flatten', kernel: infinite(cnn(flatten()), { inputShape }).ntk },
  { name: 'CNTK 3-D, globalAvgPool', kernel: infinite(cnn(globalAvgPool()), { inputShape }).ntk },
];

const test = draw(testSize, 2);
console.log(`${testSize} test volumes (${side}×${side}×${side}); ridge 1e-3 × the mean diagonal of each training kernel`);
const series = [];
for (const method of methods) {
  const accuracies: number[] = [];
  for (const size of trainSizes) {
    const train = draw(size, 1);
    const started = performance.now();
    const x = train.map((v) => v.voxels);
    const scale = x.slice(0, 10).reduce((sum, row) => sum + method.kernel([row]).get(0, 0), 0) / 10;
    const model = new KernelRidge(method.kernel, { ridge: 1e-3 * scale }).fit(
      x,
      train.map((v) => [v.label]),
    );
    const predictions = model.predict(test.map((v) => v.voxels));
    const accuracy = test.filter((v, i) => Math.sign(predictions.get(i, 0)) === v.label).length / testSize;
    const seconds = (performance.now() - started) / 1000;
    accuracies.push(accuracy);
    console.log(`${method.name.padEnd(32)} n = ${String(size).padStart(3)}: test accuracy ${(100 * accuracy).toFixed(1)}%  (${seconds.toFixed(1)} s)`);
  }
  series.push({ label: method.name, x: trainSizes, y: accuracies.map((a) => 100 * a), markers: true });
}
await savePlot('volumes', {
  title: `Cubes or slabs in ${side}×${side}×${side} volumes: test accuracy on ${testSize} volumes`,
  xLabel: 'training volumes',
  yLabel: 'test accuracy (%)',
  logX: true,
  series,
});
