// Every ts/js code block of README.md and docs/*.md runs as it stands against the built package (dist/, which
// `npm test` builds first), each in a Node process of its own; a block marked `<!-- fragment: why -->` on the line
// before its fence (one that needs a page or a very long run) is type-checked only. Every TSDoc @example in src/ is
// type-checked against the built declarations, with the context its snippets assume declared in EXAMPLE_CONTEXT.
// The blocks live in a scratch directory whose node_modules/ntk-wasm is this repository, so `from 'ntk-wasm'`
// resolves as in a project that installed the package; a failure names the document, the line and the error.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeBlock, blockSource, exampleSource, filesUnder, markdownBlocks, scratchName, tsdocExamples } from './extract.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** What the TSDoc examples take as given: data and objects made in the lines before the snippet. */
const EXAMPLE_CONTEXT = 'declare const x: Matrix, y: Matrix, xLarge: Matrix, net: MLP;';

const documents = ['README.md', ...filesUnder(root, 'docs', (file) => /^docs\/[^/]+\.md$/.test(file))];
const blocks = documents.flatMap((file) => markdownBlocks(root, file));
const examples = filesUnder(root, 'src', (file) => file.endsWith('.ts') && !file.endsWith('.d.ts')).flatMap((file) => tsdocExamples(root, file));

const where = (block: CodeBlock) => `${block.file}:${block.line}`;
/** A scratch file's name without its directory and extensions: the key of its block in `sources`. */
const stemOf = (path: string) =>
  path
    .split('/')
    .pop()!
    .replace(/(\.run)?\.m[tj]s$/, '');

describe('the code in the docs', () => {
  let scratch: string;
  /** A scratch file's stem → the block it holds, to translate paths in messages. */
  const sources = new Map<string, CodeBlock>();
  let diagnostics: Map<CodeBlock, string[]>;

  /** Paths of scratch files (and their file:// URLs) in a message, as the document's path. */
  const translate = (text: string) =>
    text.replace(/(?:file:\/\/)?\/[^\s:()'"]*?\/([^/\s:()'"]+@\d+)(?:\.run)?\.m[tj]s/g, (whole, stem: string) => sources.get(stem)?.file ?? whole);

  beforeAll(() => {
    scratch = mkdtempSync(join(tmpdir(), 'ntk-doc-tests-'));
    mkdirSync(join(scratch, 'node_modules'));
    symlinkSync(root, join(scratch, 'node_modules/ntk-wasm'), 'dir');
    writeFileSync(join(scratch, 'package.json'), '{ "type": "module" }\n');

    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: ['node'],
      typeRoots: [join(root, 'node_modules/@types')],
      skipLibCheck: true,
      allowJs: true,
      checkJs: true,
    };
    // The package's exports, for the examples' preamble.
    const probe = join(scratch, 'probe.mts');
    writeFileSync(probe, "export * as ntk from 'ntk-wasm';\n");
    const probeProgram = ts.createProgram([probe], options);
    const checker = probeProgram.getTypeChecker();
    const moduleSymbol = checker.getSymbolAtLocation((probeProgram.getSourceFile(probe)!.statements[0] as ts.ExportDeclaration).moduleSpecifier!);
    if (!moduleSymbol) throw new Error(`'ntk-wasm' does not resolve from ${scratch}: run npm run build first`);
    const exportsOfPackage = checker.getExportsOfModule(moduleSymbol).map((symbol) => symbol.name);

    const files: string[] = [];
    for (const block of [...blocks, ...examples]) {
      const name = scratchName(block);
      sources.set(stemOf(name), block);
      const path = join(scratch, name);
      writeFileSync(path, examples.includes(block) ? exampleSource(block, exportsOfPackage, EXAMPLE_CONTEXT) : blockSource(block));
      files.push(path);
    }
    const program = ts.createProgram(files, options, undefined, probeProgram);
    diagnostics = new Map([...blocks, ...examples].map((block) => [block, []]));
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const block = diagnostic.file && sources.get(stemOf(diagnostic.file.fileName));
      if (!block || !diagnostic.file || diagnostic.start === undefined) throw new Error(`the doc test's own program: ${translate(message)}`);
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      diagnostics.get(block)!.push(`${block.file}:${line + 1}:${character + 1} TS${diagnostic.code}: ${translate(message)}`);
    }
  });

  afterAll(() => {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  });

  it('finds the blocks and examples', () => {
    expect(blocks.length).toBeGreaterThan(5);
    expect(examples.length).toBeGreaterThan(50);
  });

  describe.each(blocks.map((block) => [where(block) + (block.fragment ? ` (fragment: ${block.fragment})` : ''), block] as const))('%s', (_, block) => {
    it('type-checks', () => {
      const errors = diagnostics.get(block)!;
      expect(errors, `the ${block.language} block at ${where(block)} does not type-check:\n${errors.join('\n')}`).toEqual([]);
    });
    it.skipIf(block.fragment !== undefined)(
      'runs',
      async () => {
        const name = scratchName(block);
        const source = join(scratch, name);
        // Node 20 runs JavaScript: the block transpiled, with a source map back to its lines.
        const { outputText } = ts.transpileModule(blockSource(block), {
          fileName: name,
          compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, inlineSourceMap: true, inlineSources: true },
        });
        const script = source.replace(/\.m[tj]s$/, '.run.mjs');
        writeFileSync(script, outputText);
        try {
          await promisify(execFile)(process.execPath, ['--enable-source-maps', script], {
            cwd: scratch,
            timeout: 120_000,
            env: { ...process.env, NODE_OPTIONS: '' },
          });
        } catch (error) {
          const { stderr, code, signal } = error as { stderr?: string; code?: number; signal?: string };
          const text = translate(stderr ?? String(error));
          const at = new RegExp(`${block.file.replace(/[.]/g, '\\.')}:(\\d+)`).exec(text);
          const line = at ? `line ${at[1]}` : 'no line named';
          const reason = signal ? `killed by ${signal} (timeout 120 s?)` : `exit code ${code}`;
          expect.fail(`the ${block.language} block at ${where(block)} fails (${line}; ${reason}):\n${text.split('\n').slice(0, 25).join('\n')}`);
        }
      },
      150_000,
    );
  });

  describe('TSDoc examples', () => {
    it.each(examples.map((example) => [where(example), example] as const))('%s type-checks', (_, example) => {
      const errors = diagnostics.get(example)!;
      expect(errors, `the @example at ${where(example)} does not type-check:\n${errors.join('\n')}`).toEqual([]);
    });
  });
});
