// npm run example -- <name>: runs docs/examples/<name>.ts on the WASM backend.
import { readdirSync } from 'node:fs';
import { getBackend, ready } from '../../src/index.js';

const name = process.argv[2];
const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !['run.ts', 'plot.ts', 'output.ts', 'quickstart.ts'].includes(f))
  .map((f) => f.slice(0, -3));
if (!name || !available.includes(name)) {
  console.error(`usage: npm run example -- <name>, one of: ${available.join(', ')}`);
  process.exit(1);
}
await ready();
console.log(`[${name} on the ${getBackend()} backend]`);
await import(`./${name}.ts`);
