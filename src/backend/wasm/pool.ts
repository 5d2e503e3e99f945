import type { WasmHeap } from './heap.js';
import { HOST_IMPORTS } from './hosts.js';
import { importNodeBuiltin, type NtkExports } from './loader.js';

/** The exports a worker may run: kernels that compute on pointers and never allocate outside their region. */
export const WORKER_KERNELS = [
  'gemm',
  'syrk',
  'gramInner',
  'gramMap',
  'nystromRows',
  'netForward',
  'netJacobian',
  'netSignals',
  'netNtkRows',
  'netNtkJacobian',
  'netNtkVectorProducts',
  'netTangents',
  'netGradient',
  'infiniteRows',
  'spatialVariances',
  'spatialRows',
  'choleskyPanel',
  'choleskyUpdate',
  'trsmLower',
  'symvUpper',
  'tridiagonalUpdate',
  'householderApply',
  'dcSolve',
  'dcMergeColumns',
] as const;
/** A kernel a worker may run. */
export type WorkerKernel = (typeof WORKER_KERNELS)[number];

/** One share of a parallel call: a kernel, its arguments, and the scratch bytes it allocates. */
export interface KernelCall {
  kernel: WorkerKernel;
  args: number[];
  scratchBytes: number;
}

// Per-worker slot in the control block (Int32): state, the call it runs first, one unused, then the error message
// (length, UTF-16 code units); in the float64 block, the worker's arena region (start, end). After the slots, one
// run's queue of calls: the next call to take and how many there are, then per call its kernel index and argument
// count (Int32), and its arguments (float64). Every thread runs its own call (this one the first, worker k the
// (k+1)-th), then takes calls from the queue until it is empty, so none waits while work remains.
const IDLE = 0;
const RUN = 1;
const DONE = 2;
const FAILED = 3;
const STOP = 4;
const MESSAGE_UNITS = 240;
const SLOT_INTS = 4 + MESSAGE_UNITS;
const SLOT_ARGS = 2;
const QUEUE_CALLS = 64;
const CALL_ARGS = 32;

// Plain JavaScript, so that it runs as it is in a Node worker (eval) and in a Web Worker (Blob URL).
const WORKER_SOURCE = `'use strict';
const isNode = typeof self === 'undefined';
// getBuiltinModule, not require: eval'd code is ESM when Node runs with --input-type=module.
const port = isNode ? process.getBuiltinModule('node:worker_threads').parentPort : self;
const onFirstMessage = (handler) => isNode
  ? port.once('message', handler)
  : self.addEventListener('message', (event) => handler(event.data), { once: true });
onFirstMessage(async ({ module, memory, control, argsBuffer, slot, kernels, queueAt, queueArgsAt }) => {
  let exports;
  try {
    const instance = await WebAssembly.instantiate(module, { env: { memory,
      abort(message, file, line, column) {
        const text = message === 0 ? '' : ': ' + String.fromCharCode(...new Uint16Array(memory.buffer, message, new Uint32Array(memory.buffer, message - 4, 1)[0] >>> 1));
        throw new Error('ntk-wasm: WASM assertion failed' + (line === 0 ? '' : ' at ' + line + ':' + column) + text);
      },${HOST_IMPORTS.map((name) => ` ${name}() { throw new Error('ntk-wasm: JavaScript given to the library (an elementwise layer, a loss) cannot run on a worker thread'); }`).join(',')} } });
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
  const queue = queueAt;
  for (;;) {
    let command;
    while ((command = Atomics.load(state, at)) !== ${RUN} && command !== ${STOP}) Atomics.wait(state, at, command);
    if (command === ${STOP}) break;
    try {
      // Its own call first, then calls from the run's queue until it is empty, each in this worker's arena region.
      for (let call = state[at + 1]; call < state[queue + 1]; call = Atomics.add(state, queue, 1)) {
        const name = kernels[state[queue + 2 + 2 * call]];
        const kernel = exports[name];
        if (typeof kernel !== 'function') throw new Error('unknown kernel ' + name);
        const count = state[queue + 3 + 2 * call];
        const from = queueArgsAt + call * ${CALL_ARGS};
        exports.arena(args[argsAt], args[argsAt + 1]);
        kernel(...args.subarray(from, from + count));
      }
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

// The workers' parent, also plain JavaScript. A thread blocked in Atomics.wait cannot hear that a worker died
// (its events wait for the event loop), so the workers belong to this supervisor, whose event loop stays free:
// when a worker ends unexpectedly it fails the worker's share in the control block, which wakes the caller
// with an error, and starts a replacement; \`ready\` (one Int32 per slot) says which workers can take a share.
const SUPERVISOR_SOURCE = `'use strict';
const isNode = typeof self === 'undefined';
const threads = isNode ? process.getBuiltinModule('node:worker_threads') : null;
const port = isNode ? threads.parentPort : self;
const onMessage = (handler) => isNode ? port.on('message', handler) : self.addEventListener('message', (event) => handler(event.data));
let init;
let started = 0;
const children = [];
function fail(slot, text) {
  const state = new Int32Array(init.control);
  const at = slot * ${SLOT_INTS};
  if (Atomics.load(state, at) !== ${RUN}) return;
  const message = text.slice(0, ${MESSAGE_UNITS});
  state[at + 3] = message.length;
  for (let i = 0; i < message.length; i++) state[at + 4 + i] = message.charCodeAt(i);
  Atomics.store(state, at, ${FAILED});
  Atomics.notify(state, at);
}
function spawn(slot) {
  const ready = new Int32Array(init.ready);
  Atomics.store(ready, slot, 0);
  const child = isNode
    ? new threads.Worker(init.workerSource, { eval: true })
    : new Worker(URL.createObjectURL(new Blob([init.workerSource], { type: 'text/javascript' })));
  children[slot] = child;
  let alive = true;
  let served = false;
  // A worker that never started (the module would not instantiate) reported why; it is not restarted.
  const ended = (why) => {
    if (!alive || !served) return;
    alive = false;
    fail(slot, 'Error: the worker stopped unexpectedly (' + why + '); it is being restarted');
    spawn(slot);
  };
  const listen = (type, handler) => isNode ? child.on(type, handler) : child.addEventListener(type, handler);
  listen('message', (event) => {
    const message = isNode ? event : event.data;
    if (message.error !== undefined && started < init.count) port.postMessage({ error: message.error });
    if (message.ready) {
      served = true;
      Atomics.store(ready, slot, 1);
      if (++started === init.count) port.postMessage({ ready: true });
    }
  });
  listen('error', (error) => ended(String(error && error.message ? error.message : error)));
  if (isNode) child.on('exit', (code) => ended('exit code ' + code));
  child.postMessage({ module: init.module, memory: init.memory, control: init.control, argsBuffer: init.argsBuffer, slot, kernels: init.kernels,
    queueAt: init.queueAt, queueArgsAt: init.queueArgsAt });
}
onMessage((message) => {
  if (message.init) {
    init = message.init;
    for (let slot = 1; slot <= init.count; slot++) spawn(slot);
  } else if (message.end !== undefined) {
    // Ends the worker while it runs a share.
    const state = new Int32Array(init.control);
    const endWhenRunning = () => Atomics.load(state, message.end * ${SLOT_INTS}) === ${RUN}
      ? children[message.end].terminate()
      : setTimeout(endWhenRunning, 1);
    setTimeout(endWhenRunning, message.after);
  }
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

async function spawn(source: string): Promise<{ worker: PoolWorker; firstMessage: Promise<{ ready?: boolean; error?: string }> }> {
  if (typeof process === 'object' && process.versions?.node !== undefined) {
    const { Worker } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
    const worker = new Worker(source, { eval: true });
    worker.unref(); // an idle pool must not keep the process alive
    const firstMessage = new Promise<{ ready?: boolean; error?: string }>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return { worker, firstMessage };
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
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
  private readonly ready: Int32Array;
  private readonly blocking = canBlock();
  private stopped = false;

  private constructor(
    private readonly exports: NtkExports,
    private readonly supervisor: PoolWorker,
    private readonly threads: number,
    control: SharedArrayBuffer,
    argsBuffer: SharedArrayBuffer,
    ready: SharedArrayBuffer,
  ) {
    this.state = new Int32Array(control);
    this.args = new Float64Array(argsBuffer);
    this.ready = new Int32Array(ready);
  }

  /** Threads in the pool, the calling one included. */
  get size(): number {
    return this.threads;
  }

  /** Starts `threads − 1` workers on the module and its shared memory; resolves when all are instantiated. */
  static async create(module: WebAssembly.Module, memory: WebAssembly.Memory, exports: NtkExports, threads: number): Promise<WorkerPool> {
    const control = new SharedArrayBuffer((threads * SLOT_INTS + 2 + 2 * QUEUE_CALLS) * 4);
    const argsBuffer = new SharedArrayBuffer((threads * SLOT_ARGS + QUEUE_CALLS * CALL_ARGS) * 8);
    const ready = new SharedArrayBuffer(threads * 4);
    const { worker, firstMessage } = await spawn(SUPERVISOR_SOURCE);
    try {
      worker.postMessage({
        init: {
          module,
          memory,
          control,
          argsBuffer,
          ready,
          count: threads - 1,
          kernels: WORKER_KERNELS,
          workerSource: WORKER_SOURCE,
          queueAt: threads * SLOT_INTS,
          queueArgsAt: threads * SLOT_ARGS,
        },
      });
      const message = await firstMessage;
      if (message.error !== undefined) throw new Error(`ready: a worker could not instantiate the module: ${message.error}`);
    } catch (error) {
      worker.terminate();
      throw error;
    }
    return new WorkerPool(exports, worker, threads, control, argsBuffer, ready);
  }

  /**
   * @internal Ends worker `slot` from outside, as a crash would, once it runs a share at least `delayMs` from now
   * (for the tests of recovery).
   */
  endWorker(slot: number, delayMs: number): void {
    this.supervisor.postMessage({ end: slot, after: delayMs });
  }

  /** Whether every worker is running (after a crash, until its replacement has started). */
  get healthy(): boolean {
    for (let slot = 1; slot < this.threads; slot++) if (Atomics.load(this.ready, slot) !== 1) return false;
    return true;
  }

  /**
   * Runs the calls on this thread and the workers, each call once, in any order and on any thread (callers
   * give every call its own output, so the result does not depend on which thread ran it); returns when all
   * are done. The calls go in a queue from which every thread takes the next until it is empty, so no thread
   * waits while another has two calls left; each worker has one scratch region in the caller's arena frame. A
   * failure anywhere becomes an error here, thrown once every started call has finished, and the pool stays usable.
   * After {@link terminate} every call runs on this thread (an object made before a reload keeps working).
   */
  run(heap: WasmHeap, op: string, calls: KernelCall[]): void {
    for (let first = 0; first < calls.length; first += QUEUE_CALLS) this.runQueue(heap, op, calls.slice(first, first + QUEUE_CALLS));
  }

  private runQueue(heap: WasmHeap, op: string, calls: KernelCall[]): void {
    const scratchBytes = Math.max(...calls.map((call) => call.scratchBytes));
    const queue = this.threads * SLOT_INTS;
    const queueArgs = this.threads * SLOT_ARGS;
    calls.forEach(({ kernel, args }, i) => {
      if (args.length > CALL_ARGS) throw new Error(`${op}: ${kernel} has more arguments than a queued call holds`);
      this.state[queue + 2 + 2 * i] = WORKER_KERNELS.indexOf(kernel);
      this.state[queue + 3 + 2 * i] = args.length;
      this.args.set(args, queueArgs + i * CALL_ARGS);
    });
    this.state[queue + 1] = calls.length;
    // As many ready workers as there are calls beyond this thread's first; the queue starts after their own calls.
    const started = [];
    for (let slot = 1; !this.stopped && slot < this.size && started.length < calls.length - 1; slot++) {
      if (Atomics.load(this.ready, slot) === 1) started.push(slot);
    }
    Atomics.store(this.state, queue, started.length + 1);
    started.forEach((slot, k) => {
      const region = heap.alloc(op, Math.ceil(scratchBytes / 8));
      this.args[slot * SLOT_ARGS] = region;
      this.args[slot * SLOT_ARGS + 1] = region + scratchBytes;
      const at = slot * SLOT_INTS;
      this.state[at + 1] = k + 1;
      Atomics.store(this.state, at, RUN);
      Atomics.notify(this.state, at);
    });
    let failure: unknown;
    try {
      for (let call = 0; call < calls.length; call = Atomics.add(this.state, queue, 1)) {
        const { kernel, args } = calls[call];
        heap.run(op, () => (this.exports[kernel] as (...values: number[]) => void)(...args));
      }
    } catch (error) {
      failure = error;
      // The others take no more calls.
      Atomics.store(this.state, queue, calls.length);
    }
    for (const slot of started) {
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
    // Ending the supervisor ends the workers it started.
    await this.supervisor.terminate();
  }
}
