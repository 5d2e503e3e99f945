// Infinite-width NNGP and NTK of a lowered model (src/model/program.ts) on inputs with one position, by
// neural-tangents' layer rules per pair of inputs: Σ (the NNGP), Θ (the NTK), and each input's variance q at every
// value. Each op's rules are its own (assembly/ops/<op>.ts: `variance` for pass 1, `row` for pass 2), reached
// through the generated dispatch by opcode; this file names no op.
import { scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { dot } from "../linalg/vector";
import { rowOp, rowTangentOp, varianceOp } from "../generated/ops";
import { useMixture } from "../ops/activations/common";
import { Row, tangentSigma } from "../ops/unit";
import { useDirections } from "./gradients";
import { field } from "../net/program";

/**
 * Pass 1: the variance of every input at every value of the program (count instructions, see
 * src/core/layout.ts), as each op maps a self pair (q, q, q): table[v·n + i] for value v and input i.
 * scales/weights: the scale-mixture rule of tanh and sigmoid (ruleSize entries each). x = 0: the inputs'
 * variances are given, in table[0 … n).
 */
export function infiniteVariances(
  program: usize,
  attributes: usize,
  count: i32,
  scales: usize,
  weights: usize,
  ruleSize: i32,
  x: usize,
  n: i32,
  d: i32,
  table: usize,
): void {
  useMixture(scales, weights, ruleSize);
  if (x != 0) {
    for (let i = 0; i < n; i++) {
      const row = x + ((<usize>i * <usize>d) << 3);
      store<f64>(table + ((<usize>i) << 3), dot(row, row, d) / <f64>d);
    }
  }
  for (let t = 0; t < count; t++) {
    const a = table + ((<usize>field(program, t, 1) * <usize>n) << 3);
    const b = table + ((<usize>max(field(program, t, 2), 0) * <usize>n) << 3);
    const out = table + ((<usize>field(program, t, 3) * <usize>n) << 3);
    const op = field(program, t, 0);
    for (let i = 0; i < n; i++) {
      const at = (<usize>i) << 3;
      const next = varianceOp(op, attributes, t, load<f64>(a + at), load<f64>(b + at));
      store<f64>(out + at, next);
    }
  }
}

/**
 * Copies a row's Σ (at sigma) and Θ (at sigma + rowBytes), `end` entries, to sigmaOut and thetaOut; returns x − x
 * summed over them: 0 when every entry is finite, NaN otherwise.
 */
export function storeRow(sigma: usize, rowBytes: usize, end: i32, sigmaOut: usize, thetaOut: usize): f64 {
  let finite = 0.0;
  for (let j = 0; j < end; j++) {
    const at = (<usize>j) << 3;
    const s = load<f64>(sigma + at);
    const t = load<f64>(sigma + rowBytes + at);
    store<f64>(sigmaOut + at, s);
    store<f64>(thetaOut + at, t);
    finite += s - s + (t - t);
  }
  return finite;
}

/**
 * Pass 2: rows [r0, r1) of the NNGP and NTK (n1 × n2; x2 = 0 means x1 with itself: the lower triangle, then
 * mirrored), so threads can share one pair of matrices. Each row runs the whole program on row vectors,
 * one Σ row and one Θ row per storage slot (slots: the slot of every value; slotCount of them, in scratch).
 * table1/table2: the variances of pass 1. rowFinite[i]: 0 when row i of every result is finite. x1 = 0: the input
 * kernels are given in nngp and ntk themselves (d = 1; x2 ≠ 0 only marks a call that is not symmetric). With
 * `directions` > 0, forward mode along hyperparameters beside it (assembly/kernels/gradients.ts): the attributes'
 * tangents (directions × count × PROGRAM_ATTRIBUTES), the variances' tangents of pass 1 (dTable1/dTable2, `values` per
 * direction), and the tangents of both results in dNngp and dNtk (one n1 × n2 block per direction).
 */
export function infiniteRows(
  program: usize,
  attributes: usize,
  count: i32,
  slots: usize,
  slotCount: i32,
  output: i32,
  scales: usize,
  weights: usize,
  ruleSize: i32,
  x1: usize,
  n1: i32,
  x2: usize,
  n2: i32,
  d: i32,
  table1: usize,
  table2: usize,
  nngp: usize,
  ntk: usize,
  r0: i32,
  r1: i32,
  rowFinite: usize,
  dAttributes: usize,
  directions: i32,
  values: i32,
  dTable1: usize,
  dTable2: usize,
  dNngp: usize,
  dNtk: usize,
): void {
  useMixture(scales, weights, ruleSize);
  const symmetric = x2 == 0;
  const columnTable = symmetric ? table1 : table2;
  // x·x′ into nngp (lower triangle only when symmetric), read back as each row's input; or the given input Σ.
  const given = x1 == 0;
  if (!given) {
    if (symmetric) syrkLower(n1, d, x1, nngp, r0, r1);
    else gemm(0, 1, r1 - r0, n2, d, 1.0, x1 + ((<usize>r0 * <usize>d) << 3), d, x2, d, 0.0, nngp + ((<usize>r0 * <usize>n2) << 3), n2);
  }
  // An even number of doubles per row, so whole vectors may run one entry past the end of a row.
  const rowBytes = (<usize>((n2 + 1) & ~1)) << 3;
  const rows = scratch(<usize>slotCount * 2 * rowBytes);
  const row = changetype<Row>(scratch(offsetof<Row>()));
  row.program = program;
  row.attributes = attributes;
  row.slots = slots;
  row.rows = rows;
  row.rowBytes = rowBytes;
  row.table1 = table1;
  row.columnTable = columnTable;
  row.n1 = n1;
  row.n2 = n2;
  const inputSlot = <usize>load<i32>(slots);
  const outputSlot = <usize>load<i32>(slots + ((<usize>output) << 2));
  if (directions > 0) useDirections(row, slotCount, count, dAttributes, directions, values, dTable1, symmetric ? dTable1 : dTable2);
  for (let i = r0; i < r1; i++) {
    const end = symmetric ? i + 1 : n2;
    row.i = i;
    row.end = end;
    // Lanes stop before the diagonal, which takes the one-lane path as the variances did.
    row.laneEnd = symmetric ? i : n2;
    const inputSigma = rows + inputSlot * 2 * rowBytes;
    const rowOffset = (<usize>i * <usize>n2) << 3;
    for (let j = 0; j < end; j++) {
      const at = (<usize>j) << 3;
      store<f64>(inputSigma + at, symmetric && j == i ? load<f64>(table1 + ((<usize>i) << 3)) : load<f64>(nngp + rowOffset + at) / <f64>d);
      store<f64>(inputSigma + rowBytes + at, given ? load<f64>(ntk + rowOffset + at) : 0.0);
    }
    // No hyperparameter moves the inputs.
    for (let h = 0; h < directions; h++) memory.fill(tangentSigma(row, 0, h), 0, 2 * rowBytes);
    for (let t = 0; t < count; t++) {
      const op = field(program, t, 0);
      // The tangents first: they read the inputs' Σ and Θ, which the op's own rule may overwrite.
      if (directions > 0) rowTangentOp(op, row, t);
      rowOp(op, row, t);
    }
    let finite = storeRow(rows + outputSlot * 2 * rowBytes, rowBytes, end, nngp + rowOffset, ntk + rowOffset);
    for (let h = 0; h < directions; h++) {
      const offset = ((<usize>h * <usize>n1 * <usize>n2) << 3) + rowOffset;
      finite += storeRow(tangentSigma(row, output, h), rowBytes, end, dNngp + offset, dNtk + offset);
    }
    store<f64>(rowFinite + ((<usize>i) << 3), finite);
  }
  if (symmetric) {
    mirrorLower(n1, nngp, r0, r1);
    mirrorLower(n1, ntk, r0, r1);
    for (let h = 0; h < directions; h++) {
      const block = (<usize>h * <usize>n1 * <usize>n1) << 3;
      mirrorLower(n1, dNngp + block, r0, r1);
      mirrorLower(n1, dNtk + block, r0, r1);
    }
  }
}
