// Message helpers: every error names the function, the argument, and what was expected and found.

/** `3x4` */
export function shapeOf(m: { rows: number; cols: number }): string {
  return `${m.rows}x${m.cols}`;
}

function describe(value: unknown): string {
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
