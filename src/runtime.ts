/**
 * The oldest Node this project runs on: the highest floor its dependencies declare (yoga's
 * graphql-tools and graphql-codegen's loaders want 22.15; docs/dependencies.md). package.json's
 * `engines` says the same (test/unit/runtime.test.ts keeps them equal).
 */
export const MINIMUM_NODE = '22.15.0';

/** Whether `version` (e.g. `20.20.2`) is at least `minimum`. */
export function atLeast(version: string, minimum: string = MINIMUM_NODE): boolean {
  const [a, b] = [version, minimum].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i += 1) {
    const [x, y] = [a![i] ?? 0, b![i] ?? 0];
    if (x !== y) return x > y;
  }
  return true;
}
