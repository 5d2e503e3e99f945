// The Auto MPG data (the `cars` table shipped by the vega-datasets npm package), as the examples use it: engine size,
// horsepower, weight, acceleration and model year of the 392 cars with every field, a seeded 80/20 split, the features
// standardized with the training cars' statistics, and miles per gallon as the target.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Matrix, Random } from 'ntk-wasm';

interface Car { Miles_per_Gallon: number | null; Displacement: number; Horsepower: number | null; Weight_in_lbs: number; Acceleration: number; Year: string }

export function autoMpg(): { xTrain: Matrix; xTest: Matrix; yTrain: number[]; yTest: number[] } {
  // The package exports only its loader; the data files sit beside it.
  const path = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '../data/cars.json');
  const cars = (JSON.parse(readFileSync(path, 'utf8')) as Car[]).filter((c) => c.Miles_per_Gallon !== null && c.Horsepower !== null);
  const features = cars.map((c) => [c.Displacement, c.Horsepower!, c.Weight_in_lbs, c.Acceleration, Number(c.Year.slice(0, 4))]);
  const random = new Random(2026);
  const order = cars.map((_, i) => ({ i, key: random.uniform() })).sort((a, b) => a.key - b.key).map((o) => o.i);
  const cut = Math.round(0.8 * order.length);
  const [trainIdx, testIdx] = [order.slice(0, cut), order.slice(cut)];
  const columns = features[0].length;
  const mean = Array.from({ length: columns }, (_, j) => trainIdx.reduce((s, i) => s + features[i][j], 0) / trainIdx.length);
  const sd = Array.from({ length: columns }, (_, j) => Math.sqrt(trainIdx.reduce((s, i) => s + (features[i][j] - mean[j]) ** 2, 0) / trainIdx.length));
  const standardize = (idx: number[]) => Matrix.from(idx.map((i) => features[i].map((v, j) => (v - mean[j]) / sd[j])));
  return {
    xTrain: standardize(trainIdx),
    xTest: standardize(testIdx),
    yTrain: trainIdx.map((i) => cars[i].Miles_per_Gallon!),
    yTest: testIdx.map((i) => cars[i].Miles_per_Gallon!),
  };
}
