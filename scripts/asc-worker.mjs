// One AssemblyScript compile in a worker thread, so that scripts/build-wasm.mjs compiles two builds at once (one per
// core): the arguments after the entry file come as workerData; posts asc's error output, or null.
import { parentPort, workerData } from 'node:worker_threads';
import asc from 'assemblyscript/asc';

const { error, stderr } = await asc.main(['assembly/index.ts', ...workerData]);
parentPort.postMessage(error ? `${error.message}\n${stderr.toString()}` : null);
