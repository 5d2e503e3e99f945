import type { WasmHeap } from './heap.js';
import { importNodeBuiltin, type NtkExports } from './loader.js';

/** The exports a worker may run: kernels that compute on pointers and never allocate outside their region. */
export const WORKER_KERNELS = ['gemm', 'syrk', 'gramInner', 'gramMap', 'netForward', 'netJacobian', 'netSignals', 'netNtkRows', 'netGradient', 'infiniteRows'] as const;
/** A kernel a worker may run. */
export type WorkerKernel = (typeof WORKER_KERNELS)[number];

/** One share of a parallel call: a kernel, its arguments, and the scratch bytes it allocates. */
export interface KernelCall {
  kernel: WorkerKernel;
  args: number[];
  scratchBytes: number;
}

// Per-worker slot in the control block (Int32): state, kernel index, argument count, then the
// error message (length, UTF-16 code units). Arguments (with the arena region first) are float64s.
const IDLE = 0;
const RUN = 1;
const DONE = 2;
const FAILED = 3;
const STOP = 4;
const MESSAGE_UNITS = 240;
const SLOT_INTS = 4 + MESSAGE_UNITS;
const SLOT_ARGS = 32;

// Plain JavaScript, so that it runs as it is in a Node worker (eval) and in a Web Worker (Blob URL).
const WORKER_SOURCE = `'use strict';
const isNode = typeof self === 'undefined';
// getBuiltinModule, not require: eval'd code is ESM when Node runs with --input-type=module.
const port = isNode ? process.getBuiltinModule('node:worker_threads').parentPort : self;
const onFirstMessage = (handler) => isNode
  ? port.once('message', handler)
  : self.addEventListener('message', (event) => handler(event.data), { once: true });
onFirstMessage(async ({ module, memory, control, argsBuffer, slot, kernels }) => {
  let exports;
  try {
    const instance = await WebAssembly.instantiate(module, { env: { memory,
      abort(message, file, line, column) { throw new Error('ntk-wasm: WASM assertion failed at ' + line + ':' + column); } } });
    exports = instance.exports;
  } catch (error) {
    port.postMessage({ error: String(error) });
    return;
  }
  port.postMessage({ ready: true });
  const state = new Int32Array(control);
  const args = new Float64Array(argsBuffer);
  const at = slot * ${SLOT_INTS};
  const argsAt = slot * ${SLOT_ARGS};
  for (;;) {
    let command;
    while ((command = Atomics.load(state, at)) !== ${RUN} && command !== ${STOP}) Atomics.wait(state, at, command);
    if (command === ${STOP}) break;
    try {
      const name = kernels[state[at + 1]];
      const kernel = exports[name];
      if (typeof kernel !== 'function') throw new Error('unknown kernel ' + name);
      const count = state[at + 2];
      const call = [];
      for (let i = 2; i < count; i++) call.push(args[argsAt + i]);
      exports.arena(args[argsAt], args[argsAt + 1]);
      kernel(...call);
      Atomics.store(state, at, ${DONE});
    } catch (error) {
      const text = String(error && error.name ? error.name + ': ' + error.message : error).slice(0, ${MESSAGE_UNITS});
      state[at + 3] = text.length;
      for (let i = 0; i < text.length; i++) state[at + 4 + i] = text.charCodeAt(i);
      Atomics.store(state, at, ${FAILED});
    }
    Atomics.notify(state, at);
  }
  if (isNode) port.close(); else self.close();
});
`;

interface PoolWorker {
  postMessage(message: unknown): void;
  terminate(): unknown;
}

/** Whether this thread may block in Atomics.wait (browsers forbid it on the main thread). */
function canBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

async function spawn(): Promise<{ worker: PoolWorker; firstMessage: Promise<{ ready?: boolean; error?: string }> }> {
  if (typeof process === 'object' && process.versions?.node !== undefined) {
    const { Worker } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
    const worker = new Worker(WORKER_SOURCE, { eval: true });
    worker.unref(); // an idle pool must not keep the process alive
    const firstMessage = new Promise<{ ready?: boolean; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return { worker, firstMessage };
  }
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  const firstMessage = new Promise<{ ready?: boolean; error?: string }>((resolve, reject) => {
    worker.addEventListener('message', (event) => resolve(event.data), { once: true });
    worker.addEventListener('error', (event) => reject(new Error(event.message)), { once: true });
  });
  return { worker, firstMessage };
}

/**
 * Threads over one shared WASM memory: the calling thread and `size − 1` workers, each with its own
 * instance of the module. A parallel call gives every thread one share; the caller runs the first and
 * waits for the rest, so the public API stays synchronous.
 */
export class WorkerPool {
  private readonly state: Int32Array;
  private readonly args: Float64Array;
  private readonly blocking = canBlock();
  private stopped = false;

  private constructor(
    private readonly exports: NtkExports,
    private readonly workers: PoolWorker[],
    control: SharedArrayBuffer,
    argsBuffer: SharedArrayBuffer,
  ) {
    this.state = new Int32Array(control);
    this.args = new Float64Array(argsBuffer);
  }

  /** Threads in the pool, the calling one included. */
  get size(): number {
    return this.workers.length + 1;
  }

  /** Starts `threads − 1` workers on the module and its shared memory; resolves when all are instantiated. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: NtkExports, threads: number): Promise<WorkerPool> {
    const control = new SharedArrayBuffer(threads * SLOT_INTS * 4);
    const argsBuffer = new SharedArrayBuffer(threads * SLOT_ARGS * 8);
    const started = await Promise.all(Array.from({ length: threads - 1 }, () => spawn()));
    const workers = started.map((entry) => entry.worker);
    try {
      started.forEach(({ worker }, index) => {
        worker.postMessage({ module, memory, control, argsBuffer, slot: index + 1, kernels: WORKER_KERNELS });
      });
      for (const { firstMessage } of started) {
        const message = await firstMessage;
        if (message.error !== undefined) throw new Error(`ready: a worker could not instantiate the module: ${message.error}`);
      }
    } catch (error) {
      for (const worker of workers) worker.terminate();
      throw error;
    }
    return new WorkerPool(exports, workers, control, argsBuffer);
  }

  /**
   * Runs `calls[0]` here and the others on workers, each worker with a scratch region of its own in
   * the caller's arena frame; returns when all are done. A failure anywhere becomes an error here,
   * thrown only after every share has finished, and the pool stays usable.
   */
  run(heap: WasmHeap, op: string, calls: KernelCall[]): void {
    if (calls.length > this.size) throw new Error(`${op}: ${calls.length} shares for a pool of ${this.size} threads`);
    if (this.stopped) throw new Error(`${op}: the worker pool was terminated`);
    const posted: number[] = [];
    let failure: unknown;
    try {
      for (let slot = 1; slot < calls.length; slot++) {
        const { kernel, args, scratchBytes } = calls[slot];
        if (args.length + 2 > SLOT_ARGS) throw new Error(`${op}: ${kernel} has more arguments than a worker slot holds`);
        const base = heap.alloc(op, Math.ceil(scratchBytes / 8));
        const at = slot * SLOT_INTS;
        const argsAt = slot * SLOT_ARGS;
        this.args[argsAt] = base;
        this.args[argsAt + 1] = base + scratchBytes;
        this.args.set(args, argsAt + 2);
        this.state[at + 1] = WORKER_KERNELS.indexOf(kernel);
        this.state[at + 2] = args.length + 2;
        Atomics.store(this.state, at, RUN);
        Atomics.notify(this.state, at);
        posted.push(slot);
      }
      const { kernel, args } = calls[0];
      heap.run(op, () => (this.exports[kernel] as (...values: number[]) => void)(...args));
    } catch (error) {
      failure = error;
    }
    for (const slot of posted) {
      const error = this.await(op, slot);
      failure ??= error;
    }
    if (failure !== undefined) throw failure;
  }

  // Waits for one worker's share; returns its failure as an error (undefined on success).
  private await(op: string, slot: number): Error | undefined {
    const at = slot * SLOT_INTS;
    let status: number;
    while ((status = Atomics.load(this.state, at)) === RUN) {
      if (this.blocking) Atomics.wait(this.state, at, RUN);
    }
    this.state[at] = IDLE;
    if (status === DONE) return undefined;
    const length = this.state[at + 3];
    const text = String.fromCharCode(...this.state.subarray(at + 4, at + 4 + length));
    return text.startsWith('RuntimeError')
      ? new RangeError(`${op}: the WASM kernel ran out of memory in worker ${slot} (${text})`)
      : new Error(`${op}: worker ${slot} failed: ${text}`);
  }

  /**
   * Stops the workers and ends their threads (each drops its instance, so the shared memory can be
   * reclaimed once the caller drops it too); later parallel calls throw. Resolves when the threads have ended.
   */
  async terminate(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (let slot = 1; slot < this.size; slot++) {
      Atomics.store(this.state, slot * SLOT_INTS, STOP);
      Atomics.notify(this.state, slot * SLOT_INTS);
    }
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}
