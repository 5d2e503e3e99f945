// Runs one workload of bench/cntk.ts, bench/dense.ts or bench/scale.ts alone on the default WASM configuration and prints its peak RSS in MB
// (what `npm run bench` reports beside the times). Usage: node --import tsx bench/peak.ts '<workload>'
import { existsSync, readFileSync } from 'node:fs';
import { ready } from '../src/index.js';
import { CNTK_WORKLOADS } from './cntk.js';
import { DENSE_WORKLOADS } from './dense.js';
import { SCALE_WORKLOADS } from './scale.js';

const workloads: Record<string, () => () => unknown> = { ...CNTK_WORKLOADS, ...DENSE_WORKLOADS, ...SCALE_WORKLOADS };
const name = process.argv[2];
if (!(name in workloads)) {
  console.error(`unknown workload '${name}'; one of ${Object.keys(workloads).join(', ')}`);
  process.exit(1);
}
await ready();
workloads[name]()();
// The peak resident set of this process image: Linux's VmHWM (getrusage's maxRSS would include the parent's
// memory at the fork that started this process, since it survives exec). In kilobytes either way.
const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
const highWater = /^VmHWM:\s+(\d+) kB/m.exec(status);
console.log(((highWater ? Number(highWater[1]) : process.resourceUsage().maxRSS) / 1024).toFixed(0));
