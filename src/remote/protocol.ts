// The messages between spawnWorker's client and its host, and how values cross: data by value (matrices
// rebuilt as Matrix, result buffers transferred), everything else (kernels, networks, predictors) as a
// handle that stays in the worker, callbacks as ids, and signals as a slot of a shared abort flag array.
import { Matrix } from '../matrix.js';

/** A value as it crosses: plain data, or one of the tagged forms below. */
export type Wire = unknown;

/** Tagged forms (objects with exactly one of these keys). */
export const MATRIX = '$ntkMatrix';
export const HANDLE = '$ntkHandle';
export const CALLBACK = '$ntkCallback';
export const SIGNAL = '$ntkSignal';

/** What the client asks: a call, a construction, a property read or a release, on a handle and a path. */
export interface Request {
  id: number;
  kind: 'apply' | 'construct' | 'get' | 'release';
  handle: number;
  path: string[];
  args: Wire[];
}

/** What the host answers, or reports along the way (a callback's invocation). */
export type Reply =
  | { id: number; value: Wire }
  | { id: number; error: { name: string; message: string } }
  | { callback: number; args: Wire[] }
  | { ready: true }
  | { failed: { name: string; message: string } };

/** The first message: options for `ready()` in the worker and the shared abort flags, if any. */
export interface Hello {
  ready: Record<string, unknown>;
  flags: SharedArrayBuffer | undefined;
}

/** Slots of the abort flag array (one per call in flight at once; slots are reused). */
export const SIGNAL_SLOTS = 1024;

/** Whether a value crosses by value: primitives, matrices, typed arrays, and arrays and plain objects of those. */
export function isData(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return typeof value !== 'function' && typeof value !== 'symbol';
  if (value instanceof Matrix || ArrayBuffer.isView(value)) return true;
  if (Array.isArray(value)) return value.every(isData);
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.values(value).every(isData);
}

/**
 * Data as it crosses: matrices tagged (structured clone keeps no prototype), other values as they are.
 * `transfer` collects buffers to move instead of copy, where the sender gives up its copy.
 */
export function encodeData(value: unknown, transfer?: ArrayBuffer[]): Wire {
  if (value instanceof Matrix) {
    if (transfer) transfer.push(value.data.buffer as ArrayBuffer);
    return { [MATRIX]: [value.rows, value.cols, value.data] };
  }
  if (ArrayBuffer.isView(value)) {
    if (transfer) transfer.push(value.buffer as ArrayBuffer);
    return value;
  }
  if (Array.isArray(value)) return value.map((item) => encodeData(item, transfer));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, encodeData(item, transfer)]));
  }
  return value;
}

/** The inverse of the tagging: tagged forms are turned back by `resolve` (handles, callbacks, signals). */
export function decode(value: Wire, resolve: (tag: string, payload: unknown) => unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => decode(item, resolve));
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const keys = Object.keys(value);
  if (keys.length === 1 && keys[0].startsWith('$ntk')) {
    const payload = (value as Record<string, unknown>)[keys[0]];
    if (keys[0] === MATRIX) {
      const [rows, cols, data] = payload as [number, number, Float64Array];
      return new Matrix(rows, cols, data);
    }
    return resolve(keys[0], payload);
  }
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, decode(item, resolve)]));
}

/** An error as it crosses. */
export function encodeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error || (typeof DOMException === 'function' && error instanceof DOMException)) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  return { name: 'Error', message: String(error) };
}

/** The error again, of the same class where it is a standard one. */
export function decodeError({ name, message }: { name: string; message: string }): Error {
  if (name === 'AbortError' || name === 'TimeoutError') return new DOMException(message, name) as unknown as Error;
  const Kind = { TypeError, RangeError }[name] ?? Error;
  const error = new Kind(message);
  if (Kind === Error && name !== 'Error') error.name = name;
  return error;
}
