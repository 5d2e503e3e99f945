// The worker script of the remote tests: src/remote/host.ts through tsx, so they run without a build.
import { register } from 'tsx/esm/api';

register();
await import('../../src/remote/host.ts');
