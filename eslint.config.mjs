// ESLint: typescript-eslint's recommended rules everywhere; with types (switch-exhaustiveness-check among them) on the
// TypeScript of src/, test/, bench/ and scripts/; syntax only on assembly/, whose function decorators (@inline) are
// AssemblyScript's, so a processor hides them from the TypeScript parser as comments of the same length.
import tseslint from 'typescript-eslint';
import { FUNCTION_DECORATOR } from './scripts/decorators.mjs';

/** `@inline function` → `/*****\/ function`: the same columns, and a parse TypeScript accepts. */
const assemblyScript = {
  preprocess: (text) => [text.replace(FUNCTION_DECORATOR, (_, indent, decorator) => `${indent}/*${'*'.repeat(Math.max(0, decorator.length - 4))}*/`)],
  postprocess: (messages) => messages.flat(),
  supportsAutofix: false,
};

export default tseslint.config(
  { ignores: ['dist/**', 'build/**', 'node_modules/**', 'docs/demo/dist/**', 'src/backend/wasm/builds/**', 'src/backend/wasm/generated/**', 'src/remote/generated/**', 'assembly/generated/**', 'coverage/**', 'docs/api/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    languageOptions: { parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false }],
    },
  },
  {
    files: ['assembly/**/*.ts'],
    plugins: { assemblyscript: { processors: { decorators: assemblyScript } } },
    processor: 'assemblyscript/decorators',
    rules: {
      // `// @ts-ignore: decorator` keeps editors quiet about the decorators; the passes' signatures are fixed by the
      // generated dispatch, so a pass may leave an argument unread.
      '@typescript-eslint/ban-ts-comment': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { args: 'none' }],
    },
  },
);
