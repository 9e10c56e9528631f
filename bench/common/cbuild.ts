/**
 * Builds the benchmarks' C programs on demand: `cc -O2 -Wall` into bench/out/ (git-ignored),
 * again only when the source is newer than the program. Also the benchmarks' paths (the project's
 * root, bench/) and the file-time check they share.
 */
import { execFile } from "node:child_process";
import { mkdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The project's root, as an absolute path ending in "/". */
export const root = fileURLToPath(new URL("../../", import.meta.url));

/** The benchmarks' folder (bench/), as an absolute path ending in "/". */
export const benchDir = `${root}bench/`;

/** Where built programs go. */
const outDir = `${benchDir}out/`;

/** The modification time of `path` in ms since the epoch; -1 when it does not exist. */
export function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

/**
 * Compiles `source` (relative to bench/) into bench/out/`name`, linking `libs` (e.g. ["-levent_core"]),
 * unless the program is already newer than its source. Returns the program's path; throws with
 * the compiler's messages when the build fails.
 */
export async function buildC(name: string, source: string, libs: readonly string[] = []): Promise<string> {
  const src = `${benchDir}${source}`;
  const out = `${outDir}${name}`;
  if (mtime(out) >= mtime(src) && mtime(src) >= 0) return out;
  mkdirSync(outDir, { recursive: true });
  try {
    await run("cc", ["-O2", "-Wall", "-o", out, src, ...libs]);
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`building ${source} failed:\n${e.stderr || e.message}`);
  }
  return out;
}
