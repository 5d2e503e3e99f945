// The code blocks of the docs and the TSDoc examples of src/, and the files the doc test writes for them. Every
// file keeps the line numbers of its source (blank lines before the code), so a diagnostic or a stack frame in
// it names the line of the document.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/** A fenced block of a Markdown file, or the fenced code of a TSDoc `@example`. */
export interface CodeBlock {
  /** The file it is in, relative to the repository. */
  file: string;
  /** The line of its opening fence (1-based). */
  line: number;
  /** 'ts' or 'js'. */
  language: 'ts' | 'js';
  /** Its lines, without the fences (and without the comment's ` * ` in a TSDoc example). */
  code: string[];
  /** Why it is only type-checked (`<!-- fragment: why -->` before the fence), or undefined when it runs. */
  fragment?: string;
}

const LANGUAGES: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };
/** The marker of a block that is type-checked but not run, on the line right before its fence. */
export const FRAGMENT = /^<!--\s*fragment:\s*(.+?)\s*-->\s*$/;

/** The ts and js blocks of a Markdown file; other languages (sh, text) are left alone. */
export function markdownBlocks(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, info] = open;
    let end = i + 1;
    while (end < lines.length && !(lines[end].startsWith(indent + fence) && lines[end].trim() === fence)) end++;
    if (end === lines.length) throw new Error(`${file}:${i + 1}: the code block is never closed`);
    const language = LANGUAGES[info.toLowerCase()];
    if (language) {
      const marker = i > 0 ? FRAGMENT.exec(lines[i - 1].trim()) : null;
      const code = lines.slice(i + 1, end).map((text) => (text.startsWith(indent) ? text.slice(indent.length) : text.trimStart()));
      blocks.push({ file, line: i + 1, language, code, ...(marker ? { fragment: marker[1] } : {}) });
    }
    i = end;
  }
  return blocks;
}

/** The fenced code of every `@example` tag in a TypeScript source file. */
export function tsdocExamples(root: string, file: string): CodeBlock[] {
  const lines = readFileSync(join(root, file), 'utf8').split('\n');
  const examples: CodeBlock[] = [];
  const inComment = (text: string) => /^\s*\*(?!\/)/.test(text);
  const body = (text: string) => text.replace(/^\s*\* ?/, '');
  for (let i = 0; i < lines.length; i++) {
    if (!/^\s*\*\s*@example\b/.test(lines[i])) continue;
    let open = i + 1;
    while (open < lines.length && inComment(lines[open]) && body(lines[open]).trim() === '') open++;
    const fence = /^(`{3,})\s*(\w*)/.exec(body(lines[open] ?? '').trim());
    if (!fence || !inComment(lines[open])) throw new Error(`${file}:${i + 1}: an @example without a fenced code block`);
    let end = open + 1;
    while (end < lines.length && inComment(lines[end]) && body(lines[end]).trim() !== fence[1]) end++;
    if (!inComment(lines[end] ?? '')) throw new Error(`${file}:${open + 1}: the @example's code block is never closed`);
    const language = LANGUAGES[(fence[2] || 'ts').toLowerCase()];
    if (!language) throw new Error(`${file}:${open + 1}: an @example in '${fence[2]}'; write it in ts`);
    examples.push({ file, line: open + 1, language, code: lines.slice(open + 1, end).map(body) });
    i = end;
  }
  return examples;
}

/** Files under dir (relative to root) whose names end with one of the extensions, sorted. */
export function filesUnder(root: string, dir: string, test: (file: string) => boolean): string[] {
  return readdirSync(join(root, dir), { recursive: true, encoding: 'utf8' })
    .map((file) => join(dir, file))
    .filter(test)
    .sort();
}

/** The name of a block's file in the scratch directory: the source's path and the fence's line, e.g. `docs__guide.md@91.mts`. */
export function scratchName(block: CodeBlock): string {
  return `${block.file.replaceAll('/', '__')}@${block.line}.${block.language === 'ts' ? 'mts' : 'mjs'}`;
}

/** A Markdown block as it stands, at its own lines. */
export function blockSource(block: CodeBlock): string {
  return '\n'.repeat(block.line) + block.code.join('\n') + '\n';
}

/** The import declarations of a piece of code (which may span lines), with the names they bring in. */
function importsOf(code: string): { text: string; names: string[] }[] {
  return [...code.matchAll(/^import\s+(?:type\s+)?\{([^}]*)\}\s*from\s*['"][^'"]+['"];?|^import\s[^;\n]*?from\s*['"][^'"]+['"];?/gm)].map((match) => ({
    text: match[0],
    names: (match[1] ?? '')
      .split(',')
      .map((name) =>
        name
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)
          .pop()!,
      )
      .filter(Boolean),
  }));
}

/**
 * A TSDoc example as a module that type-checks on its own: on line 1 the package's exports it does not import itself
 * and the context its snippets assume (`declarations`), its own imports moved up there too (blanked where they were),
 * and its code inside an async function at its own lines, where its names may shadow the context's.
 */
export function exampleSource(example: CodeBlock, exportsOfPackage: string[], declarations: string): string {
  let code = example.code.join('\n');
  const imports = importsOf(code);
  for (const { text } of imports) code = code.replace(text, text.replace(/[^\n]/g, ''));
  const own = new Set(imports.flatMap((i) => i.names));
  const preamble = [
    `import { ${exportsOfPackage.filter((name) => !own.has(name)).join(', ')} } from 'ntk-wasm';`,
    ...imports.map((i) => i.text.replace(/\s+/g, ' ')),
    declarations,
  ];
  return preamble.join(' ') + '\n'.repeat(example.line - 1) + 'export async function example(): Promise<void> {\n' + code + '\n}\n';
}
