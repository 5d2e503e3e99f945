// Message helpers: every error names the function, the argument, and what was expected and found.

/** `3x4` */
import { allFinite } from './core/numeric.js';

export function shapeOf(m: { rows: number; cols: number }): string {
  return `${m.rows}x${m.cols}`;
}

/** A value as a message shows it. */
export function describe(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Throws a TypeError unless `options` is undefined or a plain object with only `allowed` keys. */
export function checkOptions<T extends object>(fn: string, options: T | undefined, allowed: readonly string[]): Partial<T> {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${fn}: options must be an object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) {
      throw new TypeError(`${fn}: unknown option '${key}'; expected one of ${allowed.map((k) => `'${k}'`).join(', ')}`);
    }
  }
  return options;
}

/** The boolean option `name`, or `fallback` when it is undefined. */
export function booleanOption(fn: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new TypeError(`${fn}: ${name} must be a boolean, got ${describe(value)}`);
  return value;
}

/** A non-negative integer size, e.g. a matrix dimension. */
export function sizeArgument(fn: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${fn}: ${name} must be a finite number, got ${describe(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${fn}: ${name} must be a non-negative integer, got ${value}`);
  }
  return value;
}

/** Constraints on a numeric option or argument. */
export interface NumberRule {
  /** Must be an integer. */
  integer?: boolean;
  /** Smallest allowed value (inclusive). */
  min?: number;
  /** Must be strictly greater than this. */
  above?: number;
  /** Largest allowed value (inclusive). */
  max?: number;
}

/** A finite number obeying `rule`; `fallback` when undefined (no fallback: required). */
export function numberOption(fn: string, name: string, value: unknown, fallback: number | undefined, rule: NumberRule = {}): number {
  if (value === undefined) {
    if (fallback === undefined) throw new TypeError(`${fn}: ${name} is required`);
    return fallback;
  }
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new TypeError(`${fn}: ${name} must be a number, got ${describe(value)}`);
  }
  if (!Number.isFinite(value)) throw new TypeError(`${fn}: ${name} must be finite, got ${value}`);
  if (rule.integer && !Number.isInteger(value)) throw new RangeError(`${fn}: ${name} must be an integer, got ${value}`);
  if (rule.min !== undefined && value < rule.min) throw new RangeError(`${fn}: ${name} must be ≥ ${rule.min}, got ${value}`);
  if (rule.max !== undefined && value > rule.max) throw new RangeError(`${fn}: ${name} must be ≤ ${rule.max}, got ${value}`);
  if (rule.above !== undefined && !(value > rule.above)) {
    throw new RangeError(`${fn}: ${name} must be > ${rule.above}, got ${value}`);
  }
  return value;
}

/** One of `choices`; `fallback` when undefined. */
export function enumOption<T extends string>(fn: string, name: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!choices.includes(value as T)) {
    throw new TypeError(`${fn}: ${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

/** A function argument. */
export function functionArgument<T>(fn: string, name: string, value: T): T {
  if (typeof value !== 'function') throw new TypeError(`${fn}: ${name} must be a function, got ${describe(value)}`);
  return value;
}

/**
 * Returns `data` when every entry is finite; otherwise throws a RangeError naming the first entry that is
 * not. Used on results computed from finite inputs, where Infinity or NaN means overflow.
 */
export function requireFiniteResult(fn: string, what: string, data: Float64Array, cols: number, hint: string): Float64Array {
  if (allFinite(data)) return data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new RangeError(`${fn}: ${what}[${Math.floor(i / cols)}][${i % cols}] is ${data[i]} although the inputs are finite (overflow); ${hint}`);
    }
  }
  return data;
}

/**
 * An `AbortSignal` option (anything with a boolean `aborted` and a `throwIfAborted` method), or undefined.
 * Long operations call `throwIfAborted()` between chunks of work.
 */
export function signalOption(fn: string, value: unknown): AbortSignal | undefined {
  if (value === undefined) return undefined;
  const signal = value as AbortSignal;
  if (typeof value !== 'object' || value === null || typeof signal.aborted !== 'boolean' || typeof signal.throwIfAborted !== 'function') {
    throw new TypeError(`${fn}: signal must be an AbortSignal, got ${describe(value)}`);
  }
  return signal;
}

/**
 * The largest result any function returns, in doubles (2 GiB): it must fit in the 4 GiB of a wasm32
 * module beside its inputs, and the same call must behave the same on both backends.
 */
export const MAX_RESULT_DOUBLES = 2 ** 28;

/** Throws a RangeError, before any allocation, when a rows × cols result would exceed {@link MAX_RESULT_DOUBLES}. */
export function requireFits(fn: string, what: string, rows: number, cols: number): void {
  if (rows * cols > MAX_RESULT_DOUBLES) {
    throw new RangeError(
      `${fn}: ${what} would be ${rows}x${cols} (${((rows * cols * 8) / 2 ** 30).toFixed(1)} GiB); ` +
        `results are limited to 2 GiB (2^28 doubles) so that they fit in wasm32 memory on both backends`,
    );
  }
}
