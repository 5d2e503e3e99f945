// Forward mode of the infinite-width pass on vectors (assembly/kernels/infinite.ts, infiniteRows with directions) along
// hyperparameter directions: beside every Σ and Θ row its tangents per direction, each op's rule for them its
// `rowTangent` (and `varianceTangent` for pass 1), reached through the generated dispatch; the TypeScript twin is the
// tangent pass of src/backend/ts/kernels/infinite.ts.
import { scratch } from "../heap";
import { varianceTangentOp } from "../generated/ops";
import { PROGRAM_ATTRIBUTES } from "../generated/layout";
import { useMixture } from "../ops/activations/common";
import { Row, parameterPartialsScratch } from "../ops/unit";
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
 * Sets up forward mode along `directions` hyperparameters in a row pass (infiniteRows): the tangent rows of every slot
 * and direction, and one Row per direction (directionRow), in scratch; the attributes' and the variances' tangents.
 */
export function useDirections(
  row: Row,
  slotCount: i32,
  count: i32,
  dAttributes: usize,
  directions: i32,
  values: i32,
  dTable1: usize,
  dColumnTable: usize,
): void {
  row.directions = directions;
  row.slotCount = slotCount;
  row.count = count;
  row.values = values;
  row.tangents = scratch(<usize>directions * <usize>slotCount * 2 * row.rowBytes);
  row.dAttributes = dAttributes;
  row.dTable1 = dTable1;
  row.dColumnTable = dColumnTable;
  row.directionRows = scratch(<usize>directions * offsetof<Row>());
  row.parameterPartials = parameterPartialsScratch();
  row.movedSlots = parameterPartialsScratch();
}
