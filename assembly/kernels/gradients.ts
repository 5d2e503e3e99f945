// Forward mode of the infinite-width pass on vectors (assembly/kernels/infinite.ts) along hyperparameter directions:
// beside every Σ and Θ row its tangents per direction, each op's rule for them its `rowTangent` (and `varianceTangent`
// for pass 1), reached through the generated dispatch; the TypeScript twin is the tangent pass of
// src/backend/ts/kernels/infinite.ts. The inputs' kernels are given (x·x′/d and the variances, from the caller).
import { scratch } from "../heap";
import { mirrorLower } from "../linalg/syrk";
import { rowOp, rowTangentOp, varianceTangentOp } from "../generated/ops";
import { PROGRAM_ATTRIBUTES } from "../generated/layout";
import { useMixture } from "../ops/activations/common";
import { Row } from "../ops/unit";
import { storeRow } from "./infinite";
import { field } from "../net/program";

/**
 * Pass 1's tangents: dTable[(h·values + v)·n + i], the tangent of input i's variance at value v along direction h, from
 * the variances (table[v·n + i], pass 1) and the attributes' tangents (directions × count × PROGRAM_ATTRIBUTES). The
 * input's own (v = 0) are 0: no hyperparameter moves the inputs.
 */
export function infiniteGradientVariances(
  program: usize,
  attributes: usize,
  count: i32,
  scales: usize,
  weights: usize,
  ruleSize: i32,
  dAttributes: usize,
  directions: i32,
  values: i32,
  n: i32,
  table: usize,
  dTable: usize,
): void {
  useMixture(scales, weights, ruleSize);
  memory.fill(dTable, 0, (<usize>directions * <usize>values * <usize>n) << 3);
  for (let h = 0; h < directions; h++) {
    const dAttributesH = dAttributes + ((<usize>h * <usize>count * <usize>PROGRAM_ATTRIBUTES) << 3);
    const dTableH = dTable + ((<usize>h * <usize>values * <usize>n) << 3);
    for (let t = 0; t < count; t++) {
      const op = field(program, t, 0);
      const a = <usize>field(program, t, 1) * <usize>n;
      const b = <usize>max(field(program, t, 2), 0) * <usize>n;
      const out = <usize>field(program, t, 3) * <usize>n;
      for (let i = 0; i < n; i++) {
        const at = <usize>i;
        const dq = varianceTangentOp(
          op,
          attributes,
          dAttributesH,
          t,
          load<f64>(table + ((a + at) << 3)),
          load<f64>(dTableH + ((a + at) << 3)),
          load<f64>(table + ((b + at) << 3)),
          load<f64>(dTableH + ((b + at) << 3)),
        );
        store<f64>(dTableH + ((out + at) << 3), dq);
      }
    }
  }
}

/**
 * Rows [r0, r1) of the NNGP and NTK (n1 × n2, in nngp and ntk, which hold the inputs' Σ and Θ on entry) and of their
 * tangents along every direction (dNngp, dNtk: directions blocks of n1 × n2), as infiniteRows with given kernels;
 * symmetric: x1 with itself, the lower triangle computed and mirrored. rowFinite[i]: 0 when row i of every result is
 * finite.
 */
export function infiniteGradientRows(
  program: usize,
  attributes: usize,
  count: i32,
  slots: usize,
  slotCount: i32,
  output: i32,
  scales: usize,
  weights: usize,
  ruleSize: i32,
  dAttributes: usize,
  directions: i32,
  values: i32,
  n1: i32,
  n2: i32,
  symmetric: i32,
  table1: usize,
  table2: usize,
  dTable1: usize,
  dTable2: usize,
  nngp: usize,
  ntk: usize,
  dNngp: usize,
  dNtk: usize,
  r0: i32,
  r1: i32,
  rowFinite: usize,
): void {
  useMixture(scales, weights, ruleSize);
  const rowBytes = (<usize>((n2 + 1) & ~1)) << 3;
  const row = changetype<Row>(scratch(offsetof<Row>()));
  row.program = program;
  row.attributes = attributes;
  row.slots = slots;
  row.rows = scratch(<usize>slotCount * 2 * rowBytes);
  row.rowBytes = rowBytes;
  row.table1 = table1;
  row.columnTable = symmetric != 0 ? table1 : table2;
  row.n1 = n1;
  row.n2 = n2;
  row.directions = directions;
  row.slotCount = slotCount;
  row.count = count;
  row.values = values;
  row.tangents = scratch(<usize>directions * <usize>slotCount * 2 * rowBytes);
  row.dAttributes = dAttributes;
  row.dTable1 = dTable1;
  row.dColumnTable = symmetric != 0 ? dTable1 : dTable2;
  row.directionRows = scratch(<usize>directions * offsetof<Row>());
  const block = (<usize>n1 * <usize>n2) << 3;
  const inputSlot = <usize>load<i32>(slots);
  const outputSlot = <usize>load<i32>(slots + ((<usize>output) << 2));
  for (let i = r0; i < r1; i++) {
    const end = symmetric != 0 ? i + 1 : n2;
    row.i = i;
    row.end = end;
    row.laneEnd = symmetric != 0 ? i : n2;
    const rowOffset = (<usize>i * <usize>n2) << 3;
    const inputSigma = row.rows + inputSlot * 2 * rowBytes;
    for (let j = 0; j < end; j++) {
      const at = (<usize>j) << 3;
      store<f64>(inputSigma + at, symmetric != 0 && j == i ? load<f64>(table1 + ((<usize>i) << 3)) : load<f64>(nngp + rowOffset + at));
      store<f64>(inputSigma + rowBytes + at, load<f64>(ntk + rowOffset + at));
    }
    for (let h = 0; h < directions; h++) memory.fill(row.tangents + (<usize>h * <usize>slotCount + inputSlot) * 2 * rowBytes, 0, 2 * rowBytes);
    for (let t = 0; t < count; t++) {
      // The tangents first: they read the inputs' Σ and Θ, which the op's own rule may overwrite.
      const op = field(program, t, 0);
      rowTangentOp(op, row, t);
      rowOp(op, row, t);
    }
    let finite = storeRow(row.rows + outputSlot * 2 * rowBytes, rowBytes, end, nngp + rowOffset, ntk + rowOffset);
    for (let h = 0; h < directions; h++) {
      const offset = <usize>h * block + rowOffset;
      finite += storeRow(row.tangents + (<usize>h * <usize>slotCount + outputSlot) * 2 * rowBytes, rowBytes, end, dNngp + offset, dNtk + offset);
    }
    store<f64>(rowFinite + ((<usize>i) << 3), finite);
  }
  if (symmetric != 0) {
    mirrorLower(n1, nngp, r0, r1);
    mirrorLower(n1, ntk, r0, r1);
    for (let h = 0; h < directions; h++) {
      mirrorLower(n1, dNngp + <usize>h * block, r0, r1);
      mirrorLower(n1, dNtk + <usize>h * block, r0, r1);
    }
  }
}
