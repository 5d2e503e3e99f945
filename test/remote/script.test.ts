// Where spawnWorker's worker script comes from in Node: the file beside the module, or, where a bundle left it
// behind, the self-contained script; a workerUrl that does not load is an error that names it. Uses the built
// package (dist/), as the other remote tests.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnWorker } from '../../dist/index.js';

const dist = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

describe('spawnWorker script', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'ntk-worker-script-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('runs in a Node bundle that left dist/remote/host.js behind, from the self-contained script', async () => {
    writeFileSync(
      join(scratch, 'app.mjs'),
      `import { spawnWorker } from ${JSON.stringify(dist)};
const ntk = await spawnWorker({ threads: 2 });
const product = await ntk.matmul([[1, 2]], [[3], [4]]);
console.log(JSON.stringify({ product: product.toArray(), info: await ntk.backendInfo() }));
await ntk.terminate();`,
    );
    await build({
      entryPoints: [join(scratch, 'app.mjs')],
      outfile: join(scratch, 'bundle/app.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'error',
    });
    const { stdout } = await promisify(execFile)(process.execPath, [join(scratch, 'bundle/app.mjs')]);
    expect(JSON.parse(stdout)).toMatchObject({ product: [[11]], info: { backend: 'wasm', threads: 2 } });
  }, 60_000);

  it('names workerUrl and the guide section when the given script does not load; a worker spawned after it works', async () => {
    await expect(spawnWorker({ workerUrl: 'file:///nonexistent/host.js' })).rejects.toThrow(
      /^ntk-wasm worker: the worker script at file:\/\/\/nonexistent\/host\.js failed to load \(Cannot find module .*\); check workerUrl \(docs\/guide\.md, 'Workers in bundlers'\)$/,
    );
    const ntk = await spawnWorker({ threads: 1 });
    expect((await ntk.matmul([[2]], [[3]])).toArray()).toEqual([[6]]);
    await ntk.terminate();
  });
});
