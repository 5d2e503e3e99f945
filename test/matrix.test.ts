import { describe, expect, it } from 'vitest';
import { Matrix, matmul } from '../src/index.js';

describe('Matrix', () => {
  it('builds from rows, zeros and identity', () => {
    const m = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect([m.rows, m.cols]).toEqual([2, 3]);
    expect(Array.from(m.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(m.get(1, 2)).toBe(6);
    expect(Matrix.zeros(2, 1).toArray()).toEqual([[0], [0]]);
    expect(Matrix.identity(3).toArray()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(Matrix.from([new Float64Array([1, 2]), new Float64Array([3, 4])]).toArray()).toEqual([
      [1, 2],
      [3, 4],
    ]);
  });

  it('transposes into a new matrix', () => {
    const m = Matrix.from([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(m.transpose().toArray()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    expect(m.toArray()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
  });

  it('copies array input, so later edits of the source do not leak in', () => {
    const rows = [[1, 2]];
    const m = Matrix.from(rows);
    rows[0][0] = 9;
    expect(m.get(0, 0)).toBe(1);
  });

  it('allows empty shapes', () => {
    expect(Matrix.from([]).rows).toBe(0);
    expect(Matrix.zeros(0, 3).cols).toBe(3);
  });

  it('rejects ragged rows, non-numbers and non-finite entries with the position', () => {
    expect(() => Matrix.from([[1, 2], [3]])).toThrow(new RangeError('Matrix.from: rows is ragged: row 0 has 2 entries but row 1 has 1'));
    expect(() => Matrix.from([[1, NaN]])).toThrow(new TypeError('Matrix.from: rows[0][1] is NaN; entries must be finite numbers'));
    expect(() => Matrix.from([[1], [-Infinity]])).toThrow(/rows\[1\]\[0\] is -Infinity/);
    expect(() => Matrix.from([['1' as unknown as number]])).toThrow(/rows\[0\]\[0\] is string/);
    expect(() => Matrix.from([1, 2] as unknown as number[][])).toThrow(/rows\[0\] must be an array of numbers, got number/);
    expect(() => Matrix.from(null as unknown as number[][])).toThrow(TypeError);
  });

  it('rejects bad dimensions, data of the wrong length and out-of-range indices', () => {
    expect(() => new Matrix(-1, 2)).toThrow(new RangeError('Matrix: rows must be a non-negative integer, got -1'));
    expect(() => new Matrix(1.5, 2)).toThrow(RangeError);
    expect(() => new Matrix(NaN, 2)).toThrow(TypeError);
    expect(() => new Matrix(2, 2, new Float64Array(3))).toThrow(/data has 3 entries but a 2x2 matrix needs 4/);
    expect(() => new Matrix(1, 1, [1] as unknown as Float64Array)).toThrow(TypeError);
    expect(() => Matrix.identity(2).get(2, 0)).toThrow(/index \(2, 0\) is outside a 2x2 matrix/);
  });

  it('checks Matrix arguments for NaN written into data after construction', () => {
    const m = Matrix.identity(2);
    m.data[3] = NaN;
    expect(() => matmul(m, m)).toThrow(new TypeError('matmul: a[1][1] is NaN; entries must be finite numbers'));
  });

  it('rejects arguments that are not matrices', () => {
    expect(() => matmul(3 as never, [[1]])).toThrow(new TypeError('matmul: a must be a Matrix or an array of rows, got number'));
    expect(() => matmul([[1]], undefined as never)).toThrow(/b must be a Matrix or an array of rows, got undefined/);
  });
});
