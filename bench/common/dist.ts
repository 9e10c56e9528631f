/**
 * The library under test is imported as users import it ("libevent-ts/event2/event"), which the
 * package's self-reference resolves to the built dist/. This makes sure dist/ is current.
 */
import { execFile } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const root = fileURLToPath(new URL("../../", import.meta.url));

function mtime(path: string): number {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return -1;
  }
}

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

/**
 * Runs `npm run build:ts` when any source is newer than its build. tsc emits despite type errors:
 * those are shown, and the result is true as long as every source then has its build; false
 * when the build is still missing or stale (benchmarks of the library are then skipped).
 */
export async function ensureDist(): Promise<boolean> {
  const stale = staleSources();
  if (stale.length === 0) return true;
  console.log(`dist/ is older than ${stale.length} source file(s) (${stale.slice(0, 3).join(", ")}${stale.length > 3 ? ", ..." : ""}): npm run build:ts`);
  try {
    await promisify(execFile)("npm", ["run", "build:ts"], { cwd: root });
    return true;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    const text = (e.stdout ?? "") + (e.stderr ?? "") || e.message;
    console.log(`npm run build:ts reported errors:\n${text.split("\n").slice(0, 20).join("\n")}`);
    return staleSources().length === 0;
  }
}
