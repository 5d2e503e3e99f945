// The WASM backend's programs of layers (src/model/program.ts): finite networks (outputs, Jacobians, the empirical NTK
// structured or by Jacobians, training) and their infinite-width kernels, on vectors or on positions. What each op
// needs in memory and how much work it is comes from its unit (src/ops/<op>.ts, cost); this file names no op.
import { needsPositions, opUnit } from '../../ops/index.js';
import { tangentFlops } from '../../ops/cost.js';
import { PROGRAM_WIDTH, instructionsOf } from '../../core/layout.js';
import type { Program } from '../../core/layout.js';
import { channelsOf, positionsOf, rowWidthOf, sideWidthOf, sizeOf } from '../../core/shapes.js';
import type { MixtureRule } from '../../ops/activations/unit.js';
import type { TermLayout } from '../../ops/unit.js';
import { lossScales } from '../../core/numeric.js';
import type { GradientArrays, HyperparameterDirections, InputKernels, NetworkBackend } from '../types.js';
import { KERNEL_SCRATCH_BYTES } from './heap.js';
import type { KernelCall } from './pool.js';
import { REDUCTION_BLOCKS, type WasmContext, splitRows } from './threads.js';

/** The kernels alone: no hyperparameter directions. */
const NO_DIRECTIONS: HyperparameterDirections = { dAttributes: new Float64Array(0), directions: 0 };

export function wasmNetworks({ exports, heap, hosts, pool, byRows, runShares, reductionBlocks }: WasmContext): NetworkBackend {
  // The program as the first export arguments (program, attributes, count, shapes, output), copied into the arena.
  function programArguments(op: string, program: Program): [number, number, number, number, number] {
    return [
      heap.copyInInt32(op, program.instructions),
      heap.copyIn(op, program.attributes),
      program.instructions.length / PROGRAM_WIDTH,
      heap.copyInInt32(op, program.shapes),
      program.output,
    ];
  }
  const programDoubles = (program: Program) => program.instructions.length + program.attributes.length + 2 * program.values;
  /** The instructions that carry parameters, with their op's passes: the terms of the structured NTK, in order. */
  const parameterized = (program: Program) =>
    instructionsOf(program).flatMap((ins) => {
      const passes = opUnit(ins.op, 'wasm').parameters;
      return passes === undefined ? [] : [{ ins, passes }];
    });
  // Everything a pass over n rows keeps: values, what ops keep, cotangents (k seeds), the pointer tables, and what
  // each op keeps for itself.
  const passDoubles = (program: Program, n: number) => {
    const k = channelsOf(program, program.output);
    // With sides, the forward pass unpacks the rows into the inputs and the sides.
    let doubles = 2 * program.values + n * k * k + (sideWidthOf(program) === 0 ? 0 : n * rowWidthOf(program));
    for (let v = 0; v < program.values; v++) doubles += n * sizeOf(program, v) * (2 + k);
    for (const ins of instructionsOf(program)) doubles += opUnit(ins.op, 'wasm').cost.passDoubles?.(program, ins, n, k) ?? 0;
    return doubles;
  };
  // A forward-mode pass over n examples along m directions: every value's tangents and each op's tables.
  const tangentDoubles = (program: Program, n: number, m: number) => {
    let doubles = n * m * sizeOf(program, 0) + 4 * program.values;
    for (let v = 0; v < program.values; v++) doubles += n * m * sizeOf(program, v);
    for (const ins of instructionsOf(program)) doubles += opUnit(ins.op, 'wasm').cost.passDoubles?.(program, ins, n, 1) ?? 0;
    return doubles;
  };
  /** The layout of every parameterized instruction's structured-NTK term. */
  const termLayouts = (program: Program, full: boolean) =>
    parameterized(program).map(({ ins, passes }) => passes.termLayout(program, ins, channelsOf(program, program.output), full));

  /**
   * Full-size arrays for the parameterized instructions' terms over n examples as their layouts give them, filled
   * by row blocks; returns the table of their pointers (three per term) that netNtkRows reads.
   */
  function signalTables(
    op: string,
    program: Program,
    args: number[],
    paramsPtr: number,
    x: number,
    n: number,
    layouts: TermLayout[],
    formsPtr: number,
    full: boolean,
  ): number {
    const count = layouts.length;
    const table = heap.alloc(op, Math.ceil((3 * count) / 2));
    const pointers = new Int32Array(3 * count);
    layouts.forEach(({ widths, input }, d) =>
      widths.forEach((width, part) => {
        // The inputs as they are, unless their rows carry sides.
        if (width !== 0) pointers[part * count + d] = part === 0 && input && sideWidthOf(program) === 0 ? x : heap.alloc(op, n * width);
      }),
    );
    const flops = n * layouts.reduce((sum, layout) => sum + layout.signalFlops, 0);
    new Int32Array(heap.memory.buffer, table, 3 * count).set(pointers);
    byRows(op, n, false, flops, (r0, r1) => ({
      kernel: 'netSignals',
      args: [...args, paramsPtr, x, r0, r1, table, formsPtr, +full],
      scratchBytes: KERNEL_SCRATCH_BYTES + 8 * passDoubles(program, r1 - r0) + 4096,
    }));
    return table;
  }

  /**
   * NNGP and NTK of a program on spatial inputs: pass 1 (each input's variances), then pairs by row blocks; with
   * `gradients`, their tangents along hyperparameter directions beside them (as vectorInfinite's).
   */
  function spatialInfinite(
    op: string,
    program: Program,
    rule: MixtureRule,
    x1: Float64Array,
    n1: number,
    x2: Float64Array | null,
    n2: number,
    out?: Partial<GradientArrays>,
    gradients: HyperparameterDirections = NO_DIRECTIONS,
  ) {
    const size = n1 * n2;
    const count = program.instructions.length / PROGRAM_WIDTH;
    const instructions = instructionsOf(program);
    const slotCount = Math.max(...program.slots) + 1;
    const stateSize = (v: number) => (program.fullSpatial[v] ? positionsOf(program, v) ** 2 : positionsOf(program, v));
    const largest = Math.max(...Array.from({ length: program.values }, (_, v) => stateSize(v)));
    // What ops keep per thread: for the call (tap tables) and while their pass runs (avgPool's M·Bᵀ).
    const opScratch = instructions.map((ins) => opUnit(ins.op, 'wasm').cost.pairScratch?.(program, ins) ?? { prepared: 0, work: 0 });
    const largestOpWork = Math.max(1, ...opScratch.map(({ work }) => work));
    const preparedDoubles = opScratch.reduce((sum, { prepared }) => sum + prepared, 0);
    // Each input's variances at every value (value v of example i at i·stride + offsets[v]), then what ops keep of each
    // example (attention's weights: value v's at i·stride + offsets[values + v]).
    const exampleDoubles = new Array<number>(program.values).fill(0);
    for (const ins of instructions) exampleDoubles[ins.out] = opUnit(ins.op, 'wasm').exampleDoubles?.(program, ins) ?? 0;
    const sizes = [...Array.from({ length: program.values }, (_, v) => positionsOf(program, v)), ...exampleDoubles];
    const offsets = new Int32Array(sizes.length);
    for (let e = 1; e < sizes.length; e++) offsets[e] = offsets[e - 1] + sizes[e - 1];
    const stride = offsets[sizes.length - 1] + sizes[sizes.length - 1];
    const ruleSize = rule.scales.length;
    const { dAttributes, directions } = gradients;
    const pairFlops = instructions.reduce(
      (sum, ins) => sum + (1 + directions) * stateSize(ins.out) * opUnit(ins.op, 'wasm').cost.entryFlops(program, ins, ruleSize),
      2 * stateSize(0) * channelsOf(program, 0),
    );
    // Per share (assembly/kernels/spatial.ts begin): Σ and Θ for every slot (and for every slot and direction), the
    // windowed result, the intermediate between a convolution's two passes, a window over tangents, what ops keep, and
    // a Pair per direction.
    const states = 2 * (slotCount * (1 + directions) + 3) * (largest + 2);
    const scratchBytes = KERNEL_SCRATCH_BYTES + 8 * (states + largestOpWork + preparedDoubles + count) + 256 * (directions + 1) + 1024 + 4096;
    const inputs = x1.length + (x2?.length ?? 0);
    const tables = (1 + directions) * stride * (n1 + (x2 === null ? 0 : n2));
    const doubles = inputs + (2 + 2 * directions) * size + n1 + tables + programDoubles(program) + dAttributes.length + 2 * ruleSize;
    return heap.frame(op, doubles, () => {
      const args = [...programArguments(op, program)];
      const context = [
        ...args,
        heap.copyInInt32(op, program.fullSpatial),
        heap.copyInInt32(op, program.slots),
        slotCount,
        largest,
        largestOpWork,
        heap.copyInInt32(op, offsets),
        stride,
        heap.copyIn(op, rule.scales),
        heap.copyIn(op, rule.weights),
        ruleSize,
      ];
      const x1Ptr = heap.copyIn(op, x1);
      const x2Ptr = x2 === null ? 0 : heap.copyIn(op, x2);
      const dAttributesPtr = directions > 0 ? heap.copyIn(op, dAttributes) : 0;
      // Each input's variances, and their tangents (example i's block of directions × stride after them).
      const variances = (x: number, n: number) => {
        const table = heap.alloc(op, n * stride);
        const dTable = directions > 0 ? heap.alloc(op, n * directions * stride) : 0;
        byRows(op, n, false, n * pairFlops, (r0, r1) => ({
          kernel: 'spatialVariances',
          args: [...context, x, table, r0, r1, dAttributesPtr, directions, dTable],
          scratchBytes,
        }));
        return { table, dTable };
      };
      const rows = variances(x1Ptr, n1);
      const columns = x2Ptr === 0 ? rows : variances(x2Ptr, n2);
      const nngp = heap.alloc(op, size);
      const ntk = heap.alloc(op, size);
      const dNngp = directions > 0 ? heap.alloc(op, directions * size) : 0;
      const dNtk = directions > 0 ? heap.alloc(op, directions * size) : 0;
      const rowFinite = heap.alloc(op, n1);
      const tangentArgs = [dAttributesPtr, directions, rows.dTable, columns.dTable, dNngp, dNtk];
      byRows(op, n1, x2 === null, n1 * n2 * pairFlops, (r0, r1) => ({
        kernel: 'spatialRows',
        args: [...context, x1Ptr, n1, x2Ptr, n2, rows.table, columns.table, nngp, ntk, r0, r1, rowFinite, ...tangentArgs],
        scratchBytes,
      }));
      const finite = exports.allFinite(rowFinite, n1) === 1;
      return copyResults({ nngp, ntk, dNngp, dNtk }, size, directions, out, finite);
    });
  }

  /** The results of a call out of WASM memory (into `out`'s arrays when given; a null one is not copied out). */
  function copyResults(
    pointers: { nngp: number; ntk: number; dNngp: number; dNtk: number },
    size: number,
    directions: number,
    out: Partial<GradientArrays> | undefined,
    finite: boolean,
  ) {
    // Each direction's derivatives into an array of its own.
    const split = (ptr: number, into: Float64Array[] | null | undefined) =>
      into === null ? [] : Array.from({ length: directions }, (_, h) => heap.copyOut(ptr + 8 * h * size, size, into?.[h]));
    return {
      nngp: heap.copyOut(pointers.nngp, size, out?.nngp),
      ntk: heap.copyOut(pointers.ntk, size, out?.ntk),
      dNngp: split(pointers.dNngp, out?.dNngp),
      dNtk: split(pointers.dNtk, out?.dNtk),
      finite,
    };
  }

  /**
   * The kernels of a program on vectors from inputs or given input kernels; with `gradients`, also their tangents along
   * hyperparameter directions (dNngp, dNtk: one n1 × n2 array per direction; none without). With `out`, the results are
   * written into its arrays (a null list is not copied out).
   */
  function vectorInfinite(
    op: string,
    program: Program,
    rule: MixtureRule,
    input: { x1: Float64Array; x2: Float64Array | null; d: number } | InputKernels,
    n1: number,
    n2: number,
    out?: Partial<GradientArrays>,
    gradients: HyperparameterDirections = NO_DIRECTIONS,
  ) {
    const given = 'sigma' in input;
    const symmetric = given ? input.q2 === null : input.x2 === null;
    // Given kernels are the rows' input as they are: one feature.
    const d = given ? 1 : input.d;
    const size = n1 * n2;
    const count = program.instructions.length / PROGRAM_WIDTH;
    const slotCount = Math.max(...program.slots) + 1;
    const ruleSize = rule.scales.length;
    const { dAttributes, directions } = gradients;
    const programDoubles = program.instructions.length / 2 + program.attributes.length + program.values / 2 + 2;
    const tableDoubles = (1 + directions) * program.values * (n1 + (symmetric ? 0 : n2));
    const inputDoubles = given ? 0 : input.x1.length + (input.x2?.length ?? 0);
    const doubles = inputDoubles + (2 + 2 * directions) * size + n1 + programDoubles + tableDoubles + dAttributes.length + 2 * ruleSize;
    return heap.frame(op, doubles, () => {
      const instructions = heap.copyInInt32(op, program.instructions);
      const attributes = heap.copyIn(op, program.attributes);
      const slots = heap.copyInInt32(op, program.slots);
      const scales = heap.copyIn(op, rule.scales);
      const weights = heap.copyIn(op, rule.weights);
      const dAttributesPtr = directions > 0 ? heap.copyIn(op, dAttributes) : 0;
      const x1Ptr = given ? 0 : heap.copyIn(op, input.x1);
      const x2Ptr = given || input.x2 === null ? 0 : heap.copyIn(op, input.x2);
      const shared = [instructions, attributes, count] as const;
      const ruleArgs = [scales, weights, ruleSize] as const;
      // Pass 1 on this thread: each input's variance at every value (n·values maps, against n²·values in pass 2), and
      // their tangents.
      const variances = (x: number, q: Float64Array | null, n: number) => {
        const table = heap.alloc(op, program.values * n);
        if (q !== null) heap.view(table, n).set(q);
        heap.run(op, () => exports.infiniteVariances(...shared, ...ruleArgs, x, n, d, table));
        if (directions === 0) return { table, dTable: 0 };
        const dTable = heap.alloc(op, directions * program.values * n);
        heap.run(op, () => exports.infiniteGradientVariances(...shared, ...ruleArgs, dAttributesPtr, directions, program.values, n, table, dTable));
        return { table, dTable };
      };
      const rows = variances(x1Ptr, given ? input.q1 : null, n1);
      const columns = symmetric ? rows : variances(x2Ptr, given ? input.q2 : null, n2);
      const nngp = heap.alloc(op, size);
      const ntk = heap.alloc(op, size);
      if (given) {
        heap.view(nngp, size).set(input.sigma);
        if (input.theta === null) heap.view(ntk, size).fill(0);
        else heap.view(ntk, size).set(input.theta);
      }
      const dNngp = directions > 0 ? heap.alloc(op, directions * size) : 0;
      const dNtk = directions > 0 ? heap.alloc(op, directions * size) : 0;
      // Per row: 0 when the row of every result is finite (the kernel sums x − x as it writes them).
      const rowFinite = heap.alloc(op, n1);
      const pairFlops = instructionsOf(program).reduce(
        (sum, ins) => sum + (1 + directions) * opUnit(ins.op, 'wasm').cost.entryFlops(program, ins, ruleSize),
        2 * d,
      );
      // With given kernels, a nonzero x2 marks the call as not symmetric (infiniteRows reads no input).
      const second = given && !symmetric ? columns.table : x2Ptr;
      const tangentArgs = [dAttributesPtr, directions, program.values, rows.dTable, columns.dTable, dNngp, dNtk] as const;
      byRows(op, n1, symmetric, n1 * n2 * pairFlops, (r0, r1) => ({
        kernel: 'infiniteRows',
        args: [
          ...shared,
          slots,
          slotCount,
          program.output,
          ...ruleArgs,
          x1Ptr,
          n1,
          second,
          n2,
          d,
          rows.table,
          columns.table,
          nngp,
          ntk,
          r0,
          r1,
          rowFinite,
          ...tangentArgs,
        ],
        // Two rows (Σ and Θ, padded to even lengths) per slot, and per slot and direction; a Row per direction.
        scratchBytes: KERNEL_SCRATCH_BYTES + 16 * slotCount * (1 + directions) * (n2 + 1) + 256 * (directions + 1) + 1024,
      }));
      const finite = exports.allFinite(rowFinite, n1) === 1;
      return copyResults({ nngp, ntk, dNngp, dNtk }, size, directions, out, finite);
    });
  }

  const methods: NetworkBackend = {
    networkForward(fn, program, params, x, n) {
      const op = fn;
      const k = channelsOf(program, program.output);
      return heap.frame(op, programDoubles(program) + params.length + x.length + passDoubles(program, n), () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const xPtr = heap.copyIn(op, x);
        const out = heap.alloc(op, n * k);
        byRows(op, n, false, 2 * n * params.length, (r0, r1) => ({
          kernel: 'netForward',
          args: [...args, paramsPtr, xPtr, r0, r1, out],
          scratchBytes: KERNEL_SCRATCH_BYTES + 8 * passDoubles(program, r1 - r0) + 4096,
        }));
        return heap.copyOut(out, n * k);
      });
    },
    networkJacobian(fn, program, params, x, n) {
      const op = fn;
      const k = channelsOf(program, program.output);
      const size = n * k * params.length;
      return heap.frame(op, programDoubles(program) + params.length + x.length + passDoubles(program, n) + size, () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const xPtr = heap.copyIn(op, x);
        const out = heap.alloc(op, size);
        byRows(op, n, false, 6 * n * k * params.length, (r0, r1) => ({
          kernel: 'netJacobian',
          args: [...args, paramsPtr, xPtr, r0, r1, out],
          scratchBytes: KERNEL_SCRATCH_BYTES + 8 * passDoubles(program, r1 - r0) + 4096,
        }));
        return heap.copyOut(out, size);
      });
    },
    networkTangents(fn, program, params, x, n, directions, m) {
      const op = fn;
      const k = channelsOf(program, program.output);
      const size = n * m * k;
      return heap.frame(
        op,
        programDoubles(program) + params.length + x.length + directions.length + size + passDoubles(program, n) + tangentDoubles(program, n, m),
        () => {
          const args = programArguments(op, program);
          const paramsPtr = heap.copyIn(op, params);
          const xPtr = heap.copyIn(op, x);
          const directionsPtr = heap.copyIn(op, directions);
          const out = heap.alloc(op, size);
          byRows(op, n, false, n * m * tangentFlops(program), (r0, r1) => ({
            kernel: 'netTangents',
            args: [...args, paramsPtr, xPtr, r0, r1, directionsPtr, m, out],
            scratchBytes: KERNEL_SCRATCH_BYTES + 8 * (passDoubles(program, r1 - r0) + tangentDoubles(program, r1 - r0, m)) + 4096,
          }));
          return heap.copyOut(out, size);
        },
      );
    },
    networkNtk(fn, program, params, x1, n1, x2, n2, full, implementation, blocks, into) {
      const op = fn;
      const k = channelsOf(program, program.output);
      const size = (full ? k * k : 1) * n1 * n2;
      const p = params.length;
      const threads = pool?.size ?? 1;
      const shareDoubles =
        implementation === 'jacobian'
          ? 2 * blocks.rows * k * p + passDoubles(program, blocks.rows)
          : implementation === 'ntkVectorProducts'
            ? blocks.columns * k * p +
              passDoubles(program, blocks.columns) +
              passDoubles(program, blocks.rows) +
              tangentDoubles(program, blocks.rows, blocks.columns * k)
            : 0;
      const work = implementation === 'structured' ? 2 * size + n1 * n2 + passDoubles(program, n1) + passDoubles(program, n2) : threads * shareDoubles;
      return heap.frame(op, programDoubles(program) + p + x1.length + (x2?.length ?? 0) + size + work, () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const x1Ptr = heap.copyIn(op, x1);
        const x2Ptr = x2 === null ? 0 : heap.copyIn(op, x2);
        const out = heap.alloc(op, size);
        const pairs = (x2 === null ? 1 : 2) * n1 * n2;
        if (implementation === 'jacobian') {
          byRows(op, n1, x2 === null, pairs * k * p, (r0, r1) => ({
            kernel: 'netNtkJacobian',
            args: [...args, paramsPtr, x1Ptr, n1, x2Ptr, n2, +full, blocks.rows, out, r0, r1],
            scratchBytes: KERNEL_SCRATCH_BYTES + 8 * shareDoubles + 4096,
          }));
          return heap.copyOut(out, size, into);
        }
        if (implementation === 'ntkVectorProducts') {
          // Shares of whole blocks of x1's rows.
          byRows(op, Math.ceil(n1 / blocks.rows), x2 === null, pairs * k * tangentFlops(program), (b0, b1) => ({
            kernel: 'netNtkVectorProducts',
            args: [...args, paramsPtr, x1Ptr, n1, x2Ptr, n2, +full, blocks.rows, blocks.columns, out, b0 * blocks.rows, Math.min(n1, b1 * blocks.rows)],
            scratchBytes: KERNEL_SCRATCH_BYTES + 8 * shareDoubles + 4096,
          }));
          return heap.copyOut(out, size, into);
        }
        // Pass 1: the parameterized instructions' terms for every example, by row blocks; pass 2: their products.
        const layouts = termLayouts(program, full);
        const formsPtr = heap.copyInInt32(
          op,
          Int32Array.from(layouts, ({ form }) => form),
        );
        const t1 = signalTables(op, program, args, paramsPtr, x1Ptr, n1, layouts, formsPtr, full);
        const t2 = x2 === null ? 0 : signalTables(op, program, args, paramsPtr, x2Ptr, n2, layouts, formsPtr, full);
        const outCols = full ? n2 * k : n2;
        const pairFlops = layouts.reduce((sum, layout) => sum + layout.pairFlops, 0);
        const pairScratch = Math.max(0, ...layouts.map((layout) => layout.pairScratch));
        byRows(op, n1, x2 === null, (x2 === null ? 1 : 2) * n1 * n2 * pairFlops * (full ? k : 1), (r0, r1) => ({
          kernel: 'netNtkRows',
          args: [...args, t1, n1, t2, n2, +full, out, r0, r1, formsPtr],
          scratchBytes: KERNEL_SCRATCH_BYTES + 8 * ((r1 - r0) * n2 + (full ? k : 1) * (r1 - r0) * outCols + pairScratch) + 64,
        }));
        return heap.copyOut(out, size, into);
      });
    },
    networkTrain(fn, program, params, x, y, n, plan) {
      const op = fn;
      const p = params.length;
      const k = channelsOf(program, program.output);
      const steps = plan.starts.length - 1;
      const maxParts = REDUCTION_BLOCKS;
      const indexDoubles = Math.ceil((plan.indices?.length ?? 0) / 2);
      return heap.frame(op, programDoubles(program) + x.length + y.length + (maxParts + 4) * p + maxParts + indexDoubles, () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const xPtr = heap.copyIn(op, x);
        const yPtr = heap.copyIn(op, y);
        const statePtr = heap.copyIn(op, plan.state);
        const basePtr = plan.base === null ? 0 : heap.copyIn(op, plan.base);
        const indicesPtr = plan.indices === null ? 0 : heap.copyInInt32(op, plan.indices);
        const gradients = heap.alloc(op, maxParts * p);
        const lossParts = heap.alloc(op, maxParts);
        const losses = new Float64Array(steps + 1);
        // Each step: partial gradients by blocks of the minibatch's rows on the pool, then one update on this thread.
        for (let s = 0; s <= steps; s++) {
          // After the last step, the loss of its minibatch again (of every example when there are no steps).
          const last = s === steps;
          const batch = last ? s - 1 : s;
          const rows = batch < 0 || plan.indices === null ? n : plan.starts[batch + 1] - plan.starts[batch];
          // 0: every example in order, read where they are.
          const indices = batch < 0 || plan.indices === null ? 0 : indicesPtr + 4 * plan.starts[batch];
          // A loss in JavaScript sees the whole minibatch at once.
          const bounds = plan.customLoss !== null ? [0, rows] : [...new Set(splitRows(rows, reductionBlocks(rows, 6 * rows * p), false))];
          const parts = bounds.length - 1;
          runShares(
            op,
            Array.from({ length: parts }, (_, part): KernelCall => ({
              kernel: 'netGradient',
              args: [
                ...args,
                paramsPtr,
                xPtr,
                yPtr,
                indices,
                bounds[part],
                bounds[part + 1],
                last ? 0 : gradients + 8 * part * p,
                lossParts + 8 * part,
                plan.stepsBefore + s,
                plan.loss,
                basePtr,
              ],
              scratchBytes:
                KERNEL_SCRATCH_BYTES +
                8 * (passDoubles(program, bounds[part + 1] - bounds[part]) + (bounds[part + 1] - bounds[part]) * (rowWidthOf(program) + 3 * k)) +
                8 * (plan.base === null ? 0 : p + tangentDoubles(program, bounds[part + 1] - bounds[part], 1)) +
                4096,
            })),
          );
          const { loss, gradient } = lossScales(plan.loss, rows, k);
          losses[s] = heap.view(lossParts, parts).reduce((sum, v) => sum + v, 0) * loss;
          if (last) break;
          const { optimizer, learningRate, momentum, beta1, beta2, eps, weightDecay } = plan;
          const t = plan.stepsBefore + s + 1;
          const correction1 = 1 - Math.pow(beta1, t);
          const correction2 = Math.sqrt(1 - Math.pow(beta2, t));
          exports.netUpdate(
            paramsPtr,
            gradients,
            parts,
            p,
            gradient,
            optimizer,
            learningRate,
            momentum,
            beta1,
            beta2,
            eps,
            weightDecay,
            statePtr,
            t,
            correction1,
            correction2,
          );
        }
        plan.state.set(heap.view(statePtr, plan.state.length));
        return { params: heap.copyOut(paramsPtr, p), losses };
      });
    },
    infinite(fn, program, rule, x1, n1, x2, n2, d, out) {
      if (needsPositions(program)) return spatialInfinite(fn, program, rule, x1, n1, x2, n2, out);
      return vectorInfinite(fn, program, rule, { x1, x2, d }, n1, n2, out);
    },
    infiniteFromKernels(fn, program, rule, start) {
      return vectorInfinite(fn, program, rule, start, start.n1, start.n2);
    },
    infiniteGradients: (fn, program, rule, x1, n1, x2, n2, d, gradients, out) =>
      needsPositions(program)
        ? spatialInfinite(fn, program, rule, x1, n1, x2, n2, out, gradients)
        : vectorInfinite(fn, program, rule, { x1, x2, d }, n1, n2, out, gradients),
  };
  // Every call runs with its program's JavaScript passes (elementwise layers) as the module's hosts.
  const hosted =
    <A extends unknown[], R>(method: (fn: string, program: Program, ...rest: A) => R) =>
    (fn: string, program: Program, ...rest: A): R =>
      hosts.with(program, () => method(fn, program, ...rest));
  return {
    networkForward: hosted(methods.networkForward),
    networkJacobian: hosted(methods.networkJacobian),
    networkTangents: hosted(methods.networkTangents),
    networkNtk: hosted(methods.networkNtk),
    networkTrain: hosted((fn, program, params, x, y, n, plan) =>
      hosts.withLoss(plan.customLoss, () => methods.networkTrain(fn, program, params, x, y, n, plan)),
    ),
    infinite: hosted(methods.infinite),
    infiniteFromKernels: hosted(methods.infiniteFromKernels),
    infiniteGradients: hosted(methods.infiniteGradients),
  };
}
