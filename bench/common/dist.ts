/**
 * The library under test is imported as users import it ("libevent-ts/event2/event"), which the
 * package's self-reference resolves to the built dist/. This makes sure dist/ is current.
 */
import { execFile } from "node:child_process";
import { readdirSync } from "node:fs";
import { promisify } from "node:util";
import { mtime, root } from "./cbuild.js";

/** Source files (relative to src/) whose dist/ JavaScript is missing or older than they are. */
function staleSources(dir = ""): string[] {
  const stale: string[] = [];
  for (const entry of readdirSync(`${root}src/${dir}`, { withFileTypes: true })) {
    const rel = `${dir}${entry.name}`;
    if (entry.isDirectory()) stale.push(...staleSources(`${rel}/`));
    else if (rel.endsWith(".ts") && !rel.endsWith(".d.ts")) {
      if (mtime(`${root}dist/${rel.slice(0, -3)}.js`) < mtime(`${root}src/${rel}`)) stale.push(rel);
    }
  }
  return stale;
}

/** "n source file(s) (a, b, c, ...)" */
function summary(stale: readonly string[]): string {
  return `${stale.length} source file(s) (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ", ..." : ""})`;
}

/**
 * Runs `npm run build:ts` when any source is newer than its build. tsc emits despite type errors:
 * those are shown, and the benchmarks go on as long as every source then has its build. Throws
 * when the build failed and left some source without a current build.
 */
export async function ensureDist(): Promise<void> {
  const stale = staleSources();
  if (stale.length === 0) return;
  console.log(`dist/ is older than ${summary(stale)}: npm run build:ts`);
  try {
    await promisify(execFile)("npm", ["run", "build:ts"], { cwd: root });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const text = (e.stdout ?? "") + (e.stderr ?? "") || e.message;
    console.log(`npm run build:ts reported errors:\n${text.split("\n").slice(0, 20).join("\n")}`);
    const left = staleSources();
    if (left.length) throw new Error(`npm run build:ts failed: dist/ is still older than ${summary(left)}`);
  }
}
