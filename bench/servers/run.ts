/**
 * The server benchmarks: hello-world connections per second and echo round trips per second
 * (50 connections and 1), against C libevent 2.1.12, libevent-ts and Node's net, with the same
 * load generator (loadgen.c) on 127.0.0.1. Server CPU time per operation comes from procfs around
 * each run. All servers run at once; each repetition runs every test against every server in
 * turn (the order rotating), and the ratios are medians of the per-repetition ratios.
 */
import type { BenchOptions } from "../run.js";
import { buildC } from "../common/cbuild.js";
import { exited, runProgram, startServer, stopChild, type Server } from "../common/child.js";
import { cpuTimeUs } from "../common/cputime.js";
import { freePort, waitAccepting } from "../common/ports.js";
import { median } from "../common/stats.js";
import { fmt, printTable, type Cell } from "../common/table.js";

type Kind = "hello" | "echo";
type Impl = "C libevent" | "libevent-ts" | "Node net";
const IMPLS: readonly Impl[] = ["C libevent", "libevent-ts", "Node net"];

/** How each implementation's server is started: a program, or a script (relative to the root) run with tsx. */
function serverCommand(impl: Impl, kind: Kind, cPrograms: Record<Kind, string>): { cmd: string; args: string[] } {
  const script = (file: string) => ({ cmd: process.execPath, args: ["--import", "tsx", file] });
  switch (impl) {
    case "C libevent":
      return { cmd: cPrograms[kind], args: [] };
    case "libevent-ts":
      return script(kind === "hello" ? "examples/hello-world.ts" : "examples/echo-server.ts");
    case "Node net":
      return script(kind === "hello" ? "bench/servers/node-hello.ts" : "bench/servers/node-echo.ts");
  }
}

interface Test {
  name: string;
  kind: Kind;
  unit: string;
  /** loadgen's arguments after PORT. */
  args: string[];
  warmup: string[];
}

interface Sample {
  rate: number;
  cpuPerOp: number;
  failures: number;
}

/** loadgen's key=value line. */
function parseLine(stdout: string): Record<string, string> {
  const line = stdout.trim().split("\n").pop() ?? "";
  return Object.fromEntries(line.split(" ").map((kv) => kv.split("=") as [string, string]));
}

async function loadgen(prog: string, port: number, args: readonly string[], maxSeconds: number) {
  const r = await runProgram(prog, [args[0]!, String(port), ...args.slice(1)], (maxSeconds + 15) * 1000);
  const kv = parseLine(r.stdout);
  if (!kv.mode) throw new Error(`loadgen ${args.join(" ")} printed no result (exit ${r.code ?? r.signal}):\n${r.stderr}`);
  return kv;
}

export async function run(opts: BenchOptions): Promise<void> {
  const maxSeconds = opts.quick ? 10 : 30;
  const reps = opts.quick ? 1 : 7;
  const conns = opts.quick ? 2000 : 20_000;
  const rt50 = opts.quick ? 20_000 : 200_000;
  const rt1 = opts.quick ? 5000 : 50_000;
  const ms = String(maxSeconds);
  const tests: Test[] = [
    { name: "hello, conns/s", kind: "hello", unit: "conns_per_s", args: ["conn", String(conns), "50", ms], warmup: ["conn", "2000", "50", ms] },
    { name: "echo, 50 conns, round trips/s", kind: "echo", unit: "rtt_per_s", args: ["echo", "50", String(rt50), ms, "64"], warmup: ["echo", "50", "20000", ms, "64"] },
    { name: "echo, 1 conn, round trips/s", kind: "echo", unit: "rtt_per_s", args: ["echo", "1", String(rt1), ms, "64"], warmup: ["echo", "1", "5000", ms, "64"] },
  ];

  const [lg, hello, echo] = await Promise.all([
    buildC("loadgen", "servers/loadgen.c"),
    buildC("hello-world", "servers/hello-world.c", ["-levent_core"]),
    buildC("echo-server", "servers/echo-server.c", ["-levent_core"]),
  ]);
  const cPrograms: Record<Kind, string> = { hello, echo };

  console.log(`loadgen on 127.0.0.1: hello ${fmt(conns)} connections 50 at a time; echo 64-byte messages, ` +
    `${fmt(rt50)} round trips over 50 connections and ${fmt(rt1)} over 1; ${reps} rep(s), medians`);

  // Start every server, each on its own port, with per-connection printing off (-q).
  const servers = new Map<string, { server: Server; port: number }>();
  const key = (impl: Impl, kind: Kind) => `${impl}/${kind}`;
  try {
    for (const kind of ["hello", "echo"] as const) {
      for (const impl of IMPLS) {
        const { cmd, args } = serverCommand(impl, kind, cPrograms);
        const port = await freePort();
        const server = startServer(cmd, [...args, "-q", String(port)]);
        if (!(await waitAccepting(port, 20_000, () => exited(server.child)))) {
          console.log(`note: ${impl} ${kind} skipped: \`${[cmd, ...args].join(" ")} -q ${port}\` did not accept on 127.0.0.1:${port} ` +
            `(see bench/servers/README.md for the arguments). Its output:\n${server.output()}`);
          await stopChild(server.child);
          continue;
        }
        servers.set(key(impl, kind), { server, port });
      }
    }

    // Warm-up (JIT, allocator, listen queue): one short run per test and server, not counted.
    for (const t of tests)
      for (const impl of IMPLS) {
        const s = servers.get(key(impl, t.kind));
        if (s) await loadgen(lg, s.port, t.warmup, maxSeconds);
      }

    const samples = new Map<string, Sample[]>();
    for (let rep = 0; rep < reps; rep++) {
      const seen: string[] = [];
      for (const t of tests) {
        for (let k = 0; k < IMPLS.length; k++) {
          const impl = IMPLS[(k + rep) % IMPLS.length]!;
          const s = servers.get(key(impl, t.kind));
          if (!s) continue;
          const cpu0 = cpuTimeUs(s.server.pid);
          const kv = await loadgen(lg, s.port, t.args, maxSeconds);
          const cpu1 = cpuTimeUs(s.server.pid);
          const ops = Number(kv.mode === "conn" ? kv.ok : kv.done);
          const failures = Number(kv.errors) + Number(kv.timed_out);
          if (failures) console.log(`  warning: ${impl} ${t.name}: ${Object.entries(kv).map(([k, v]) => `${k}=${v}`).join(" ")}`);
          const list = samples.get(`${t.name}/${impl}`) ?? [];
          list.push({ rate: Number(kv[t.unit]), cpuPerOp: ops ? (cpu1 - cpu0) / ops : NaN, failures });
          samples.set(`${t.name}/${impl}`, list);
          seen.push(`${t.kind === "hello" ? "hello" : `echo${t.args[1]}`} ${impl} ${fmt(Number(kv[t.unit]))}`);
        }
      }
      console.log(`  rep ${rep + 1}/${reps}: ${seen.join(", ")}`);
    }
    report(tests, samples);
  } finally {
    await Promise.all([...servers.values()].map((s) => stopChild(s.server.child)));
  }
}

function report(tests: readonly Test[], samples: Map<string, Sample[]>): void {
  const rows: Cell[][] = [];
  const ratio = (test: string, impl: Impl, base: Impl): number => {
    const xs = samples.get(`${test}/${impl}`), bs = samples.get(`${test}/${base}`);
    if (!xs || !bs) return NaN;
    return median(xs.map((x, i) => x.rate / bs[i]!.rate));
  };
  for (const t of tests) {
    for (const impl of IMPLS) {
      const xs = samples.get(`${t.name}/${impl}`);
      if (!xs) {
        rows.push([t.name, impl, null, null, null, null, null, null]);
        continue;
      }
      const c = ratio(t.name, impl, "C libevent"), n = ratio(t.name, impl, "Node net");
      const cpu = median(xs.map((x) => x.cpuPerOp));
      const cCpu = samples.get(`${t.name}/C libevent`);
      const cpuVsC = cCpu ? median(cCpu.map((x) => x.cpuPerOp)) / cpu : NaN;
      rows.push([
        t.name,
        impl,
        fmt(median(xs.map((x) => x.rate))),
        Number.isNaN(c) ? null : `${fmt(c, 2)}x`,
        Number.isNaN(n) ? null : `${fmt(n, 2)}x`,
        fmt(cpu, 1),
        Number.isNaN(cpuVsC) ? null : `${fmt(cpuVsC, 2)}x`,
        xs.reduce((s, x) => s + x.failures, 0),
      ]);
    }
  }
  console.log();
  printTable(["test", "server", "rate", "x C libevent", "x Node net", "server CPU µs/op", "C's CPU / its", "errors"], rows);
  console.log("(rate: median; x: median of the per-rep rate ratios; C's CPU / its: C libevent's median CPU µs/op over this server's)");

  const measured = tests.filter((t) => samples.has(`${t.name}/libevent-ts`));
  if (measured.length === 0) return;
  const worstC = Math.min(...measured.map((t) => ratio(t.name, "libevent-ts", "C libevent")));
  console.log();
  console.log(`target (issue 4) libevent-ts >= 0.9x C libevent on all three: worst of ${measured.length} ` +
    `${fmt(worstC, 2)}x -> ${worstC >= 0.9 && measured.length === tests.length ? "met" : "NOT met"}`);
  if (measured.includes(tests[0]!)) {
    const helloNode = ratio(tests[0]!.name, "libevent-ts", "Node net");
    console.log(`target (issue 4) libevent-ts >= 1.5x Node net on hello: ${fmt(helloNode, 2)}x -> ${helloNode >= 1.5 ? "met" : "NOT met"}`);
  }
}
