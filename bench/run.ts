/**
 * npm run bench [-- [dispatch] [servers] [evbuffer] [--quick]]
 *
 * Runs the named benchmarks (all of them when none is named), each the module
 * bench/<name>/run.ts exporting `run(opts)`, after bringing dist/ up to date. Every figure is
 * measured in this one run, and printed with its ratio to C libevent 2.1.12 (and Node's net where
 * it applies).
 */
import { pathToFileURL } from "node:url";
import { benchDir } from "./common/cbuild.js";
import { installCleanup, stopAll } from "./common/child.js";
import { ensureDist } from "./common/dist.js";

/** What every benchmark module's `run` receives. */
export interface BenchOptions {
  /** A short run for smoke-testing: fewer sizes, counts and repetitions. */
  quick: boolean;
}

interface BenchModule {
  run(opts: BenchOptions): Promise<void>;
}

const ALL = ["dispatch", "servers", "evbuffer"];

function parseArgs(args: readonly string[]): { names: string[]; quick: boolean } {
  const names: string[] = [];
  let quick = false;
  for (const a of args) {
    if (a === "--quick") quick = true;
    else if (ALL.includes(a)) names.push(a);
    else throw new Error(`unknown argument "${a}"; usage: npm run bench -- [${ALL.join("] [")}] [--quick]`);
  }
  return { names: names.length ? names : ALL, quick };
}

async function main(): Promise<number> {
  const { names, quick } = parseArgs(process.argv.slice(2));
  installCleanup();
  await ensureDist();
  let failed = 0;
  for (const name of names) {
    console.log(`\n=== ${name}${quick ? " (quick)" : ""} ===`);
    try {
      const mod = (await import(pathToFileURL(`${benchDir}${name}/run.ts`).href)) as BenchModule;
      await mod.run({ quick });
    } catch (err) {
      failed++;
      console.log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      await stopAll();
    }
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
