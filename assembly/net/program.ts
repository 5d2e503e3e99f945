// Reading a lowered program (src/model/program.ts): instructions of PROGRAM_WIDTH i32 (opcode, input, second
// input, output, parameter offset), PROGRAM_ATTRIBUTES f64 each, and SHAPE_WIDTH i32 per value (the SPATIAL_AXES
// spatial sizes, then the channels).
import { PROGRAM_ATTRIBUTES, PROGRAM_WIDTH, SHAPE_WIDTH, SPATIAL_AXES } from "../generated/layout";

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

/** The size of a value along spatial axis d (1 past its own axes). */
// @ts-ignore: decorator
@inline export function spatialSizeOf(shapes: usize, value: i32, d: i32): i32 {
  return load<i32>(shapes + ((<usize>(value * SHAPE_WIDTH + d)) << 2));
}

/** Channels of a value. */
// @ts-ignore: decorator
@inline export function channelsOf(shapes: usize, value: i32): i32 {
  return load<i32>(shapes + ((<usize>(value * SHAPE_WIDTH + SPATIAL_AXES)) << 2));
}

/** Positions (the product of the spatial sizes) of a value: 1 for vectors. */
// @ts-ignore: decorator
@inline export function positionsOf(shapes: usize, value: i32): i32 {
  return spatialSizeOf(shapes, value, 0) * spatialSizeOf(shapes, value, 1) * spatialSizeOf(shapes, value, 2);
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

/** Doubles each example carries after its input (its graph's adjacency): the entry after the count + 1 values' shapes. */
// @ts-ignore: decorator
@inline export function sideWidthOf(shapes: usize, count: i32): i32 {
  return load<i32>(shapes + ((<usize>((count + 1) * SHAPE_WIDTH)) << 2));
}

/** Doubles per row of the inputs: the input's entries, then the side's. */
// @ts-ignore: decorator
@inline export function rowWidthOf(shapes: usize, count: i32): i32 {
  return sizeOf(shapes, 0) + sideWidthOf(shapes, count);
}
