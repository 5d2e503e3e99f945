// Resizing the spatial axes (imageResize) as a position map (assembly/ops/positionMap.ts), each axis's matrix built as
// JAX's jax.image.resize builds it; the TypeScript twin is src/ops/imageResize.ts (resizeMatrix, resizeMap).
import { scratch } from "../heap";
import { IMAGE_RESIZE_ANTIALIAS, IMAGE_RESIZE_NEAREST } from "../generated/layout";
import { attribute, heightOf, spatialWidthOf } from "../net/program";
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

/** The map R_h ⊗ R_w of instruction t: output (oh, ow) reads, tap by tap, the pairs of its two rows' nonzero inputs. */
function resizeMap(attributes: usize, t: i32, shapes: usize, a: i32, out: i32): usize {
  const nearest = attribute(attributes, t, IMAGE_RESIZE_NEAREST) != 0.0;
  const antialias = attribute(attributes, t, IMAGE_RESIZE_ANTIALIAS) != 0.0;
  const inH = heightOf(shapes, a);
  const inW = spatialWidthOf(shapes, a);
  const outH = heightOf(shapes, out);
  const outW = spatialWidthOf(shapes, out);
  const rows = resizeMatrix(inH, outH, nearest, antialias);
  const columns = resizeMatrix(inW, outW, nearest, antialias);
  const kh = supportOf(rows, inH, outH);
  const kw = supportOf(columns, inW, outW);
  const outPositions = outH * outW;
  const map = newMap(kh * kw, outPositions);
  for (let th = 0; th < kh; th++) {
    for (let tw = 0; tw < kw; tw++) {
      for (let oh = 0; oh < outH; oh++) {
        const ih = nonzeroAt(rows, inH, oh, th);
        const rowWeight = nonzeroWeight;
        if (ih < 0) continue;
        for (let ow = 0; ow < outW; ow++) {
          const iw = nonzeroAt(columns, inW, ow, tw);
          if (iw < 0) continue;
          const tap = th * kw + tw;
          const p = oh * outW + ow;
          store<i32>(mapSourceAt(map, tap, p), ih * inW + iw);
          store<f64>(mapWeightAt(map, tap, p), rowWeight * nonzeroWeight);
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
