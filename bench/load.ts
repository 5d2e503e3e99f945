import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

/** The machine's busy and total CPU time, and this process's with its exited children's, in clock ticks (Linux /proc). */
function sample(): { busy: number; total: number; own: number } | undefined {
  try {
    // cpu user nice system idle iowait irq softirq steal: all but idle and iowait is busy.
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
    const total = cpu.reduce((a, b) => a + b, 0);
    // After the command's name in parentheses: utime, stime, cutime, cstime are fields 14–17 of the line.
    const self = readFileSync('/proc/self/stat', 'utf8');
    const fields = self
      .slice(self.lastIndexOf(')') + 2)
      .split(' ')
      .map(Number);
    return { busy: total - cpu[3] - cpu[4], total, own: fields[11] + fields[12] + fields[13] + fields[14] };
  } catch {
    return undefined;
  }
}

/**
 * Starts measuring how many cores the machine's other processes keep busy: the returned function gives their
 * average since the start (NaN without /proc). This process and the children it has waited for do not count.
 */
export function otherProcesses(): () => number {
  const start = sample();
  return () => {
    const end = sample();
    if (start === undefined || end === undefined || end.total === start.total) return NaN;
    return Math.max(0, (os.cpus().length * (end.busy - start.busy - (end.own - start.own))) / (end.total - start.total));
  };
}

// A fixed amount of arithmetic that no engine can skip; the thread posts its time when done.
const SPIN = `
const { parentPort } = require('node:worker_threads');
parentPort.once('message', () => {
  const start = performance.now();
  let x = 0.5;
  for (let i = 0; i < 4e7; i++) x = x * 1.0000001 + 1e-9;
  parentPort.postMessage({ ms: performance.now() - start, x });
});`;

/** The wall time of `count` threads each spinning through SPIN at once, in ms. */
async function spin(count: number): Promise<number> {
  const workers = Array.from({ length: count }, () => new Worker(SPIN, { eval: true }));
  try {
    await Promise.all(workers.map((w) => new Promise((resolve) => w.once('online', resolve))));
    const start = performance.now();
    await Promise.all(workers.map((w) => new Promise((resolve) => (w.once('message', resolve), w.postMessage(0)))));
    return performance.now() - start;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * How many times the work of one busy thread the machine does on two at once, now: 2 where two cores are free,
 * 1 where the two share one (a CPU quota, hyperthreads of one core, a neighbour in the same VM that /proc does
 * not show). The better of two tries.
 */
export async function parallelGain(): Promise<number> {
  let best = 0;
  for (let i = 0; i < 2; i++) {
    const one = await spin(1);
    const two = await spin(2);
    best = Math.max(best, (2 * one) / two);
  }
  return best;
}
