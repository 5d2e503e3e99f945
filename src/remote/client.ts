import type { ReadyOptions } from '../backend/registry.js';
import { buildFor, buildVariant, embeddedBuild, importNodeBuiltin } from '../backend/wasm/loader.js';
import { checkOptions } from '../errors.js';
import type * as Library from '../library.js';
import { Matrix } from '../matrix.js';
import { CALLBACK, HANDLE, type Hello, type Reply, type Request, SIGNAL, SIGNAL_SLOTS, type Wire, decode, decodeError, encodeData } from './protocol.js';

type AnyFunction = (...args: never[]) => unknown;
type AnyConstructor = abstract new (...args: never[]) => unknown;
type Data = Matrix | ArrayBufferView | number | string | boolean | bigint | null | undefined;

/** True when T (an object type) has a method, so it stays in the worker as a handle. */
type HasMethods<T> = { [K in keyof T]-?: NonNullable<T[K]> extends AnyFunction ? true : never }[keyof T] extends never ? false : true;

/**
 * A result as the worker gives it back: data (matrices, typed arrays, numbers, and arrays and plain objects
 * of those) by value; anything with methods (a kernel, a network, a predictor) as a {@link Remote} handle.
 */
export type RemoteValue<T> = T extends Data
  ? T
  : T extends AnyFunction
    ? Remote<T>
    : T extends readonly (infer U)[]
      ? RemoteValue<U>[]
      : T extends object
        ? HasMethods<T> extends true
          ? Remote<T>
          : { [K in keyof T]: RemoteValue<T[K]> }
        : T;

/** An argument of a remote call: what the library takes, or a handle to such a thing in the same worker. */
export type RemoteArgs<A extends readonly unknown[]> = { [I in keyof A]: A[I] | Remote<A[I]> };

/**
 * A value that lives in the worker, seen from the calling thread: every method returns a promise of its
 * {@link RemoteValue}, a function is called the same way, a class is constructed with `await new …`, and
 * a property is read with `await handle.property`.
 */
export type Remote<T> = (T extends (...args: infer A) => infer R ? (...args: RemoteArgs<A>) => Promise<RemoteValue<R>> : unknown) &
  (T extends abstract new (...args: infer A) => infer I ? new (...args: RemoteArgs<A>) => Promise<RemoteValue<I>> : unknown) & {
    readonly [K in keyof T as K extends 'prototype' ? never : K]: NonNullable<T[K]> extends AnyFunction | AnyConstructor
      ? Remote<NonNullable<T[K]>>
      : Promise<RemoteValue<T[K]>>;
  };

/**
 * The library running in a worker: the same names as the module, each returning a promise (see
 * {@link Remote}), plus what manages the worker.
 */
export type RemoteNtk = Remote<typeof Library> & {
  /** Frees a handle's object in the worker; using the handle afterwards rejects. */
  release(handle: Remote<unknown>): Promise<void>;
  /** Stops the worker at once; pending calls reject and later calls reject too. */
  terminate(): Promise<void>;
};

/** Options of {@link spawnWorker}: those of `ready()` in the worker, and where the worker script is. */
export interface SpawnWorkerOptions extends ReadyOptions {
  /**
   * The worker script, `dist/remote/host.js` of the package; found next to this module by default (Vite and
   * webpack emit it from `new URL(…, import.meta.url)`). Where it is not there (esbuild moves the module
   * without it; a Node bundle), spawnWorker starts a self-contained copy of the worker instead, from a Blob (or
   * as eval'd code in Node), and hands it the WASM build: about 53 kB gzipped more, loaded only then. Give
   * `workerUrl` to skip that (esbuild: bundle `ntk-wasm/dist/remote/host.js` as a second entry point and pass
   * its URL) or where a Content-Security-Policy forbids `blob:` workers. A `workerUrl` that does not load is
   * an error naming it.
   */
  workerUrl?: string | URL;
}

const SPAWN_OPTIONS = ['wasm', 'threads', 'simd', 'workerUrl'];

interface Endpoint {
  post(message: Request | Hello): void;
  terminate(): void;
  /** Node only: whether the worker keeps the process alive (while it starts, and while calls are pending). */
  keepAlive(on: boolean): void;
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
  /** The signal that aborted the call, if one has: the host's AbortError then rejects with its reason. */
  aborted: AbortSignal | undefined;
  slots: number[];
  callbacks: number[];
  cleanup: (() => void)[];
}

const isNode = () => typeof process === 'object' && process.versions?.node !== undefined;

/**
 * Where the worker's script comes from: the file beside this module (`dist/remote/host.js`) or a URL the
 * caller gives, or the self-contained script (src/remote/generated/workerSource.ts) for when that file cannot
 * be loaded.
 */
type WorkerScript = { url: string | URL | undefined } | { source: string };

/** The worker failed before its first message: its script did not load (or did not start). */
class ScriptLoadError extends Error {}

const GUIDE_SECTION = "docs/guide.md, 'Workers in bundlers'";

async function startEndpoint(script: WorkerScript, onMessage: (reply: Reply) => void, onError: (error: Error) => void): Promise<Endpoint> {
  if (isNode()) {
    const { Worker } = await importNodeBuiltin<typeof import('node:worker_threads')>('worker_threads');
    // Node takes a file URL only as a URL object.
    const url = 'source' in script ? undefined : typeof script.url === 'string' && script.url.startsWith('file:') ? new URL(script.url) : script.url;
    const worker = 'source' in script ? new Worker(script.source, { eval: true }) : new Worker(url ?? new URL('../remote/host.js', import.meta.url));
    worker.on('message', onMessage);
    worker.on('error', onError);
    return {
      post: (message) => worker.postMessage(message),
      terminate: () => void worker.terminate(),
      keepAlive: (on) => (on ? worker.ref() : worker.unref()),
    };
  }
  let worker: Worker;
  if ('source' in script) {
    const blobUrl = URL.createObjectURL(new Blob([script.source], { type: 'text/javascript' }));
    worker = new Worker(blobUrl);
    URL.revokeObjectURL(blobUrl);
  } else {
    // Written out in full so that bundlers (Vite, webpack, Parcel) emit the worker script as a chunk.
    worker =
      script.url === undefined ? new Worker(new URL('../remote/host.js', import.meta.url), { type: 'module' }) : new Worker(script.url, { type: 'module' });
  }
  worker.addEventListener('message', (event: MessageEvent) => onMessage(event.data as Reply));
  worker.addEventListener('error', (event: ErrorEvent) => onError(new Error(event.message || 'the worker script failed to load')));
  return { post: (message) => worker.postMessage(message), terminate: () => worker.terminate(), keepAlive: () => undefined };
}

/**
 * The self-contained worker script and the ready() options it needs: the WASM build this runtime would load,
 * as bytes, since it cannot import the package's build files (unless the caller gave `wasm`).
 */
async function selfContained(
  wireReady: Record<string, unknown>,
  readyOptions: ReadyOptions,
): Promise<{ script: WorkerScript; ready: Record<string, unknown> }> {
  const { WORKER_SOURCE } = await import('./generated/workerSource.js');
  const build = readyOptions.wasm === undefined ? await buildFor(readyOptions) : undefined;
  const wasm = build && (await embeddedBuild(buildVariant(build.simd, build.shared)));
  return { script: { source: WORKER_SOURCE }, ready: wasm === undefined ? wireReady : { ...wireReady, wasm } };
}

/**
 * Starts the library in a worker — a Web Worker in browsers, a `worker_threads` worker in Node — so that
 * long computations never block the page. The result has the module's names, each returning a promise;
 * kernels, networks and predictors stay in the worker as handles that are used the same way. Matrices
 * cross by value (results are moved, not copied). Inside, the worker calls `ready(options)`, so it may
 * use threads of its own (on a cross-origin isolated page).
 *
 * Progress: pass `onProgress` (any option whose name starts with `on`) and it is called here as the
 * worker reports. Cancellation: pass `signal`. Where the page may share memory (Node, or a cross-origin
 * isolated page) the worker's answer decides: the call rejects with the signal's reason once the worker
 * sees the abort (before the call starts, or between chunks of work), leaving everything as it was, or
 * resolves if the worker had already committed the result — never both. Elsewhere the call rejects at
 * once, the worker is stopped and a fresh one starts on the next call, and handles from before reject.
 *
 * @example
 * ```ts
 * import { spawnWorker } from 'ntk-wasm';
 * const ntk = await spawnWorker();
 * const net = await ntk.mlp({ inputDim: 1, widths: [4096], seed: 0 });       // a handle
 * const controller = new AbortController();
 * const { loss } = await net.train([[0], [1]], [[0], [1]], {
 *   learningRate: 1, steps: 1000, signal: controller.signal,
 *   onProgress: (done, total) => console.log(`${done}/${total}`),
 * });
 * const k = await ntk.rbfKernel({ lengthscale: 1 }).then((kernel) => kernel([[0], [1]])); // a Matrix
 * await ntk.terminate();
 * ```
 */
export async function spawnWorker(options: SpawnWorkerOptions = {}): Promise<RemoteNtk> {
  const fn = 'spawnWorker';
  const { workerUrl, ...readyOptions } = checkOptions(fn, options, SPAWN_OPTIONS);
  if (workerUrl !== undefined && typeof workerUrl !== 'string' && !(workerUrl instanceof URL)) {
    throw new TypeError(`${fn}: workerUrl must be a string or a URL`);
  }
  const wireReady = { ...readyOptions, ...(readyOptions.wasm instanceof URL ? { wasm: readyOptions.wasm.href } : {}) };
  // Shared abort flags, where memory may be shared: the busy worker reads them between chunks.
  const sharable = typeof SharedArrayBuffer === 'function' && (isNode() || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true);
  const flagsBuffer = sharable ? new SharedArrayBuffer(4 * SIGNAL_SLOTS) : undefined;
  const flags = flagsBuffer && new Int32Array(flagsBuffer);
  const freeSlots = Array.from({ length: SIGNAL_SLOTS }, (_, slot) => SIGNAL_SLOTS - 1 - slot);

  const pending = new Map<number, Pending>();
  const callbacks = new Map<number, (...args: unknown[]) => void>();
  const handleOf = new WeakMap<object, { generation: number; handle: number; path: string[] }>();
  let nextId = 1;
  let generation = 0;
  let endpoint: Promise<Endpoint> | undefined;
  let terminated = false;
  // Once the file beside the module failed to load, later workers (after a cancel) start from the script.
  let selfContainedScript: Awaited<ReturnType<typeof selfContained>> | undefined;

  // Frees what a call holds here: its signal slots and callbacks.
  const discard = (entry: Pending) => {
    for (const slot of entry.slots) {
      if (flags) Atomics.store(flags, slot, 0);
      freeSlots.push(slot);
    }
    for (const callback of entry.callbacks) callbacks.delete(callback);
    for (const cleanup of entry.cleanup) cleanup();
  };

  const finish = (id: number) => {
    const entry = pending.get(id);
    if (!entry) return undefined;
    pending.delete(id);
    discard(entry);
    if (pending.size === 0)
      void endpoint?.then(
        (live) => live.keepAlive(false),
        () => undefined,
      );
    return entry;
  };

  // Ends the current worker: its pending calls reject with `error`, and its handles go stale.
  const stop = (error: Error) => {
    const current = endpoint;
    endpoint = undefined;
    generation++;
    void current?.then(
      (live) => live.terminate(),
      () => undefined,
    );
    for (const id of [...pending.keys()]) finish(id)!.reject(error);
  };

  const onMessage = (reply: Reply) => {
    if ('callback' in reply) {
      callbacks.get(reply.callback)?.(...reply.args.map((arg) => decode(arg, () => undefined)));
    } else if ('id' in reply) {
      const entry = finish(reply.id);
      if (!entry) return;
      if ('error' in reply) entry.reject(entry.aborted && reply.error.name === 'AbortError' ? entry.aborted.reason : decodeError(reply.error));
      else entry.resolve(decode(reply.value, (tag, payload) => (tag === HANDLE ? proxy(generation, payload as number, []) : undefined)));
    }
  };

  // Starts a worker on `script` and waits for its ready(): a failure before the worker's first message is a
  // ScriptLoadError.
  const open = async (script: WorkerScript, ready: Record<string, unknown>): Promise<Endpoint> => {
    let heard = false;
    let started!: (value: void) => void;
    let failed!: (error: Error) => void;
    const readyDone = new Promise<void>((resolve, reject) => {
      started = resolve;
      failed = reject;
    });
    const live = await startEndpoint(
      script,
      (reply) => {
        heard = true;
        if ('ready' in reply) started();
        else if ('failed' in reply) failed(decodeError(reply.failed));
        else onMessage(reply);
      },
      (error) => {
        if (!heard) return failed(new ScriptLoadError(error.message));
        failed(error);
        stop(new Error(`ntk-wasm worker: the worker stopped (${error.message}); the next call starts a fresh one`));
      },
    ).catch((error: unknown) => {
      // The Worker constructor refused the script (a malformed URL, another origin).
      throw new ScriptLoadError((error as Error).message);
    });
    live.post({ ready, flags: flagsBuffer });
    try {
      await readyDone;
    } catch (error) {
      live.terminate();
      throw error;
    }
    live.keepAlive(pending.size > 0);
    return live;
  };

  const connect = (): Promise<Endpoint> => {
    if (terminated) return Promise.reject(new Error('ntk-wasm worker: terminated; spawn a new one with spawnWorker()'));
    endpoint ??= (async () => {
      if (selfContainedScript !== undefined) return open(selfContainedScript.script, selfContainedScript.ready);
      try {
        return await open({ url: workerUrl }, wireReady);
      } catch (error) {
        if (!(error instanceof ScriptLoadError)) throw error;
        const where = workerUrl === undefined ? 'beside the module (dist/remote/host.js)' : `at ${String(workerUrl)}`;
        if (workerUrl !== undefined) {
          throw new Error(`ntk-wasm worker: the worker script ${where} failed to load (${error.message}); check workerUrl (${GUIDE_SECTION})`);
        }
        // A bundler that moved this module without the file beside it: the self-contained script instead.
        const fallback = await selfContained(wireReady, readyOptions);
        try {
          const live = await open(fallback.script, fallback.ready);
          selfContainedScript = fallback;
          return live;
        } catch (inner) {
          if (!(inner instanceof ScriptLoadError)) throw inner;
          throw new Error(
            `ntk-wasm worker: the worker script ${where} failed to load (${error.message}), and so did the self-contained one (${inner.message}); ` +
              `give workerUrl (${GUIDE_SECTION})`,
          );
        }
      }
    })();
    const attempt = endpoint;
    attempt.catch(() => {
      if (endpoint === attempt) endpoint = undefined;
    });
    return attempt;
  };

  function encodeArgument(value: unknown, key: string, entry: Pending, signals: AbortSignal[]): Wire {
    if ((typeof value === 'function' || typeof value === 'object') && value !== null && handleOf.has(value)) {
      const target = handleOf.get(value)!;
      if (target.path.length > 0) throw new TypeError(`${fn}: pass a handle itself, not its member ${target.path.join('.')}`);
      if (target.generation !== generation) throw staleHandle();
      return { [HANDLE]: target.handle };
    }
    if (typeof value === 'function') {
      if (!/^on[A-Z]/.test(key)) {
        throw new TypeError(
          `${fn}: ${key || 'an argument'} is a function of this thread; only callbacks (onProgress, …) can cross to the worker — create kernels and networks in the worker instead`,
        );
      }
      const id = nextId++;
      callbacks.set(id, value as (...args: unknown[]) => void);
      entry.callbacks.push(id);
      return { [CALLBACK]: id };
    }
    if (typeof AbortSignal === 'function' && value instanceof AbortSignal) {
      signals.push(value);
      const slot = freeSlots.pop();
      if (slot === undefined) throw new RangeError(`${fn}: more than ${SIGNAL_SLOTS} calls with signals are pending`);
      entry.slots.push(slot);
      return { [SIGNAL]: slot };
    }
    // A result crosses back as a copy, so it cannot land in a matrix of this thread (a layer's `out` is a number).
    if (key === 'out' && typeof value === 'object' && value !== null)
      throw new TypeError(`${fn}: out cannot cross to the worker; a result comes back as a new matrix`);
    if (value instanceof Matrix || ArrayBuffer.isView(value)) return encodeData(value);
    if (Array.isArray(value)) return value.map((item) => encodeArgument(item, key, entry, signals));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, encodeArgument(item, name, entry, signals)]));
    }
    return value;
  }

  const staleHandle = () => new Error('ntk-wasm worker: this handle belonged to a worker that has stopped; create it again');

  function send(kind: Request['kind'], target: { generation: number; handle: number }, path: string[], args: unknown[]): Promise<unknown> {
    if (target.generation !== generation && target.handle !== 0) return Promise.reject(staleHandle());
    const id = nextId++;
    const signals: AbortSignal[] = [];
    let entry!: Pending;
    const result = new Promise((resolve, reject) => {
      entry = { resolve, reject, aborted: undefined, slots: [], callbacks: [], cleanup: [] };
    });
    let encoded: Wire[];
    try {
      encoded = args.map((arg) => encodeArgument(arg, '', entry, signals));
    } catch (error) {
      discard(entry);
      return Promise.reject(error);
    }
    const aborted = signals.find((signal) => signal.aborted);
    if (aborted) {
      discard(entry);
      return Promise.reject(aborted.reason);
    }
    pending.set(id, entry);
    for (const signal of signals) {
      const onAbort = () => {
        if (entry.aborted || !pending.has(id)) return;
        entry.aborted = signal;
        if (flags) {
          // The host may have committed already (after its last check of the flag): its answer settles the call.
          for (const slot of entry.slots) Atomics.store(flags, slot, 1);
        } else {
          // Nothing can reach a busy worker without shared memory: stop it, and whatever it committed with it.
          finish(id);
          entry.reject(signal.reason);
          stop(new DOMException('The worker was stopped to cancel another call.', 'AbortError') as unknown as Error);
        }
      };
      signal.addEventListener('abort', onAbort, { once: true });
      entry.cleanup.push(() => signal.removeEventListener('abort', onAbort));
    }
    connect().then(
      (live) => {
        if (!pending.has(id)) return;
        live.keepAlive(true);
        live.post({ id, kind, handle: target.handle, path, args: encoded });
      },
      (error: unknown) => finish(id)?.reject(error),
    );
    return result;
  }

  function proxy(owner: number, handle: number, path: string[]): unknown {
    const target = { generation: owner, handle };
    const stub = function () {};
    const made: unknown = new Proxy(stub, {
      get(_, key) {
        if (typeof key === 'symbol') return undefined;
        if (key === 'then') {
          // A handle itself is not a promise; a member path is read with `await handle.member`.
          if (path.length === 0) return undefined;
          const value = send('get', target, path, []);
          return value.then.bind(value);
        }
        if (handle === 0 && path.length === 0 && key in local) return local[key as keyof typeof local];
        return proxy(owner, handle, [...path, key]);
      },
      apply: (_, __, args: unknown[]) => send('apply', target, path, args),
      construct: (_, args: unknown[]) => send('construct', target, path, args) as unknown as object,
    });
    handleOf.set(made as object, { generation: owner, handle, path });
    return made;
  }

  const local = {
    release: (handle: unknown): Promise<void> => {
      const target = typeof handle === 'function' || (typeof handle === 'object' && handle !== null) ? handleOf.get(handle) : undefined;
      if (!target || target.path.length > 0) return Promise.reject(new TypeError('release: expected a handle returned by the worker'));
      if (target.generation !== generation) return Promise.resolve();
      return send('release', target, [], []) as Promise<void>;
    },
    terminate: async (): Promise<void> => {
      if (terminated) return;
      stop(new Error('ntk-wasm worker: terminated'));
      terminated = true;
    },
  };

  await connect();
  return proxy(generation, 0, []) as RemoteNtk;
}
