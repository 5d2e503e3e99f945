// Reading a lowered program (src/model/program.ts): instructions of PROGRAM_WIDTH i32 (opcode, input, second
// input, output, parameter offset), PROGRAM_ATTRIBUTES f64 each, and SHAPE_WIDTH i32 per value (height, width,
// channels).
import { PROGRAM_ATTRIBUTES, PROGRAM_WIDTH, SHAPE_WIDTH } from "../generated/layout";

// @ts-ignore: decorator
@inline export function field(program: usize, t: i32, k: i32): i32 {
  return load<i32>(program + ((<usize>(t * PROGRAM_WIDTH + k)) << 2));
}

// @ts-ignore: decorator
@inline export function attribute(attributes: usize, t: i32, k: i32): f64 {
  return load<f64>(attributes + ((<usize>(t * PROGRAM_ATTRIBUTES + k)) << 3));
}

/** The address of attribute k of instruction t (an activation's parameters start there). */
// @ts-ignore: decorator
@inline export function attributeAt(attributes: usize, t: i32, k: i32): usize {
  return attributes + ((<usize>(t * PROGRAM_ATTRIBUTES + k)) << 3);
}

// @ts-ignore: decorator
@inline export function heightOf(shapes: usize, value: i32): i32 {
  return load<i32>(shapes + ((<usize>(value * SHAPE_WIDTH)) << 2));
}

// @ts-ignore: decorator
@inline export function spatialWidthOf(shapes: usize, value: i32): i32 {
  return load<i32>(shapes + ((<usize>(value * SHAPE_WIDTH + 1)) << 2));
}

/** Channels of a value. */
// @ts-ignore: decorator
@inline export function channelsOf(shapes: usize, value: i32): i32 {
  return load<i32>(shapes + ((<usize>(value * SHAPE_WIDTH + 2)) << 2));
}

/** Positions (height × width) of a value: 1 for vectors. */
// @ts-ignore: decorator
@inline export function positionsOf(shapes: usize, value: i32): i32 {
  return heightOf(shapes, value) * spatialWidthOf(shapes, value);
}

/** Numbers per example of a value: positions × channels. */
// @ts-ignore: decorator
@inline export function sizeOf(shapes: usize, value: i32): i32 {
  return positionsOf(shapes, value) * channelsOf(shapes, value);
}

// @ts-ignore: decorator
@inline export function pointerAt(table: usize, i: i32): usize {
  return load<usize>(table + ((<usize>i) << 2));
}

// @ts-ignore: decorator
@inline export function setPointer(table: usize, i: i32, pointer: usize): void {
  store<usize>(table + ((<usize>i) << 2), pointer);
}
