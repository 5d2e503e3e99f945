// The infinite-width program's layout, shared with assembly/net/opcodes.ts (test/stax/opcodes.test.ts checks
// that both files agree).

/** Operations of an infinite-width program. */
export const INFINITE_OP = { dense: 0, activation: 1, layerNorm: 2, sum: 3 } as const;

/** Int32 entries per instruction: opcode, input value, second input value (or −1), output value. */
export const INFINITE_WIDTH = 4;

/**
 * Float64 attributes per instruction. dense: wStd², bStd², fan-in ('standard', else 0), has a bias (0/1),
 * 'standard' (0/1); activation: id, leak; layerNorm: eps; sum: none.
 */
export const INFINITE_ATTRIBUTES = 5;
