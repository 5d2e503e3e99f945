// npm run example -- <name> [options of that example] [--update]: runs docs/examples/<name>.ts on the WASM backend.
// Its figures go to out/examples/ (ignored by git); --update writes them over the committed ones in docs/examples/.
import { readdirSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { getBackend, ready } from 'ntk-wasm';

const update = process.argv.indexOf('--update', 2);
if (update >= 0) {
  process.argv.splice(update, 1); // not an option of the example's own
  process.env.UPDATE_FIGURES = '1';
}
const available = readdirSync(new URL('.', import.meta.url))
  .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts') && !['run.ts', 'plot.ts', 'output.ts', 'quickstart.ts', 'auto-mpg.ts'].includes(f))
  .map((f) => f.slice(0, -3));
const usage = `usage: npm run example -- <name> [--update], one of: ${available.join(', ')}`;
let name: string | undefined;
try {
  // The name only; the options after it are the example's own.
  const { positionals } = parseArgs({ args: process.argv.slice(2, 3), allowPositionals: true, strict: true, options: {} });
  if (positionals.length !== 1 || !available.includes(positionals[0])) throw new Error(`expected one example name, got ${positionals.join(' ') || 'none'}`);
  name = positionals[0];
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(1);
}
await ready();
console.log(`[${name} on the ${getBackend()} backend]`);
await import(`./${name}.ts`);
