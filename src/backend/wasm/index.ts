// The WASM backend over one instantiated module, by family (linalg.ts, kernels.ts, flow.ts, net.ts, mirroring
// assembly/): each call copies in, runs the exports, copies out; with a worker pool the work is split by row blocks
// (threads.ts).
import type { Backend } from '../types.js';
import { WasmHeap } from './heap.js';
import type { HostCalls } from './hosts.js';
import type { NtkExports } from './loader.js';
import type { WorkerPool } from './pool.js';
import { wasmFlows } from './flow.js';
import { wasmKernels } from './kernels.js';
import { wasmLinalg } from './linalg.js';
import { wasmNetworks } from './net.js';
import { wasmContext } from './threads.js';

export { splitRows } from './threads.js';

/** The WASM backend over one instantiated module and its pool, if any. */
export function createWasmBackend(exports: NtkExports, memory: WebAssembly.Memory, hosts: HostCalls, pool?: WorkerPool): Backend & { heap: WasmHeap } {
  const heap = new WasmHeap(exports, memory, pool?.size);
  const context = wasmContext(exports, heap, hosts, pool);
  const linalg = wasmLinalg(context);
  return {
    name: 'wasm',
    heap,
    ...linalg.methods,
    ...wasmKernels(context, linalg.factorAndSolve),
    ...wasmFlows(context),
    ...wasmNetworks(context),
  };
}
