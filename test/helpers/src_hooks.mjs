// Module resolution hooks for example programs run as child processes by the tests: the package
// name resolves to the TypeScript sources, as vitest's aliases make it for in-process tests, so
// that children test the same code (rather than a possibly stale dist/). The source's URL goes on
// to tsx's own resolution, which compiles it.
const src = new URL("../../src/", import.meta.url);

export async function resolve(specifier, context, next) {
  if (specifier === "libevent-ts") return next(new URL("index.ts", src).href, context);
  const m = /^libevent-ts\/event2\/([a-z]+)$/.exec(specifier);
  if (m) return next(new URL(`event2/${m[1]}.ts`, src).href, context);
  return next(specifier, context);
}
