/**
 * npm run bench:charts -- FILE.json [--out DIR]
 *
 * Draws the benchmark charts (SVG) from a results file written by `npm run bench -- --json FILE`:
 * by default beside it, as FILE-without-.json + "-<chart>.svg"; with --out DIR, as DIR/<chart>.svg
 * (how the README's charts in bench/charts/ are made).
 */
import { resolve } from "node:path";
import { chartsBeside, drawCharts } from "./common/charts.js";
import { readResults } from "./common/results.js";

const USAGE = "usage: npm run bench:charts -- FILE.json [--out DIR]";

async function main(args: readonly string[]): Promise<number> {
  let file: string | null = null;
  let out: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--out") out = args[++i] ?? null;
    else if (a.startsWith("--out=")) out = a.slice("--out=".length);
    else if (!a.startsWith("-") && file === null) file = a;
    else {
      console.error(`unknown argument "${a}"; ${USAGE}`);
      return 2;
    }
  }
  if (file === null || out === "") {
    console.error(USAGE);
    return 2;
  }
  // npm runs scripts from the package's root: relative paths are taken from where npm was run.
  const cwd = process.env.INIT_CWD ?? process.cwd();
  const results = readResults(resolve(cwd, file));
  const where = out === null ? chartsBeside(resolve(cwd, file)) : { dir: resolve(cwd, out), prefix: "" };
  const written = await drawCharts(results, where);
  if (written.length === 0) console.log(`${file} has no figures to chart`);
  for (const w of written) console.log(`chart: ${w}`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  },
);
