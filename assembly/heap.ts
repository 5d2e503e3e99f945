// Bump arena over the imported linear memory. The host marks before a call and releases after it,
// so every allocation of a call (inputs, outputs, kernel scratch) is freed together. A worker instance
// never grows the arena of the main one: before each task it is given a region of its own (arena).

const ALIGN: usize = 16;
const PAGE_BYTES: usize = 65536;

let top: usize = 0;
let limit: usize = 0; // end of a worker's region; 0 on the main instance

function start(): usize {
  if (top == 0) top = (__heap_base + ALIGN - 1) & ~(ALIGN - 1);
  return top;
}

/** Returns a 16-byte aligned block of `bytes`, growing memory as needed; 0 when memory cannot grow. */
export function alloc(bytes: usize): usize {
  const ptr = start();
  const end = (ptr + bytes + ALIGN - 1) & ~(ALIGN - 1);
  if (end < ptr) return 0; // wrapped past 4 GiB
  if (limit != 0 && end > limit) return 0;
  const pagesNeeded = <i32>((end >>> 16) + <usize>((end & (PAGE_BYTES - 1)) != 0));
  const pagesNow = memory.size();
  if (pagesNeeded > pagesNow && memory.grow(pagesNeeded - pagesNow) < 0) return 0;
  top = end;
  return ptr;
}

/** Allocation inside a kernel: traps (caught by the host as an error) when memory is exhausted. */
export function scratch(bytes: usize): usize {
  const ptr = alloc(bytes);
  if (ptr == 0) unreachable();
  return ptr;
}

export function mark(): usize {
  return start();
}

export function release(to: usize): void {
  top = to;
}

/** Gives a worker instance the region [base, end) of the shared memory for its kernels' scratch. */
export function arena(base: usize, end: usize): void {
  top = base;
  limit = end;
}
