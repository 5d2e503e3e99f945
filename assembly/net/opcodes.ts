// The infinite-width program's layout: the same numbers as src/stax/opcodes.ts (test/stax/opcodes.test.ts
// checks that both files agree).
export const OP_DENSE: i32 = 0;
export const OP_ACTIVATION: i32 = 1;
export const OP_LAYER_NORM: i32 = 2;
export const OP_SUM: i32 = 3;
// Int32 entries per instruction: opcode, input value, second input value (or −1), output value.
export const INFINITE_WIDTH: i32 = 4;
// Float64 attributes per instruction (see src/stax/opcodes.ts).
export const INFINITE_ATTRIBUTES: i32 = 5;
