// Runs one workload of bench/cntk.ts alone on the default WASM configuration and prints its peak RSS in MB
// (what `npm run bench` reports beside the times). Usage: node --import tsx bench/peak.ts '<workload>'
import { ready } from '../src/index.js';
import { CNTK_WORKLOADS, type CntkWorkload } from './cntk.js';

const name = process.argv[2] as CntkWorkload;
if (!(name in CNTK_WORKLOADS)) {
  console.error(`unknown workload '${name}'; one of ${Object.keys(CNTK_WORKLOADS).join(', ')}`);
  process.exit(1);
}
await ready();
CNTK_WORKLOADS[name]()();
// maxRSS is in kilobytes.
console.log((process.resourceUsage().maxRSS / 1024).toFixed(0));
