import { describe, expect, it } from 'vitest';
import { vi } from 'vitest';
import { backendInfo, dispose, getBackend, matmul, ready, setBackend } from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { WorkerPool } from '../../src/backend/wasm/pool.js';

// Large enough for gemm to split over a pool of 2.
const identity = Array.from({ length: 300 }, (_, i) => Array.from({ length: 300 }, (_, j) => (i === j ? 1 : 0)));

// Runs in its own worker, so the registry starts unloaded.
describe('backend registry', () => {
  it("runs on 'ts' before ready() and refuses 'wasm' until it is loaded", () => {
    expect(getBackend()).toBe('ts');
    expect(() => setBackend('wasm')).toThrow(/await ready\(\) first/);
    expect(matmul([[2]], [[3]]).toArray()).toEqual([[6]]);
  });

  it("switches to 'wasm' after ready(), which is safe to call many times", async () => {
    await Promise.all([ready(), ready()]);
    expect(getBackend()).toBe('wasm');
    setBackend('ts');
    await ready();
    expect(getBackend()).toBe('ts');
    setBackend('wasm');
    expect(getBackend()).toBe('wasm');
  });

  it('rejects unknown backends, and bad options as a rejected promise', async () => {
    expect(() => setBackend('gpu' as never)).toThrow(new TypeError(`setBackend: unknown backend "gpu"; expected 'wasm' or 'ts'`));
    await expect(ready({ cores: 2 } as never)).rejects.toThrow(new TypeError("ready: unknown option 'cores'; expected one of wasm, threads, simd"));
    for (const threads of [0, 1.5, -1, NaN, 257, '2']) {
      await expect(ready({ threads } as never)).rejects.toThrow(`ready: threads must be an integer from 1 to 256, got ${String(threads)}`);
    }
    await expect(ready({ simd: 'fast' } as never)).rejects.toThrow(`ready: simd must be 'auto', 'relaxed' or 'standard', got "fast"`);
  });

  it('refuses a module without the expected exports, and keeps the active backend', async () => {
    await ready({ threads: 1, simd: 'standard' });
    const before = backendInfo();
    const emptyModule = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);
    await expect(ready({ wasm: emptyModule, threads: 1 })).rejects.toThrow(
      /^ready: the module is not a build of this library; it lacks the exports alloc, arena, mark, release, /,
    );
    expect(backendInfo()).toEqual(before);
    expect(matmul([[1, 2]], [[3], [4]]).toArray()).toEqual([[11]]);
  });

  it('loads again when the options change, and reports what it loaded', async () => {
    await ready();
    // The suite runs Node 20 with relaxed SIMD enabled; the default is every core.
    expect(backendInfo()).toEqual({ backend: 'wasm', simd: 'relaxed', threads: (await import('node:os')).availableParallelism(), note: undefined });
    await ready({ threads: 1, simd: 'standard' });
    expect(backendInfo()).toEqual({ backend: 'wasm', simd: 'standard', threads: 1, note: undefined });
    await ready({ threads: 2 });
    expect(backendInfo()).toMatchObject({ simd: 'relaxed', threads: 2 });
    expect(matmul([[1, 2]], [[3], [4]]).toArray()).toEqual([[11]]);
    setBackend('ts');
    expect(backendInfo()).toMatchObject({ backend: 'ts', threads: 1 });
    setBackend('wasm');
  });

  it('falls back to one thread where shared memory is unavailable, and says so', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    vi.stubGlobal('SharedArrayBuffer', undefined);
    let warnings: unknown[][];
    try {
      await ready({ threads: 2, simd: 'standard' });
    } finally {
      vi.unstubAllGlobals();
      warnings = warn.mock.calls.slice();
      warn.mockRestore();
    }
    const info = backendInfo();
    expect(info.threads).toBe(1);
    expect(info.note).toMatch(/running on 1 thread instead of 2: SharedArrayBuffer is unavailable/);
    expect(warnings).toEqual([[`ntk-wasm: ${info.note}`]]);
    expect(matmul([[2]], [[3]]).toArray()).toEqual([[6]]);
  });

  it('falls back to one thread where workers cannot start (say, a CSP without worker-src blob:)', async () => {
    const create = vi.spyOn(WorkerPool, 'create').mockRejectedValue(new Error('blocked by CSP'));
    try {
      await ready({ simd: 'relaxed' });
    } finally {
      create.mockRestore();
    }
    expect(backendInfo()).toMatchObject({ backend: 'wasm', threads: 1 });
    expect(backendInfo().note).toMatch(/^running on 1 thread instead of \d+: the worker threads could not start \(blocked by CSP\)$/);
    expect(matmul(identity, identity).get(299, 299)).toBe(1);
  });

  it('switches at once on a reload: calls meanwhile run on the old module, whose pool stops only after the switch', async () => {
    await ready({ threads: 2 });
    const old = wasmHeap();
    const seen: string[] = [];
    // A parallel call, and which module ran it.
    const call = () => {
      try {
        seen.push(`${wasmHeap() === old ? 'old' : 'new'} module: ${matmul(identity, identity).get(299, 299)}`);
      } catch (error) {
        seen.push((error as Error).message);
      }
    };
    const terminate = WorkerPool.prototype.terminate;
    const spy = vi.spyOn(WorkerPool.prototype, 'terminate').mockImplementation(async function (this: WorkerPool) {
      const ending = terminate.call(this); // the old pool refuses work from here on
      call();
      await ending;
      call();
    });
    try {
      const reloading = ready({ threads: 1 });
      call();
      await reloading;
    } finally {
      spy.mockRestore();
    }
    expect(seen).toEqual(['old module: 1', 'new module: 1', 'new module: 1']);
    expect(backendInfo()).toMatchObject({ backend: 'wasm', threads: 1 });
  });

  it('takes concurrent ready() and dispose() calls in call order: each settles in turn, and the last one wins', async () => {
    const settled: number[] = [];
    const calls = [ready({ threads: 2 }), ready({ threads: 1, simd: 'standard' }), dispose(), ready({ threads: 1, simd: 'standard' })];
    await Promise.all(calls.map((call, i) => call.then(() => settled.push(i))));
    expect(settled).toEqual([0, 1, 2, 3]);
    expect(backendInfo()).toEqual({ backend: 'wasm', simd: 'standard', threads: 1, note: undefined });
    await Promise.all([ready({ threads: 1 }), ready({ threads: 2 })]);
    expect(backendInfo()).toMatchObject({ simd: 'relaxed', threads: 2 });
    expect(matmul(identity, identity).get(299, 299)).toBe(1);
  });
});
