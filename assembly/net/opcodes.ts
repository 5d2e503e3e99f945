// The layout of a lowered program: the same numbers as src/core/opcodes.ts (test/core/boundary.test.ts checks
// that both files agree).
export const OP_DENSE: i32 = 0;
export const OP_ACTIVATION: i32 = 1;
export const OP_LAYER_NORM: i32 = 2;
export const OP_SUM: i32 = 3;
export const OP_AVG_POOL: i32 = 4;
export const OP_FLATTEN: i32 = 5;
export const OP_GLOBAL_AVG_POOL: i32 = 6;
// Int32 entries per instruction: opcode, input, second input (or −1), output, parameter offset.
export const PROGRAM_WIDTH: i32 = 5;
// Float64 attributes per instruction (see src/core/opcodes.ts).
export const PROGRAM_ATTRIBUTES: i32 = 14;
// Where the window of a dense (conv) or avgPool instruction starts among its attributes.
export const WINDOW: i32 = 7;
// Int32 entries per value in the shape table: height, width, channels.
export const SHAPE_WIDTH: i32 = 3;
// Forms of an affine layer's structured-NTK term (src/core/shapes.ts, TERM).
export const TERM_DENSE: i32 = 0;
export const TERM_JACOBIAN: i32 = 1;
export const TERM_PAIRS: i32 = 2;
