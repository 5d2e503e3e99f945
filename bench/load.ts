import { readFileSync } from 'node:fs';
import os from 'node:os';

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
