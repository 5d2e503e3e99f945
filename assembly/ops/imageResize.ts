// Resizing the spatial axes (imageResize) as a position map (assembly/ops/positionMap.ts), each axis's matrix built as
// JAX's jax.image.resize builds it; the TypeScript twin is src/ops/imageResize.ts (resizeMatrix, resizeMap).
import { scratch } from "../heap";
import { IMAGE_RESIZE_ANTIALIAS, IMAGE_RESIZE_NEAREST } from "../generated/layout";
import { attribute, spatialSizeOf } from "../net/program";
import { mapOpBackward, mapOpForward, mapOpPair, mapOpPairTangent, mapOpPrepare, mapSourceAt, mapWeightAt, newMap } from "./positionMap";
import { Net, Pair, tangentRows } from "./unit";

/** 1000 float32 epsilons: JAX's floor for a row's weight sum. */
const FLOAT32_FLOOR: f64 = 1000.0 * 1.1920928955078125e-7;

/**
 * One axis's matrix (outSize × inSize) into scratch, as resizeMatrix: 'nearest' takes input ⌊(o + ½)·in/out⌋; 'linear'
 * the normalized triangle at |s − i|/w, s = (o + ½)·in/out − ½, w = max(in/out, 1) when antialiased.
 */
function resizeMatrix(inSize: i32, outSize: i32, nearest: bool, antialias: bool): usize {
  const matrix = scratch((<usize>(outSize * inSize)) << 3);
  memory.fill(matrix, 0, (<usize>(outSize * inSize)) << 3);
  const inverseScale = <f64>inSize / <f64>outSize;
  for (let o = 0; o < outSize; o++) {
    const row = matrix + ((<usize>(o * inSize)) << 3);
    if (nearest) {
      store<f64>(row + ((<usize>(<i32>Math.floor(((<f64>o + 0.5) * <f64>inSize) / <f64>outSize))) << 3), 1.0);
      continue;
    }
    const sample = (<f64>o + 0.5) * inverseScale - 0.5;
    if (sample < -0.5 || sample > <f64>inSize - 0.5) continue;
    const width = antialias ? Math.max(inverseScale, 1.0) : 1.0;
    let total = 0.0;
    for (let i = 0; i < inSize; i++) {
      const weight = Math.max(0.0, 1.0 - Math.abs(sample - <f64>i) / width);
      store<f64>(row + ((<usize>i) << 3), weight);
      total += weight;
    }
    for (let i = 0; i < inSize; i++) {
      const at = row + ((<usize>i) << 3);
      store<f64>(at, Math.abs(total) > FLOAT32_FLOOR ? load<f64>(at) / total : 0.0);
    }
  }
  return matrix;
}

/** The most nonzero entries of any row of a matrix (at least 1): an axis's taps. */
function supportOf(matrix: usize, inSize: i32, outSize: i32): i32 {
  let most = 1;
  for (let o = 0; o < outSize; o++) {
    let count = 0;
    for (let i = 0; i < inSize; i++) if (load<f64>(matrix + ((<usize>(o * inSize + i)) << 3)) != 0.0) count++;
    most = max(most, count);
  }
  return most;
}

/** Row o's k-th nonzero entry: its input index (−1 past the last), and its weight in `nonzeroWeight`. */
let nonzeroWeight: f64 = 0.0;
function nonzeroAt(matrix: usize, inSize: i32, o: i32, k: i32): i32 {
  let seen = 0;
  for (let i = 0; i < inSize; i++) {
    const weight = load<f64>(matrix + ((<usize>(o * inSize + i)) << 3));
    if (weight == 0.0) continue;
    if (seen++ == k) {
      nonzeroWeight = weight;
      return i;
    }
  }
  return -1;
}

/** The map R₀ ⊗ R₁ ⊗ R₂ of instruction t: each output position reads, tap by tap, the products of its axes' nonzero inputs. */
function resizeMap(attributes: usize, t: i32, shapes: usize, a: i32, out: i32): usize {
  const nearest = attribute(attributes, t, IMAGE_RESIZE_NEAREST) != 0.0;
  const antialias = attribute(attributes, t, IMAGE_RESIZE_ANTIALIAS) != 0.0;
  const i0 = spatialSizeOf(shapes, a, 0);
  const i1 = spatialSizeOf(shapes, a, 1);
  const i2 = spatialSizeOf(shapes, a, 2);
  const o0 = spatialSizeOf(shapes, out, 0);
  const o1 = spatialSizeOf(shapes, out, 1);
  const o2 = spatialSizeOf(shapes, out, 2);
  const r0 = resizeMatrix(i0, o0, nearest, antialias);
  const r1 = resizeMatrix(i1, o1, nearest, antialias);
  const r2 = resizeMatrix(i2, o2, nearest, antialias);
  const k0 = supportOf(r0, i0, o0);
  const k1 = supportOf(r1, i1, o1);
  const k2 = supportOf(r2, i2, o2);
  const outPositions = o0 * o1 * o2;
  const map = newMap(k0 * k1 * k2, outPositions);
  for (let t0 = 0; t0 < k0; t0++) {
    for (let t1 = 0; t1 < k1; t1++) {
      for (let t2 = 0; t2 < k2; t2++) {
        const tap = (t0 * k1 + t1) * k2 + t2;
        for (let p0 = 0; p0 < o0; p0++) {
          const x0 = nonzeroAt(r0, i0, p0, t0);
          const w0 = nonzeroWeight;
          if (x0 < 0) continue;
          for (let p1 = 0; p1 < o1; p1++) {
            const x1 = nonzeroAt(r1, i1, p1, t1);
            const w1 = nonzeroWeight;
            if (x1 < 0) continue;
            for (let p2 = 0; p2 < o2; p2++) {
              const x2 = nonzeroAt(r2, i2, p2, t2);
              if (x2 < 0) continue;
              const p = (p0 * o1 + p1) * o2 + p2;
              store<i32>(mapSourceAt(map, tap, p), (x0 * i1 + x1) * i2 + x2);
              store<f64>(mapWeightAt(map, tap, p), w0 * w1 * nonzeroWeight);
            }
          }
        }
      }
    }
  }
  return map;
}

export function forward(net: Net, t: i32, z: usize): void {
  mapOpForward(net, t, z, resizeMap);
}

export function backward(net: Net, t: i32, g: usize): void {
  mapOpBackward(net, t, g, resizeMap);
}

/** Linear in its input and the same on every row: the tangent is its forward on the tangents. */
export function tangent(net: Net, t: i32, z: usize): void {
  forward(tangentRows(net), t, z);
}

export function preparePair(pair: Pair, t: i32): usize {
  return mapOpPrepare(pair, t, resizeMap);
}

export function pairTangent(pass: Pair, t: i32): void {
  mapOpPairTangent(pass, t);
}

export function pair(pair: Pair, t: i32): void {
  mapOpPair(pair, t);
}
