// What crosses the TypeScript/AssemblyScript boundary is generated at build time from one source each
// (scripts/build-wasm.mjs): these checks hold the generated files to their sources.
import { readFileSync, readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { ACTIVATION_IDS } from '../../src/ops/activations/index.js';
import { constantName, layoutConstants } from '../../src/core/layout.js';
import { OPCODES } from '../../src/ops/index.js';
import { EXPORT_NAMES } from '../../src/backend/wasm/loader.js';
import { WORKER_KERNELS } from '../../src/backend/wasm/pool.js';

const source = (path: string) => readFileSync(new URL(`../../assembly/${path}`, import.meta.url), 'utf8');
const constants = (text: string) => Object.fromEntries([...text.matchAll(/export const (\w+): i32 = (\d+);/g)].map((m) => [m[1], Number(m[2])]));

it('assembly/generated/layout.ts holds the constants of src/core/layout.ts and the activation ids, and nothing else', () => {
  const expected = Object.fromEntries([...layoutConstants(OPCODES), ...Object.entries(ACTIVATION_IDS).map(([name, id]) => [`ACT_${constantName(name)}`, id])]);
  expect(constants(source('generated/layout.ts'))).toEqual(expected);
});

/** Every AssemblyScript file the build does not write. */
const handWritten = (readdirSync(new URL('../../assembly/', import.meta.url), { recursive: true }) as string[])
  .filter((path) => path.endsWith('.ts') && !path.startsWith('generated'))
  .map((path) => path.replaceAll('\\', '/'));

it('no AssemblyScript file but the generated one defines a shared constant', () => {
  const shared = new Set(Object.keys(constants(source('generated/layout.ts'))));
  expect(handWritten.length, 'AssemblyScript files found').toBeGreaterThan(20);
  for (const path of handWritten) {
    for (const name of Object.keys(constants(source(path)))) expect(shared.has(name), `${path} defines ${name}`).toBe(false);
  }
});

it('the interpreters name no op: each pass is reached through the generated dispatch by opcode', () => {
  for (const path of ['net/network.ts', 'kernels/infinite.ts', 'kernels/spatial.ts']) {
    expect(source(path), `${path} names an opcode`).not.toMatch(/\bOP_\w+/);
    expect(source(path), `${path} names an activation`).not.toMatch(/\bACT_\w+/);
  }
  const dispatch = source('generated/ops.ts');
  for (const name of OPCODES) {
    expect(dispatch, `generated/ops.ts imports assembly/ops/${name}.ts`).toContain(`import * as ${name} from "../ops/${name}";`);
    for (const pass of ['forward', 'backward', 'pair']) expect(dispatch, `${name}.${pass}`).toContain(`${name}.${pass}(`);
  }
  // Every switch ends in an abort: an unknown opcode is an error, never a default result.
  const switches = dispatch.match(/switch \(op\)/g)?.length ?? 0;
  expect(dispatch.match(/default: abort\("unknown opcode"\)/g)?.length).toBe(switches);
});

it('the loader checks exactly the exports of assembly/index.ts, and the worker kernels are among them', () => {
  const exported = [...source('index.ts').matchAll(/export \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((name) => name.trim()));
  expect([...exported].sort()).toEqual([...EXPORT_NAMES].sort());
  for (const kernel of WORKER_KERNELS) expect(exported).toContain(kernel);
});
