// The public API: everything the library computes (./library.ts), and the worker that runs it off the calling
// thread (./remote/client.ts), which takes its types from the library module.
export * from './library.js';
export { spawnWorker, type Remote, type RemoteArgs, type RemoteNtk, type RemoteValue, type SpawnWorkerOptions } from './remote/client.js';
