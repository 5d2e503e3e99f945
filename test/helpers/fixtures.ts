/** test/fixtures/<name>.json, loaded through the bundler so the same specs run in Node and in the browser. */
export async function loadFixture<T>(name: string): Promise<T> {
  const module = (await import(`../fixtures/${name}.json`)) as { default: T };
  return module.default;
}

export type Rows = number[][];
