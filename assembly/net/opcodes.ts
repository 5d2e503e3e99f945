// The layout of a lowered program: the same numbers as src/core/opcodes.ts (test/core/boundary.test.ts checks
// that both files agree).
export const OP_DENSE: i32 = 0;
export const OP_ACTIVATION: i32 = 1;
export const OP_LAYER_NORM: i32 = 2;
export const OP_SUM: i32 = 3;
// Int32 entries per instruction: opcode, input, second input (or −1), output, parameter offset.
export const PROGRAM_WIDTH: i32 = 5;
// Float64 attributes per instruction (see src/core/opcodes.ts).
export const PROGRAM_ATTRIBUTES: i32 = 7;
