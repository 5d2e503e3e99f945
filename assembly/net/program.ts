// Reading a lowered program (src/stax/program.ts): instructions of PROGRAM_WIDTH i32 (opcode, input, second
// input, output, parameter offset) and PROGRAM_ATTRIBUTES f64 each.
import { PROGRAM_ATTRIBUTES, PROGRAM_WIDTH } from "./opcodes";

// @ts-ignore: decorator
@inline export function field(program: usize, t: i32, k: i32): i32 {
  return load<i32>(program + (<usize>(t * PROGRAM_WIDTH + k) << 2));
}

// @ts-ignore: decorator
@inline export function attribute(attributes: usize, t: i32, k: i32): f64 {
  return load<f64>(attributes + (<usize>(t * PROGRAM_ATTRIBUTES + k) << 3));
}

// @ts-ignore: decorator
@inline export function widthOf(widths: usize, value: i32): i32 {
  return load<i32>(widths + (<usize>value << 2));
}

// @ts-ignore: decorator
@inline export function pointerAt(table: usize, i: i32): usize {
  return load<usize>(table + (<usize>i << 2));
}

// @ts-ignore: decorator
@inline export function setPointer(table: usize, i: i32, pointer: usize): void {
  store<usize>(table + (<usize>i << 2), pointer);
}
