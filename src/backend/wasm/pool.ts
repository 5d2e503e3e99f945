import type { WasmHeap } from './heap.js';
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
      abort(message, file, line, column) {
        const text = message === 0 ? '' : ': ' + String.fromCharCode(...new Uint16Array(memory.buffer, message, new Uint32Array(memory.buffer, message - 4, 1)[0] >>> 1));
        throw new Error('ntk-wasm: WASM assertion failed' + (line === 0 ? '' : ' at ' + line + ':' + column) + text);
      } } });
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
  child.postMessage({ module: init.module, memory: init.memory, control: init.control, argsBuffer: init.argsBuffer, slot, kernels: init.kernels });
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
    const control = new SharedArrayBuffer(threads * SLOT_INTS * 4);
    const argsBuffer = new SharedArrayBuffer(threads * SLOT_ARGS * 8);
    const ready = new SharedArrayBuffer(threads * 4);
    const { worker, firstMessage } = await spawn(SUPERVISOR_SOURCE);
    try {
      worker.postMessage({ init: { module, memory, control, argsBuffer, ready, count: threads - 1, kernels: WORKER_KERNELS, workerSource: WORKER_SOURCE } });
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
   * are done. Each worker has one scratch region in the caller's arena frame for the calls it runs. This
   * thread runs the first call and hands each idle worker the next one, then takes the next itself. A failure
   * anywhere becomes an error here, thrown once every started call has finished, and the pool stays usable.
   * After {@link terminate} every call runs on this thread (an object made before a reload keeps working).
   */
  run(heap: WasmHeap, op: string, calls: KernelCall[]): void {
    const scratchBytes = Math.max(...calls.map((call) => call.scratchBytes));
    const idle: number[] = [];
    if (!this.stopped) for (let slot = 1; slot < this.size; slot++) if (Atomics.load(this.ready, slot) === 1) idle.push(slot);
    const regions = new Map<number, number>();
    const busy = new Set<number>();
    let next = 0;
    let failure: unknown;
    const post = (slot: number) => {
      const { kernel, args } = calls[next++];
      if (args.length + 2 > SLOT_ARGS) throw new Error(`${op}: ${kernel} has more arguments than a worker slot holds`);
      if (!regions.has(slot)) regions.set(slot, heap.alloc(op, Math.ceil(scratchBytes / 8)));
      const base = regions.get(slot)!;
      const at = slot * SLOT_INTS;
      const argsAt = slot * SLOT_ARGS;
      this.args[argsAt] = base;
      this.args[argsAt + 1] = base + scratchBytes;
      this.args.set(args, argsAt + 2);
      this.state[at + 1] = WORKER_KERNELS.indexOf(kernel);
      this.state[at + 2] = args.length + 2;
      Atomics.store(this.state, at, RUN);
      Atomics.notify(this.state, at);
      busy.add(slot);
    };
    // Collects the workers that have finished (waiting for one when `block`); they become idle again.
    const collect = (block: boolean) => {
      for (const slot of busy) {
        if (!block && Atomics.load(this.state, slot * SLOT_INTS) === RUN) continue;
        const error = this.await(op, slot);
        failure ??= error;
        busy.delete(slot);
        idle.push(slot);
        if (block) return;
      }
    };
    try {
      // This thread takes the first call; idle workers the next ones, then whatever remains as they free up.
      let local: KernelCall | undefined = calls[next++];
      while (local !== undefined) {
        while (idle.length > 0 && next < calls.length) post(idle.shift()!);
        const { kernel, args } = local;
        heap.run(op, () => (this.exports[kernel] as (...values: number[]) => void)(...args));
        collect(false);
        while (idle.length > 0 && next < calls.length) post(idle.shift()!);
        local = failure === undefined && next < calls.length ? calls[next++] : undefined;
      }
    } catch (error) {
      failure = error;
    }
    while (busy.size > 0) collect(true);
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
