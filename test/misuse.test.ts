/**
 * The misuse corpus (issue 11, items 8 and 9): every function the package root exports, called
 * with a misuse value in each argument position and valid arguments elsewhere (the generator is
 * test/fixtures/misuse_corpus.ts, driven by the exports' parameter names and a small type table).
 * Each call must either do what C does (fail with -1/NULL) or throw a TypeError/RangeError whose
 * message names the function; it must never crash the process, throw anything else, or succeed on
 * garbage. The calls run in child processes, a batch of exports per child; a child that crashes
 * or hangs names the call it was in, which counts as a crash, and a new child goes on after it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nodeArgs, root } from "./helpers/children.js";

const corpus = `${root}test/fixtures/misuse_corpus.ts`;
/** A child whose report does not grow for this long is stuck in a call (counted as a crash). */
const HANG_MS = 20_000;

interface result {
  i: number;
  fn: string;
  pos: number;
  param: string;
  misuse: string;
  outcome: "threw" | "failed" | "accepted" | "unnamed" | "setup" | "crash";
  detail: string;
  errno: number;
}

let dir = "";
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "misuse-"));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

let nreports = 0;

/** Run the corpus child for `fns` from call `from`; its results, and where it stopped if it died. */
function runChild(fns: string[], from: number): Promise<{ results: result[]; total: number; died: number | null; why: string }> {
  return new Promise((resolve) => {
    const report = join(dir, `report-${nreports++}.txt`);
    writeFileSync(report, "");
    const child = spawn(process.execPath, nodeArgs(corpus, [JSON.stringify(fns), String(from), report]), { cwd: dir });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => { stderr += d; });
    // A child whose report has not grown for HANG_MS is stuck in a call.
    let size = -1;
    let still = 0;
    const watch = setInterval(() => {
      const now = statSync(report).size;
      still = now === size ? still + 1000 : 0;
      size = now;
      if (still >= HANG_MS) child.kill("SIGKILL");
    }, 1000);
    child.on("exit", (code, signal) => {
      clearInterval(watch);
      const results: result[] = [];
      let total = -1;
      let current: number | null = null;
      for (const line of readFileSync(report, "utf8").split("\n")) {
        if (line.startsWith("N ")) total = Number(line.slice(2));
        else if (line.startsWith("B ")) current = Number(line.slice(2));
        else if (line.startsWith("R ")) {
          results.push(JSON.parse(line.slice(2)) as result);
          current = null;
        }
      }
      const died = code === 0 ? null : current ?? -1;
      resolve({ results, total, died, why: `exit ${code ?? signal}: ${stderr.slice(-300)}` });
    });
  });
}

/** Every call for `fns`, restarting after each crash. */
async function runBatch(fns: string[]): Promise<result[]> {
  const all: result[] = [];
  let from = 0;
  let planned = -1;
  for (let attempts = 0; attempts < 50; attempts++) {
    const { results, total, died, why } = await runChild(fns, from);
    if (from === 0) planned = total;
    all.push(...results);
    if (died === null) {
      // Every planned call reported once (a call that closed the report's descriptor would hide the rest).
      if (new Set(all.map((r) => r.i)).size !== planned) throw new Error(`corpus child for ${fns[0]}..: ${all.length} of ${planned} calls reported`);
      return all;
    }
    if (died < 0) throw new Error(`corpus child for ${fns[0]}.. failed outside a call: ${why}`);
    all.push({ i: died, fn: "?", pos: -1, param: "?", misuse: "?", outcome: "crash", detail: why, errno: 0 });
    from = died + 1;
  }
  throw new Error("too many crashes");
}

async function listExports(): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, nodeArgs(corpus, ["--list"]), { cwd: dir });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => { out += d; });
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as string[]) : reject(new Error(`--list: exit ${code}`))));
  });
}

describe("misuse corpus: every export, every argument position", () => {
  it("0 crashes, 0 throws that are not a TypeError/RangeError naming the function, 0 accepted garbage", { timeout: 300_000 }, async () => {
    const fns = await listExports();
    expect(fns.length).toBeGreaterThan(200);
    // Two children at a time (the machine's cores), each a contiguous share of the exports.
    const shares = 4;
    const per = Math.ceil(fns.length / shares);
    const batches = Array.from({ length: shares }, (_, k) => fns.slice(k * per, (k + 1) * per));
    const results: result[] = [];
    for (let k = 0; k < batches.length; k += 2) {
      const done = await Promise.all(batches.slice(k, k + 2).map((b) => runBatch(b)));
      for (const r of done) results.push(...r);
    }
    const bad = (o: result["outcome"]): string[] =>
      results.filter((r) => r.outcome === o).map((r) => `${r.fn}(#${r.pos} ${r.param} = ${r.misuse}): ${r.detail}`);
    const crashes = bad("crash");
    const unnamed = bad("unnamed");
    const accepted = bad("accepted");
    const setup = bad("setup");
    // A NULL or a negative number is C's to answer, with C's -1/NULL (errno as C leaves it); a
    // value C cannot even be given (undefined, NaN, a fraction, another type) that is answered
    // with a failure must say why in errno.
    const silentFailures = results.filter((r) => r.outcome === "failed" && r.errno === 0 && r.misuse !== "null" && r.misuse !== "-2")
      .map((r) => `${r.fn}(#${r.pos} ${r.param} = ${r.misuse}): ${r.detail}, errno 0`);
    const summary = `${results.length} calls over ${fns.length} exports: ` +
      `${results.filter((r) => r.outcome === "threw").length} named throws, ` +
      `${results.filter((r) => r.outcome === "failed").length} C failures`;
    console.log(summary);
    // MISUSE_REPORT=<file>: every call's outcome, for working through a failing run.
    if (process.env.MISUSE_REPORT) writeFileSync(process.env.MISUSE_REPORT, JSON.stringify(results, null, 1));
    expect(setup, "corpus set-up errors").toEqual([]);
    expect(crashes, "crashes").toEqual([]);
    expect(unnamed, "throws that do not name the function").toEqual([]);
    expect(accepted, "garbage accepted").toEqual([]);
    expect(silentFailures, "-1/null returns on garbage that leave errno 0").toEqual([]);
  });
});
