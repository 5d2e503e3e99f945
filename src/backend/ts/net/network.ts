// Reference versions of assembly/net/network.ts: a finite network given as a lowered program (src/model/program.ts)
// on a batch of n rows, each op run by its unit (src/ops/<op>.ts). A value is n rows of positions × channels
// (channels last); cotangents have n·m rows, row r belonging to example ⌊r/m⌋ (m = k output seeds for Jacobians
// and NTKs, m = 1 for training).
import { type Instruction, type Program, instructionsOf } from '../../../core/layout.js';
import { channelsOf, rowWidthOf, sideWidthOf, sizeOf } from '../../../core/shapes.js';
import { opUnit } from '../../../ops/index.js';
import type { BackwardPass, ForwardPass, ParameterPasses, TangentPass } from '../../../ops/unit.js';
import type { DescentResult, NtkBlocks, NtkImplementationName, TrainPlan, TrainingLoss } from '../../types.js';
import { LOSS, OPTIMIZER } from '../../../core/layout.js';
import { lossScales } from '../../../core/numeric.js';
import { type Strided, dense, gemmInto } from '../linalg/gemm.js';
import { mirrorLower } from '../linalg/syrk.js';

/** The n rows of x (each the input's entries, then the side's) as the input value and the sides. */
function unpack(program: Program, x: Float64Array, n: number): { input: Float64Array; side: Float64Array } {
  const width = sideWidthOf(program);
  if (width === 0) return { input: x, side: new Float64Array(0) };
  const d = sizeOf(program, 0);
  const [input, side] = [new Float64Array(n * d), new Float64Array(n * width)];
  for (let r = 0; r < n; r++) {
    input.set(x.subarray(r * (d + width), r * (d + width) + d), r * d);
    side.set(x.subarray(r * (d + width) + d, (r + 1) * (d + width)), r * width);
  }
  return { input, side };
}

function forward(program: Program, params: Float64Array, x: Float64Array, n: number, firstRow = 0, step = 0): ForwardPass {
  const { input, side } = unpack(program, x, n);
  const pass: ForwardPass = { program, params, n, firstRow, step, values: [input], kept: [], side };
  for (const instruction of instructionsOf(program)) pass.values[instruction.out] = opUnit(instruction.op, 'network (forward)').forward(pass, instruction);
  return pass;
}

/**
 * Cotangents of every value from `seed` (n·m × k) at the output. With `gradient` (m = 1), also accumulates
 * ∂/∂θ of ⟨seed, f⟩ into it.
 */
function backward(
  program: Program,
  params: Float64Array,
  pass: ForwardPass,
  n: number,
  m: number,
  seed: Float64Array,
  gradient?: Float64Array,
): Float64Array[] {
  const rows = n * m;
  const cotangents: Float64Array[] = [];
  cotangents[program.output] = seed;
  const state: BackwardPass = {
    program,
    params,
    forward: pass,
    n,
    m,
    rows,
    gradient,
    cotangent: (value) => (cotangents[value] ??= new Float64Array(rows * sizeOf(program, value))),
  };
  for (const instruction of instructionsOf(program).reverse()) {
    const g = cotangents[instruction.out];
    if (g !== undefined) opUnit(instruction.op, 'network (backward)').backward(state, instruction, g);
  }
  return cotangents;
}

/**
 * Forward mode: the outputs' tangents along the m rows of `directions` (m × P) for the examples of `pass`, row i·m + d
 * for example i and direction d (n·m × k).
 */
function tangents(program: Program, params: Float64Array, pass: ForwardPass, directions: Float64Array, m: number): Float64Array {
  const rows = pass.n * m;
  const state: TangentPass = { program, params, forward: pass, n: pass.n, m, rows, directions, tangents: [new Float64Array(rows * sizeOf(program, 0))] };
  for (const instruction of instructionsOf(program)) state.tangents[instruction.out] = opUnit(instruction.op, 'network (tangent)').tangent(state, instruction);
  return state.tangents[program.output];
}

/** The forward pass and the signals of all k outputs (cotangents with one seed per output). */
function signals(program: Program, params: Float64Array, x: Float64Array, n: number, firstRow = 0): { pass: ForwardPass; cotangents: Float64Array[] } {
  const k = channelsOf(program, program.output);
  const pass = forward(program, params, x, n, firstRow);
  const seed = new Float64Array(n * k * k);
  for (let r = 0; r < n * k; r++) seed[r * k + (r % k)] = 1;
  return { pass, cotangents: backward(program, params, pass, n, k, seed) };
}

/** The instructions that carry parameters, with their ops' parameter passes. */
const parameterized = (program: Program): { instruction: Instruction; passes: ParameterPasses }[] =>
  instructionsOf(program).flatMap((instruction) => {
    const passes = opUnit(instruction.op, 'network').parameters;
    return passes === undefined ? [] : [{ instruction, passes }];
  });

export function networkForward(program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array {
  return forward(program, params, x, n).values[program.output];
}

export function networkTangents(program: Program, params: Float64Array, x: Float64Array, n: number, directions: Float64Array, m: number): Float64Array {
  return tangents(program, params, forward(program, params, x, n), directions, m);
}

/** Jacobian rows of n examples, the first of which is example `firstRow` of the call. */
function jacobianRowsInto(program: Program, params: Float64Array, x: Float64Array, n: number, out: Float64Array, ld: number, firstRow = 0): void {
  const k = channelsOf(program, program.output);
  const { pass, cotangents } = signals(program, params, x, n, firstRow);
  for (const { instruction, passes } of parameterized(program)) {
    const g = cotangents[instruction.out] ?? new Float64Array(n * k * sizeOf(program, instruction.out));
    passes.jacobianInto(program, instruction, pass.values[instruction.a], g, n, k, out, ld, instruction.offset);
  }
}

export function networkJacobian(program: Program, params: Float64Array, x: Float64Array, n: number): Float64Array {
  const k = channelsOf(program, program.output);
  const out = new Float64Array(n * k * program.paramCount);
  jacobianRowsInto(program, params, x, n, out, program.paramCount);
  return out;
}

/** Θ = Σ over the parameterized ops of their terms, never forming the whole Jacobian. */
function structuredNtk(program: Program, params: Float64Array, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean): Float64Array {
  const k = channelsOf(program, program.output);
  const symmetric = x2 === null;
  const side = (x: Float64Array, n: number) => {
    const { pass, cotangents } = signals(program, params, x, n);
    return parameterized(program).map(({ instruction, passes }) =>
      passes.term(
        program,
        instruction,
        pass.values[instruction.a],
        cotangents[instruction.out] ?? new Float64Array(n * k * sizeOf(program, instruction.out)),
        n,
        k,
        full,
      ),
    );
  };
  const terms1 = side(x1, n1);
  const terms2 = x2 === null ? terms1 : side(x2, n2);
  const outRows = full ? n1 * k : n1;
  const out = new Float64Array(outRows * (full ? n2 * k : n2));
  parameterized(program).forEach(({ passes }, l) => passes.addTerm(terms1[l], terms2[l], n1, n2, k, full, symmetric, out));
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

/** What the blocked NTK implementations share: input size, outputs, parameters, the second inputs and the result. */
function ntkLayout(program: Program, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, full: boolean) {
  const k = channelsOf(program, program.output);
  const [outRows, outCols] = [full ? n1 * k : n1, full ? n2 * k : n2];
  return {
    d: rowWidthOf(program),
    k,
    p: program.paramCount,
    symmetric: x2 === null,
    second: x2 ?? x1,
    outRows,
    outCols,
    out: new Float64Array(outRows * outCols),
  };
}

function jacobianNtk(
  program: Program,
  params: Float64Array,
  x1: Float64Array,
  n1: number,
  x2: Float64Array | null,
  n2: number,
  full: boolean,
  block: number,
): Float64Array {
  const { d, k, p, symmetric, second, outRows, outCols, out } = ntkLayout(program, x1, n1, x2, n2, full);
  const j1 = new Float64Array(block * k * p);
  const j2 = new Float64Array(block * k * p);
  for (let jb = 0; jb < n2; jb += block) {
    const cols = Math.min(block, n2 - jb);
    jacobianRowsInto(program, params, second.subarray(jb * d, (jb + cols) * d), cols, j2, p, jb);
    for (let ib = symmetric ? jb : 0; ib < n1; ib += block) {
      const rows = Math.min(block, n1 - ib);
      jacobianRowsInto(program, params, x1.subarray(ib * d, (ib + rows) * d), rows, j1, p, ib);
      // 'mean' views a Jacobian block as examples × (k·P); 'full' as (examples·k) × P.
      const inner = full ? p : k * p;
      const c: Strided = { data: out, offset: (full ? ib * k : ib) * outCols + (full ? jb * k : jb), ld: outCols };
      gemmInto(false, true, full ? rows * k : rows, full ? cols * k : cols, inner, full ? 1 : 1 / k, dense(j1, inner), dense(j2, inner), 0, c);
    }
  }
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

/**
 * Θ by vector products, never holding a Jacobian beyond one block of x2's rows: for a block of x1's examples, one
 * primal pass; then, per block of x2's examples, their Jacobian rows as directions and one forward-mode pass along
 * all of them, whose output tangents are the columns J(x1)·J(x2)ᵀ. Symmetric: the blocks on and below the diagonal,
 * then mirrored.
 */
function vectorProductsNtk(
  program: Program,
  params: Float64Array,
  x1: Float64Array,
  n1: number,
  x2: Float64Array | null,
  n2: number,
  full: boolean,
  { rows: rowBlock, columns: columnBlock }: NtkBlocks,
): Float64Array {
  const { d, k, p, symmetric, second, outRows, outCols, out } = ntkLayout(program, x1, n1, x2, n2, full);
  const directions = new Float64Array(columnBlock * k * p);
  for (let ib = 0; ib < n1; ib += rowBlock) {
    const rows = Math.min(rowBlock, n1 - ib);
    const pass = forward(program, params, x1.subarray(ib * d, (ib + rows) * d), rows, ib);
    const columnEnd = symmetric ? ib + rows : n2;
    for (let jb = 0; jb < columnEnd; jb += columnBlock) {
      const cols = Math.min(columnBlock, columnEnd - jb);
      jacobianRowsInto(program, params, second.subarray(jb * d, (jb + cols) * d), cols, directions, p, jb);
      const m = cols * k;
      const t = tangents(program, params, pass, directions, m);
      addVectorProducts(t, rows, cols, k, full, out, outCols, ib, jb);
    }
  }
  if (symmetric) mirrorLower(out, outRows);
  return out;
}

/** Output tangents t (row i·m + j·k + o: example i along ∂f_o(x2_j)) into Θ's block at examples (ib, jb). */
function addVectorProducts(
  t: Float64Array,
  rows: number,
  cols: number,
  k: number,
  full: boolean,
  out: Float64Array,
  outCols: number,
  ib: number,
  jb: number,
): void {
  const m = cols * k;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (full) {
        for (let a = 0; a < k; a++) for (let o = 0; o < k; o++) out[((ib + i) * k + a) * outCols + (jb + j) * k + o] = t[(i * m + j * k + o) * k + a];
      } else {
        let sum = 0;
        for (let o = 0; o < k; o++) sum += t[(i * m + j * k + o) * k + o];
        out[(ib + i) * outCols + jb + j] = sum / k;
      }
    }
  }
}

export function networkNtk(
  program: Program,
  params: Float64Array,
  x1: Float64Array,
  n1: number,
  x2: Float64Array | null,
  n2: number,
  full: boolean,
  implementation: NtkImplementationName,
  blocks: NtkBlocks,
): Float64Array {
  switch (implementation) {
    case 'structured':
      return structuredNtk(program, params, x1, n1, x2, n2, full);
    case 'jacobian':
      return jacobianNtk(program, params, x1, n1, x2, n2, full, blocks.rows);
    case 'ntkVectorProducts':
      return vectorProductsNtk(program, params, x1, n1, x2, n2, full, blocks);
  }
}

export function networkTrain(program: Program, initial: Float64Array, x: Float64Array, y: Float64Array, n: number, plan: TrainPlan): DescentResult {
  const d = rowWidthOf(program);
  const k = channelsOf(program, program.output);
  const params = initial.slice();
  const gradient = new Float64Array(params.length);
  const steps = plan.starts.length - 1;
  const losses = new Float64Array(steps + 1);
  const every = Int32Array.from({ length: n }, (_, i) => i);
  for (let s = 0; s <= steps; s++) {
    // After the last step, the loss of its minibatch again (of every example when there are no steps).
    const last = s === steps;
    const batch = last ? s - 1 : s;
    const indices = batch < 0 || plan.indices === null ? every : plan.indices.subarray(plan.starts[batch], plan.starts[batch + 1]);
    const rows = indices.length;
    const whole = indices === every;
    const batchX = whole ? x : new Float64Array(rows * d);
    const batchY = whole ? y : new Float64Array(rows * k);
    if (!whole) {
      indices.forEach((example, r) => {
        batchX.set(x.subarray(example * d, (example + 1) * d), r * d);
        batchY.set(y.subarray(example * k, (example + 1) * k), r * k);
      });
    }
    // A linearized model runs the network at θ0 and adds J(θ0)·(θ − θ0) by forward mode.
    const at = plan.base ?? params;
    const pass = forward(program, at, batchX, rows, 0, plan.stepsBefore + s);
    let f = pass.values[program.output];
    if (plan.base !== null) {
      const moved = tangents(
        program,
        at,
        pass,
        params.map((v, i) => v - at[i]),
        1,
      );
      f = f.map((v, e) => v + moved[e]);
    }
    const { sum, residual } = plan.customLoss !== null ? customLossOf(plan.customLoss, f, batchY, rows, k) : lossAndResidual(plan.loss, f, batchY, rows, k);
    const scales = lossScales(plan.loss, rows, k);
    losses[s] = sum * scales.loss;
    if (last) break;
    gradient.fill(0);
    backward(program, at, pass, rows, 1, residual, gradient);
    update(plan, params, gradient, scales.gradient, plan.stepsBefore + s + 1);
  }
  return { params, losses };
}

function customLossOf(loss: TrainingLoss, f: Float64Array, y: Float64Array, rows: number, k: number): { sum: number; residual: Float64Array } {
  const residual = new Float64Array(rows * k);
  return { sum: loss(f, y, rows, k, residual), residual };
}

/** The summed loss of rows × k outputs f against y, and its gradient in f (mse: of half the sum). */
function lossAndResidual(loss: number, f: Float64Array, y: Float64Array, rows: number, k: number): { sum: number; residual: Float64Array } {
  const residual = new Float64Array(rows * k);
  let sum = 0;
  for (let r = 0; r < rows; r++) {
    if (loss === LOSS.mse) {
      for (let o = r * k; o < (r + 1) * k; o++) {
        residual[o] = f[o] - y[o];
        sum += residual[o] * residual[o];
      }
      continue;
    }
    // log Σ exp f by the largest output; the gradient of −y·log softmax(f) is softmax(f) − y.
    let largest = f[r * k];
    for (let o = r * k + 1; o < (r + 1) * k; o++) largest = Math.max(largest, f[o]);
    let total = 0;
    for (let o = r * k; o < (r + 1) * k; o++) total += Math.exp(f[o] - largest);
    const logZ = largest + Math.log(total);
    for (let o = r * k; o < (r + 1) * k; o++) {
      if (y[o] !== 0) sum += y[o] * (logZ - f[o]);
      residual[o] = Math.exp(f[o] - logZ) - y[o];
    }
  }
  return { sum, residual };
}

/** One optimizer step at step t (from 1), as netUpdate in assembly/net/network.ts. */
function update(plan: TrainPlan, params: Float64Array, gradient: Float64Array, scale: number, t: number): void {
  const { optimizer, learningRate: rate, momentum, beta1, beta2, eps, weightDecay, state } = plan;
  const p = params.length;
  const correction1 = 1 - Math.pow(beta1, t);
  const correction2 = Math.sqrt(1 - Math.pow(beta2, t));
  for (let i = 0; i < p; i++) {
    let g = scale * gradient[i];
    if (weightDecay !== 0) g += weightDecay * params[i];
    if (optimizer === OPTIMIZER.sgd) params[i] -= rate * g;
    else if (optimizer === OPTIMIZER.momentum) {
      state[i] = t === 1 ? g : momentum * state[i] + g;
      params[i] -= rate * state[i];
    } else {
      state[i] = beta1 * state[i] + (1 - beta1) * g;
      state[p + i] = beta2 * state[p + i] + (1 - beta2) * (g * g);
      params[i] -= (rate / correction1) * (state[i] / (Math.sqrt(state[p + i]) / correction2 + eps));
    }
  }
}
