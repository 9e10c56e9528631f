/**
 * npm run bench [-- [dispatch] [servers] [evbuffer] [--quick] [--json FILE]]
 *
 * Runs the named benchmarks (all of them when none is named), each the module
 * bench/<name>/run.ts exporting `run(opts)`, after bringing dist/ up to date. Every figure is
 * measured in this one run, and printed with its ratio to C libevent 2.1.12 (and Node's net where
 * it applies). Each case is printed as it finishes; on a terminal a live line shows what runs now.
 *
 * --json FILE writes every figure (machine, date, versions, raw samples, medians, ratios) to FILE,
 * after each benchmark, and draws the charts from it beside it (FILE without ".json", then
 * "-<chart>.svg"); `npm run bench:charts -- FILE` draws them again from the file alone.
 */
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { benchDir } from "./common/cbuild.js";
import { installCleanup, stopAll } from "./common/child.js";
import { ensureDist } from "./common/dist.js";
import { idle, log } from "./common/progress.js";
import { newResults, writeResults, type Results } from "./common/results.js";

/** What every benchmark module's `run` receives. */
export interface BenchOptions {
  /** A short run for smoke-testing: fewer sizes, counts and repetitions. */
  quick: boolean;
}

interface BenchModule {
  /** Runs the benchmark, printing as it goes; returns its figures for the JSON file. */
  run(opts: BenchOptions): Promise<unknown>;
}

const ALL = ["dispatch", "servers", "evbuffer"] as const;
type Name = (typeof ALL)[number];
const USAGE = `usage: npm run bench -- [${ALL.join("] [")}] [--quick] [--json FILE]`;

function parseArgs(args: readonly string[]): { names: Name[]; quick: boolean; json: string | null } {
  const names: Name[] = [];
  let quick = false;
  let json: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--json" || a.startsWith("--json=")) {
      json = a === "--json" ? (args[++i] ?? "") : a.slice("--json=".length);
      if (!json || json.startsWith("-")) throw new Error(`--json needs a file name; ${USAGE}`);
    } else if ((ALL as readonly string[]).includes(a)) names.push(a as Name);
    else throw new Error(`unknown argument "${a}"; ${USAGE}`);
  }
  return { names: names.length ? names : [...ALL], quick, json };
}

/** Draws the charts of `results` beside `json`; a failure to draw is reported, not fatal. */
async function charts(json: string, results: Results): Promise<void> {
  try {
    const { drawCharts, chartsBeside } = await import("./common/charts.js");
    for (const file of await drawCharts(results, chartsBeside(json))) log(`chart: ${file}`);
  } catch (err) {
    log(`charts not drawn: ${err instanceof Error ? err.message : String(err)}`);
  }
}

async function main(): Promise<number> {
  const { names, quick, json } = parseArgs(process.argv.slice(2));
  installCleanup();
  await ensureDist();
  const results = newResults(quick);
  // npm runs scripts from the package's root: a relative FILE is taken from where npm was run.
  const jsonFile = json === null ? null : resolve(process.env.INIT_CWD ?? process.cwd(), json);
  let failed = 0;
  for (const name of names) {
    log(`\n=== ${name}${quick ? " (quick)" : ""} ===`);
    try {
      const mod = (await import(pathToFileURL(`${benchDir}${name}/run.ts`).href)) as BenchModule;
      results.benchmarks[name] = (await mod.run({ quick })) as never;
    } catch (err) {
      failed++;
      idle();
      log(`${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      await stopAll();
    }
    idle();
    // Written after each benchmark, so that a later failure or an interruption keeps these figures.
    if (jsonFile) writeResults(jsonFile, results);
  }
  if (jsonFile) {
    results.finished = new Date().toISOString();
    writeResults(jsonFile, results);
    log();
    log(`figures: ${json}`);
    await charts(jsonFile, results);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    idle();
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 2;
  },
);
