// The arena's bookkeeping on failures and refusals; the endurance runs (10,000 calls per op, dropped predictors) are
// heap.slow.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { Matrix, cholesky, infiniteMlp, matmul, ready, setBackend, solveSpd } from '../../../src/index.js';
import { current, wasmHeap } from '../../../src/backend/registry.js';
import type { WasmHeap } from '../../../src/backend/wasm/heap.js';
import { expectClose } from '../../helpers/close.js';

let heap: WasmHeap;

beforeAll(async () => {
  await ready();
  setBackend('wasm');
  heap = wasmHeap()!;
});

describe('wasm memory', () => {
  it('a call that throws inside the kernel leaks nothing, and the next call is correct', () => {
    const top = heap.top;
    const notPd = Matrix.from([
      [1, 2],
      [2, 1],
    ]);
    for (let i = 0; i < 1000; i++) {
      expect(() => cholesky(notPd)).toThrow(/not positive definite/);
      expect(() => solveSpd(notPd, [[1], [1]])).toThrow(/not positive definite/);
    }
    expect(heap.top).toBe(top);
    expectClose(
      cholesky([
        [4, 2],
        [2, 3],
      ]),
      [
        [2, 0],
        [1, Math.SQRT2],
      ],
      1e-15,
    );
  });

  it('refuses a request beyond wasm32 memory before allocating anything', () => {
    const top = heap.top;
    const bytes = heap.memory.buffer.byteLength;
    // The ops refuse results over 2^28 doubles before reaching the backend ...
    const column = new Matrix(25_000, 1);
    expect(() => matmul(column, column, { transB: true })).toThrow(/matmul: the product would be 25000x25000 \(4.7 GiB\)/);
    // ... and the heap refuses any frame whose inputs, outputs and workspace exceed 4 GiB.
    let ran = false;
    expect(() =>
      heap.frame('matmul', 3 * 2 ** 28, () => {
        ran = true;
      }),
    ).toThrow(/matmul: needs 6\.0 GiB of WASM memory, more than the 4 GiB a wasm32 module can address/);
    expect(ran).toBe(false);
    expect(heap.top).toBe(top);
    expect(heap.memory.buffer.byteLength).toBe(bytes);
    expectClose(matmul([[1, 2]], [[3], [4]]), [[11]], 1e-15);
  });

  it('names the public function in errors raised inside the backend, whichever op called it', () => {
    const backend = current();
    const tooLarge = () => backend.matmul('KernelRidge.predict', new Float64Array(1), new Float64Array(1), 30_000, 30_000, 1, false, false);
    expect(tooLarge).toThrow(/^KernelRidge\.predict: needs 6\.7 GiB of WASM memory/);
    const rows = 20_000;
    expect(() => infiniteMlp({ depth: 1, activation: 'relu' }).kernels(new Matrix(rows, 1))).toThrow(/^infiniteMlp: the Gram matrix would be 20000x20000/);
  });
});
