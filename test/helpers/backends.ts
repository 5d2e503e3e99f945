import { beforeAll, describe } from 'vitest';
import { ready, setBackend } from '../../src/index.js';
import type { BackendName } from '../../src/backend/types.js';

/** Every backend the suite runs on; no allow-list, so a missing kernel fails on the backend that lacks it. */
export const BACKENDS: readonly BackendName[] = ['wasm', 'ts'];

/** Runs the same specs once per backend, with that backend active. */
export function describeEachBackend(title: string, body: (backend: BackendName) => void): void {
  for (const backend of BACKENDS) {
    describe(`${title} [${backend}]`, () => {
      beforeAll(async () => {
        await ready();
        setBackend(backend);
      });
      body(backend);
    });
  }
}
