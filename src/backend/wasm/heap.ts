import type { NtkExports } from './loader.js';
import { WASM32_MAX_PAGES } from './loader.js';

const BYTES_PER_F64 = 8;
/** Bytes a wasm32 memory can address. */
export const WASM32_MAX_BYTES = WASM32_MAX_PAGES * 65536;
// Arena alignment slack per allocation, and the kernels' own scratch (packed gemm panels and the like).
const ALIGN_SLACK = 16;
/** Scratch a kernel call may allocate besides what is proportional to its sizes (packed gemm panels). */
export const KERNEL_SCRATCH_BYTES = 4 << 20;

/**
 * Copies between JS typed arrays and the WASM arena. Every view is made fresh from `memory.buffer`,
 * because any allocation may grow (and so detach) the buffer.
 */
export class WasmHeap {
  // Blocks that outlive calls (pin): start → end. The arena never releases below the highest one.
  private readonly pins = new Map<number, number>();
  private floor = 0;
  private openFrames = 0;
  private readonly base: number;

  /** `threads`: how many kernel calls may run at once, each with its own scratch. */
  constructor(readonly exports: NtkExports, readonly memory: WebAssembly.Memory, private readonly threads = 1) {
    this.base = this.top;
  }

  /** Current arena top, in bytes. */
  get top(): number {
    return this.exports.mark() >>> 0;
  }

  /**
   * Runs `body` inside an arena frame that is released afterwards, also when `body` throws.
   * `doubles` is the number of float64 values (8 bytes each) the call will allocate (inputs, outputs,
   * workspace); a request that cannot fit in wasm32 memory is refused before anything is allocated.
   */
  frame<T>(op: string, doubles: number, body: () => T): T {
    const saved = this.open(op, doubles);
    try {
      return this.run(op, body);
    } finally {
      this.close(saved);
    }
  }

  /**
   * Starts a frame that outlives one call (a session); returns the mark to {@link close} it with.
   * Refuses a request that cannot fit in wasm32 memory before anything is allocated.
   */
  open(op: string, doubles: number): number {
    const bytes = doubles * BYTES_PER_F64 + this.threads * KERNEL_SCRATCH_BYTES;
    const saved = this.top;
    if (saved + bytes > WASM32_MAX_BYTES) {
      throw new RangeError(
        `${op}: needs ${formatBytes(bytes)} of WASM memory, more than the 4 GiB a wasm32 module can address; ` +
          `use smaller inputs or setBackend('ts')`,
      );
    }
    this.openFrames++;
    return saved;
  }

  close(saved: number): void {
    this.openFrames--;
    this.exports.release(Math.max(saved, this.floor));
  }

  /**
   * Allocates `doubles` float64 values that stay until {@link unpin} (an eigendecomposition kept for later
   * products), outside any frame: frames opened later release down to it, never below.
   */
  pin(op: string, doubles: number): number {
    const ptr = this.alloc(op, doubles);
    this.pins.set(ptr, this.top);
    this.floor = Math.max(this.floor, this.top);
    return ptr;
  }

  /** Frees a pinned block; the arena shrinks back once no block or frame above it remains. */
  unpin(ptr: number): void {
    if (!this.pins.delete(ptr)) return;
    this.floor = Math.max(0, ...this.pins.values());
    if (this.openFrames === 0) this.exports.release(Math.max(this.base, this.floor));
  }

  /** Bytes held by pinned blocks. */
  get pinnedBytes(): number {
    let bytes = 0;
    for (const [start, end] of this.pins) bytes += end - start;
    return bytes;
  }

  /** Runs kernel code, turning a trap (the arena could not grow) into a RangeError. */
  run<T>(op: string, body: () => T): T {
    try {
      return body();
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        throw new RangeError(`${op}: the WASM kernel ran out of memory (${error.message})`);
      }
      throw error;
    }
  }

  /** Allocates room for `doubles` float64 values (8 bytes each); throws when the engine refuses to grow memory. */
  alloc(op: string, doubles: number): number {
    const ptr = this.exports.alloc(doubles * BYTES_PER_F64 + ALIGN_SLACK) >>> 0;
    if (ptr === 0) {
      throw new RangeError(`${op}: could not grow WASM memory to hold ${formatBytes(doubles * BYTES_PER_F64)} more`);
    }
    return ptr;
  }

  /** Allocates and fills with `data`. */
  copyIn(op: string, data: Float64Array): number {
    const ptr = this.alloc(op, data.length);
    this.view(ptr, data.length).set(data);
    return ptr;
  }

  /** Allocates and fills with 32-bit integers (programs, sizes), two to a double of the arena. */
  copyInInt32(op: string, data: Int32Array): number {
    const ptr = this.alloc(op, Math.ceil(data.length / 2));
    new Int32Array(this.memory.buffer, ptr, data.length).set(data);
    return ptr;
  }

  /** A copy of `count` doubles at `ptr`, detached from WASM memory. */
  copyOut(ptr: number, count: number): Float64Array {
    return this.view(ptr, count).slice();
  }

  view(ptr: number, count: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, count);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
