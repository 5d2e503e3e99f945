// The layout of a lowered program, shared with assembly/net/opcodes.ts (test/core/boundary.test.ts checks that
// both files agree). One program serves both widths: the finite-width passes and the infinite-width kernels.

/**
 * Operations of a program. `dense` is every affine layer: a convolution whose filter is 1×1 (stride 1, no
 * padding) for a dense layer, which then acts on the channels at every position.
 */
export const OP = { dense: 0, activation: 1, layerNorm: 2, sum: 3, avgPool: 4, flatten: 5, globalAvgPool: 6 } as const;

/**
 * Int32 entries per instruction: opcode, input value, second input value (sum; else −1), output value, offset of
 * the layer's parameters in θ (dense; else 0).
 */
export const PROGRAM_WIDTH = 5;

/**
 * Float64 attributes per instruction. dense: wStd², bStd² (0 without bias), fan-in (filter taps × input
 * channels) when 'standard' (else 0), has a bias (0/1), 'standard' (0/1), then the finite-width scales c and s
 * of z = c·h·W + s·b ('ntk': wStd/√fanIn and bStd; 'standard': 1 and 1); activation: id, leak; layerNorm: eps,
 * over all axes (0/1); sum, flatten, globalAvgPool: none. dense and avgPool then hold their window from
 * {@link WINDOW} on: filter height and width, strides, padding before (top, left), circular (0/1).
 */
export const PROGRAM_ATTRIBUTES = 14;

/** Where the window of a dense (conv) or avgPool instruction starts among its attributes. */
export const WINDOW = 7;

/** Int32 entries per value in a program's shape table: height, width (1 for sequences and vectors), channels. */
export const SHAPE_WIDTH = 3;

/** The error of an interpreter that meets an opcode it has no rule for (dispatch is exhaustive: no op falls into another's branch). */
export function unknownOp(where: string, op: number): Error {
  const name = Object.entries(OP).find(([, code]) => code === op)?.[0];
  return new Error(`${where}: ${name === undefined ? `unknown opcode ${op}` : `op '${name}' has no rule here`}`);
}

/** One decoded instruction of a program: its opcode, input values (b = −1 unless a sum), output, θ offset, attributes. */
export interface Instruction {
  op: number;
  a: number;
  b: number;
  out: number;
  offset: number;
  attrs: Float64Array;
}

/** The instructions of a program (see {@link PROGRAM_WIDTH} and {@link PROGRAM_ATTRIBUTES}), in order. */
export function instructionsOf(program: { instructions: Int32Array; attributes: Float64Array }): Instruction[] {
  return Array.from({ length: program.instructions.length / PROGRAM_WIDTH }, (_, t) => {
    const [op, a, b, out, offset] = program.instructions.subarray(t * PROGRAM_WIDTH, (t + 1) * PROGRAM_WIDTH);
    return { op, a, b, out, offset, attrs: program.attributes.subarray(t * PROGRAM_ATTRIBUTES, (t + 1) * PROGRAM_ATTRIBUTES) };
  });
}
