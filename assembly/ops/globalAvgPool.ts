// The mean over all positions, per channel (globalAvgPool); the TypeScript twin is src/ops/globalAvgPool.ts.
import { axpy } from "../linalg/vector";
import { field, positionsOf, sizeOf } from "../net/program";
import { Net, Pair, cotangentOf, f64At, pairSigma, rowAt } from "./unit";

export function forward(net: Net, t: i32, z: usize): void {
  const a = field(net.program, t, 1);
  const outSize = sizeOf(net.shapes, field(net.program, t, 3));
  const h = load<usize>(net.values + (<usize>a << 2));
  const positions = positionsOf(net.shapes, a);
  memory.fill(z, 0, <usize>(net.n * outSize) << 3);
  for (let i = 0; i < net.n; i++) {
    for (let p = 0; p < positions; p++) axpy(outSize, 1.0 / <f64>positions, rowAt(h, i * positions + p, outSize), rowAt(z, i, outSize));
  }
}

export function backward(net: Net, t: i32, g: usize): void {
  const a = field(net.program, t, 1);
  const outSize = sizeOf(net.shapes, field(net.program, t, 3));
  const rows = net.n * net.m;
  const target = cotangentOf(net, a, <usize>rows * <usize>sizeOf(net.shapes, a) << 3);
  const positions = positionsOf(net.shapes, a);
  for (let r = 0; r < rows; r++) {
    for (let p = 0; p < positions; p++) axpy(outSize, 1.0 / <f64>positions, rowAt(g, r, outSize), rowAt(target, r * positions + p, outSize));
  }
}

// The mean of every entry of the position-pair state.
export function pair(pair: Pair, t: i32): void {
  const a = field(pair.program, t, 1);
  const sigmaA = pairSigma(pair, a);
  const thetaA = sigmaA + pair.stateBytes;
  const sigmaOut = pairSigma(pair, field(pair.program, t, 3));
  const positions = positionsOf(pair.shapes, a);
  const entries = positions * positions;
  let sumSigma = 0.0;
  let sumTheta = 0.0;
  for (let e = 0; e < entries; e++) {
    sumSigma += f64At(sigmaA, e);
    sumTheta += f64At(thetaA, e);
  }
  store<f64>(sigmaOut, sumSigma / <f64>entries);
  store<f64>(sigmaOut + pair.stateBytes, sumTheta / <f64>entries);
}
