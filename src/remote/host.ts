// The worker side of spawnWorker: the whole library in a Web Worker (or a Node worker thread), answering
// the client's requests one at a time. Values that are not data stay here as handles.
import * as library from '../library.js';
import { CALLBACK, HANDLE, type Hello, type Reply, type Request, SIGNAL, type Wire, decode, encodeData, encodeError, isData } from './protocol.js';

interface Port {
  post(message: Reply, transfer?: ArrayBuffer[]): void;
  listen(handler: (message: unknown) => void): void;
}

// process.getBuiltinModule keeps browser bundlers from seeing a Node import.
function parentPort(): Port {
  const nodeProcess = (globalThis as { process?: { getBuiltinModule?: (name: string) => unknown } }).process;
  const threads = nodeProcess?.getBuiltinModule?.('node:worker_threads') as typeof import('node:worker_threads') | undefined;
  if (threads?.parentPort) {
    const port = threads.parentPort;
    return { post: (message, transfer) => port.postMessage(message, transfer), listen: (handler) => port.on('message', handler) };
  }
  const scope = globalThis as unknown as {
    postMessage(message: unknown, transfer?: Transferable[]): void;
    addEventListener(type: 'message', handler: (event: MessageEvent) => void): void;
  };
  return {
    post: (message, transfer) => scope.postMessage(message, transfer ?? []),
    listen: (handler) => scope.addEventListener('message', (event) => handler(event.data)),
  };
}

const port = parentPort();
// Handle 0 is the library itself, so `ntk.rbfKernel(…)` is a call on path ['rbfKernel'] of handle 0.
const handles = new Map<number, unknown>([[0, library]]);
let nextHandle = 1;
let flags: Int32Array | undefined;

const abortReason = () => new DOMException('The operation was aborted.', 'AbortError');

/** A signal that reads its slot of the shared flags: the client sets it while this thread is busy computing. */
function sharedSignal(slot: number): AbortSignal {
  const shared = flags;
  const signal = {
    get aborted() {
      return shared !== undefined && Atomics.load(shared, slot) !== 0;
    },
    get reason() {
      return signal.aborted ? abortReason() : undefined;
    },
    throwIfAborted() {
      if (signal.aborted) throw abortReason();
    },
  };
  return signal as unknown as AbortSignal;
}

function resolveTag(tag: string, payload: unknown): unknown {
  if (tag === HANDLE) {
    const value = handles.get(payload as number);
    if (value === undefined) throw new Error(`ntk-wasm worker: handle ${String(payload)} was released`);
    return value;
  }
  if (tag === CALLBACK) return (...args: unknown[]) => port.post({ callback: payload as number, args: args.map((arg) => encodeData(arg)) });
  if (tag === SIGNAL) return sharedSignal(payload as number);
  throw new Error(`ntk-wasm worker: unknown tag ${tag}`);
}

/** A result: data by value (with its fresh buffers moved, not copied, unless it is a property read), else a handle. */
function encodeResult(value: unknown, kind: Request['kind'], transfer: ArrayBuffer[]): Wire {
  if (isData(value)) return encodeData(value, kind === 'get' ? undefined : transfer);
  const id = nextHandle++;
  handles.set(id, value);
  return { [HANDLE]: id };
}

async function answer({ id, kind, handle, path, args }: Request): Promise<void> {
  try {
    if (kind === 'release') {
      if (handle !== 0) handles.delete(handle);
      port.post({ id, value: undefined });
      return;
    }
    let owner: unknown;
    let target = resolveTag(HANDLE, handle);
    for (const key of path) {
      owner = target;
      target = (target as Record<string, unknown>)[key];
    }
    const name = ['ntk', ...path].join('.');
    const signals: AbortSignal[] = [];
    const decoded = decode(args, (tag, payload) => {
      const value = resolveTag(tag, payload);
      if (tag === SIGNAL) signals.push(value as AbortSignal);
      return value;
    }) as unknown[];
    // A call aborted while it waited for its turn does not start. Once it runs, its own checks between chunks
    // decide, and whatever it returns has been committed: the client resolves with it even if it aborted since.
    if (signals.some((signal) => signal.aborted)) throw abortReason();
    let result: unknown;
    if (kind === 'get') result = target;
    else if (typeof target !== 'function') throw new TypeError(`${name} is not a function`);
    else if (kind === 'apply') result = await (target as (...values: unknown[]) => unknown).apply(owner, decoded);
    else result = new (target as new (...values: unknown[]) => unknown)(...decoded);
    const transfer: ArrayBuffer[] = [];
    port.post({ id, value: encodeResult(result, kind, transfer) }, transfer);
  } catch (error) {
    port.post({ id, error: encodeError(error) });
  }
}

// One request at a time, in order: the library is synchronous, and ready()/dispose() must not interleave.
let queue = Promise.resolve();
let started = false;
port.listen((message) => {
  if (!started) {
    started = true;
    const hello = message as Hello;
    flags = hello.flags === undefined ? undefined : new Int32Array(hello.flags);
    // ready() may throw before it returns a promise (bad options): report that as a failure too.
    queue = Promise.resolve()
      .then(() => library.ready(hello.ready as library.ReadyOptions))
      .then(
        () => port.post({ ready: true }),
        (error: unknown) => port.post({ failed: encodeError(error) }),
      );
    return;
  }
  queue = queue.then(() => answer(message as Request));
});
