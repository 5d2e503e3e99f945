// The layout of a lowered program, shared with assembly/net/opcodes.ts (test/core/boundary.test.ts checks that
// both files agree). One program serves both widths: the finite-width passes and the infinite-width kernels.

/** Operations of a program. */
export const OP = { dense: 0, activation: 1, layerNorm: 2, sum: 3 } as const;

/**
 * Int32 entries per instruction: opcode, input value, second input value (sum; else −1), output value, offset of
 * the layer's parameters in θ (dense; else 0).
 */
export const PROGRAM_WIDTH = 5;

/**
 * Float64 attributes per instruction. dense: wStd², bStd² (0 without bias), fan-in when 'standard' (else 0),
 * has a bias (0/1), 'standard' (0/1), then the finite-width scales c and s of z = c·h·W + s·b
 * ('ntk': wStd/√fanIn and bStd; 'standard': 1 and 1); activation: id, leak; layerNorm: eps; sum: none.
 */
export const PROGRAM_ATTRIBUTES = 7;
