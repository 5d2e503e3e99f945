// AssemblyScript's decorators before functions (`@inline export function`, `@external("env", "name") declare
// function`), which TypeScript's parsers reject: eslint.config.mjs and scripts/format.mjs hide them as comments.

/** A decorator, with its arguments, that stands before a function on the same line. */
export const FUNCTION_DECORATOR = /^(\s*)(@\w+(?:\([^)]*\))?)(?= (?:export |declare )?function)/gm;
