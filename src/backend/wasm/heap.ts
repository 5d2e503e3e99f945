import type { NtkExports } from './loader.js';
import { WASM32_MAX_PAGES } from './loader.js';

const BYTES_PER_F64 = 8;
/** Bytes a wasm32 memory can address. */
export const WASM32_MAX_BYTES = WASM32_MAX_PAGES * 65536;
// Arena alignment slack per allocation, and the kernels' own scratch (packed gemm panels and the like).
const ALIGN_SLACK = 16;
/** Scratch a kernel call may allocate besides what is proportional to its sizes (packed gemm panels). */
export const KERNEL_SCRATCH_BYTES = 4 << 20;
/** WASM memory the blocks kept between calls may take before the ones not in use move to JS memory. */
export const KEPT_BUDGET_BYTES = 256 << 20;

/** Doubles kept between calls: resident at `ptr` (its arena end `end`), or moved out to `copy`. */
interface Kept {
  doubles: number;
  ptr: number;
  end: number;
  /** Calls running on it now (it stays resident meanwhile). */
  uses: number;
  copy: Float64Array | null;
  released: boolean;
}

/** Doubles kept between calls by {@link WasmHeap.keep}: always reached through `use`, which makes them resident. */
export interface KeptBlock {
  /** Whether `release` has not been called. */
  readonly held: boolean;
  /** Runs `body` with the block's address, resident in WASM memory for the duration. */
  use<T>(op: string, body: (ptr: number) => T): T;
  /** Frees the block (again: nothing). */
  release(): void;
}

/**
 * Copies between JS typed arrays and the WASM arena. Every view is made fresh from `memory.buffer`,
 * because any allocation may grow (and so detach) the buffer.
 */
export class WasmHeap {
  // Resident blocks that outlive calls (keep); the arena never releases below the highest one.
  private readonly kept = new Set<Kept>();
  private floor = 0;
  private openFrames = 0;
  private readonly base: number;

  /** `threads`: how many kernel calls may run at once, each with its own scratch. */
  constructor(
    readonly exports: NtkExports,
    readonly memory: WebAssembly.Memory,
    private readonly threads = 1,
  ) {
    this.base = this.top;
    this.floor = this.base;
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
        `${op}: needs ${formatBytes(bytes)} of WASM memory, more than the 4 GiB a wasm32 module can address; ` + `use smaller inputs or setBackend('ts')`,
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
   * `doubles` float64 values kept between calls (a Cholesky factor, eigenvectors, the points of Nyström passes),
   * resident in WASM memory while the kept blocks fit {@link WasmHeap.keptBudgetBytes} and moved to JS memory
   * otherwise, to come back on their next use; so memory stays bounded when blocks are dropped without being
   * released. Called outside any frame.
   */
  keep(op: string, doubles: number): KeptBlock {
    const block: Kept = { doubles, ptr: 0, end: 0, uses: 0, copy: null, released: false };
    this.makeResident(op, block);
    return {
      get held() {
        return !block.released;
      },
      use: <T>(name: string, body: (ptr: number) => T): T => {
        if (block.released) throw new Error(`${name}: the kept data was released`);
        if (block.copy !== null) this.makeResident(name, block);
        block.uses++;
        try {
          return body(block.ptr);
        } finally {
          block.uses--;
        }
      },
      release: () => {
        if (block.released) return;
        block.released = true;
        block.copy = null;
        if (this.kept.delete(block)) this.settleFloor();
      },
    };
  }

  /** Bytes of WASM memory the blocks kept between calls may take before the unused ones move to JS memory. */
  keptBudgetBytes = KEPT_BUDGET_BYTES;

  /** Puts `block` in WASM memory (copying back its JS copy), first moving the others out when the budget is full. */
  private makeResident(op: string, block: Kept): void {
    const bytes = block.doubles * BYTES_PER_F64 + ALIGN_SLACK;
    if (this.openFrames === 0 && this.floor - this.base + bytes > this.keptBudgetBytes) {
      // The arena only grows at its top, so room is made by moving out every block not in use.
      for (const other of this.kept) {
        if (other.uses > 0) continue;
        other.copy = new Float64Array(other.doubles);
        other.copy.set(this.view(other.ptr, other.doubles));
        this.kept.delete(other);
      }
      this.settleFloor();
    }
    block.ptr = this.alloc(op, block.doubles);
    block.end = this.top;
    if (block.copy !== null) this.view(block.ptr, block.doubles).set(block.copy);
    block.copy = null;
    this.kept.add(block);
    this.floor = Math.max(this.floor, block.end);
  }

  /** The floor is the end of the highest resident block; the arena shrinks to it when no frame is open. */
  private settleFloor(): void {
    this.floor = this.base;
    for (const block of this.kept) this.floor = Math.max(this.floor, block.end);
    if (this.openFrames === 0) this.exports.release(this.floor);
  }

  /** Bytes of WASM memory held by kept blocks (resident ones). */
  get pinnedBytes(): number {
    let bytes = 0;
    for (const block of this.kept) bytes += block.doubles * BYTES_PER_F64;
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

  /**
   * A copy of `count` doubles at `ptr`, detached from WASM memory. By `set` into a new array: `slice()` of a
   * view of shared memory copies element by element (80 ms for 32 MB in Node 20, against 4 ms).
   */
  copyOut(ptr: number, count: number, into?: Float64Array): Float64Array {
    const out = into ?? new Float64Array(count);
    out.set(this.view(ptr, count));
    return out;
  }

  view(ptr: number, count: number): Float64Array {
    return new Float64Array(this.memory.buffer, ptr, count);
  }
}

function formatBytes(bytes: number): string {
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}
