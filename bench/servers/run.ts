/**
 * The server benchmarks: hello-world connections per second and echo round trips per second
 * (50 connections and 1), against C libevent 2.1.12, libevent-ts (its blocking loop, and its loop
 * run inside Node's where the async examples exist) and Node's net, with the same load generator
 * (loadgen.c) on 127.0.0.1. Server CPU time per operation comes from procfs around each run. All
 * servers run at once; each repetition runs every test against every server in turn (the order
 * rotating), and the ratios are medians of the per-repetition ratios.
 *
 * Then, where examples/echo-threads.ts exists, the echo server with 1, 2 and 4 worker threads, in
 * both of its modes (one acceptor handing connections round robin, and SO_REUSEPORT), with the
 * server's CPU split over its threads.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { BenchOptions } from "../run.js";
import { buildC, root } from "../common/cbuild.js";
import { exited, runProgram, startServer, stopChild, type Server } from "../common/child.js";
import { cpuTimeUs, threadDeltas, threadTimesUs } from "../common/cputime.js";
import { freePort, waitAccepting } from "../common/ports.js";
import { idle, log, status } from "../common/progress.js";
import type { ServerRow, ServerSample, ServersResult, ServerTest, ThreadRow } from "../common/results.js";
import { median, summarize } from "../common/stats.js";
import { fmt, printTable, type Cell } from "../common/table.js";

type Kind = "hello" | "echo";
const C = "C libevent", TS = "libevent-ts", URING = "libevent-ts io_uring", ASYNC = "libevent-ts async",
  AWAIT = "libevent-ts await", NODE = "Node net";
const IMPLS = [C, TS, URING, ASYNC, AWAIT, NODE] as const;
type Impl = (typeof IMPLS)[number];

/**
 * The examples run inside Node's loop (event_base_dispatch_async): hello-world-async.ts (which
 * awaits each answer's write), echo-server.ts --async (the same callbacks as the blocking server)
 * and echo-server.ts --await (each connection an async function awaiting its reads and writes).
 */
const ASYNC_HELLO = "examples/hello-world-async.ts";
const ASYNC_ECHO = "examples/echo-server.ts";
const THREADS_ECHO = "examples/echo-threads.ts";

/** Whether echo-server.ts has the mode `flag` (--async, --await) in this checkout. */
function echoHas(flag: string): boolean {
  return existsSync(`${root}${ASYNC_ECHO}`) && readFileSync(`${root}${ASYNC_ECHO}`, "utf8").includes(`"${flag}"`);
}

/**
 * How each implementation's server is started: a program, or a script (relative to the root) run
 * with tsx; a string saying why not where this checkout does not have it; null where there is no
 * such server (hello has no --await form: hello-world-async.ts already awaits its writes).
 */
function serverCommand(impl: Impl, kind: Kind, cPrograms: Record<Kind, string>):
  { cmd: string; args: string[]; env?: Record<string, string> } | string | null {
  const script = (file: string, ...args: string[]) => ({ cmd: process.execPath, args: ["--import", "tsx", file, ...args] });
  switch (impl) {
    case C:
      return { cmd: cPrograms[kind], args: [] };
    case TS:
      return script(kind === "hello" ? "examples/hello-world.ts" : "examples/echo-server.ts");
    case URING:
      // The same blocking server on the io_uring backend (opt-in, so chosen through the environment).
      if (!usableUring()) return "io_uring is not usable here (io_uring_setup refused, or not Linux)";
      return { ...script(kind === "hello" ? "examples/hello-world.ts" : "examples/echo-server.ts"), env: { EVENT_USE_IO_URING: "1" } };
    case ASYNC:
      if (kind === "hello")
        return existsSync(`${root}${ASYNC_HELLO}`) ? script(ASYNC_HELLO) : `${ASYNC_HELLO} is not in this checkout`;
      return echoHas("--async") ? script(ASYNC_ECHO, "--async") : `${ASYNC_ECHO} has no --async mode in this checkout`;
    case AWAIT:
      if (kind === "hello") return null;
      return echoHas("--await") ? script(ASYNC_ECHO, "--await") : `${ASYNC_ECHO} has no --await mode in this checkout`;
    case NODE:
      return script(kind === "hello" ? "bench/servers/node-hello.ts" : "bench/servers/node-echo.ts");
  }
}

/** Whether a base can use io_uring here (probed once, in a child, so that nothing loads here). */
let uringProbe: boolean | undefined;
function usableUring(): boolean {
  if (uringProbe === undefined) {
    const code = 'import("libevent-ts/event2/event").then((m) => { const b = m.event_base_new(); ' +
      'process.exitCode = b && m.event_base_get_method(b) === "io_uring" ? 0 : 1; })';
    const r = spawnSync(process.execPath, ["--import", "tsx", "-e", code], {
      cwd: root, env: { ...process.env, EVENT_USE_IO_URING: "1" }, stdio: "ignore", timeout: 60_000,
    });
    uringProbe = r.status === 0;
  }
  return uringProbe;
}

/** The command line as the reader would type it (relative paths, no machine path). */
function shown(cmd: string, args: readonly string[]): string {
  const c = cmd === process.execPath ? "node" : cmd.startsWith(root) ? cmd.slice(root.length) : cmd;
  return [c, ...args].join(" ");
}

interface Test {
  name: string;
  kind: Kind;
  op: string;
  unit: string;
  /** loadgen's arguments after PORT. */
  args: string[];
  warmup: string[];
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

/** One measured load-generator run against the server `pid`, with its CPU time (and per thread). */
async function measure(lg: string, port: number, pid: number, t: Test, maxSeconds: number, rep: number,
  perThread: boolean, what: string): Promise<ServerSample> {
  const threads0 = perThread ? threadTimesUs(pid) : null;
  const cpu0 = cpuTimeUs(pid);
  const kv = await loadgen(lg, port, t.args, maxSeconds);
  const cpu1 = cpuTimeUs(pid);
  const threads = threads0 ? threadDeltas(pid, threads0, threadTimesUs(pid)) : undefined;
  const ops = Number(kv.mode === "conn" ? kv.ok : kv.done);
  const failures = Number(kv.errors) + Number(kv.timed_out);
  if (failures) log(`  warning: ${what} ${t.name}: ${Object.entries(kv).map(([k, v]) => `${k}=${v}`).join(" ")}`);
  const sample: ServerSample = { rep, rate: Number(kv[t.unit]), ops, cpuUs: cpu1 - cpu0, cpuPerOp: ops ? (cpu1 - cpu0) / ops : NaN, failures };
  if (threads) sample.threads = threads;
  return sample;
}

export async function run(opts: BenchOptions): Promise<ServersResult> {
  const maxSeconds = opts.quick ? 10 : 30;
  const reps = opts.quick ? 1 : 7;
  const conns = opts.quick ? 2000 : 20_000;
  const rt50 = opts.quick ? 20_000 : 200_000;
  const rt1 = opts.quick ? 5000 : 50_000;
  const ms = String(maxSeconds);
  const tests: Test[] = [
    { name: "hello, conns/s", kind: "hello", op: "connection", unit: "conns_per_s", args: ["conn", String(conns), "50", ms], warmup: ["conn", "2000", "50", ms] },
    { name: "echo, 50 conns, round trips/s", kind: "echo", op: "round trip", unit: "rtt_per_s", args: ["echo", "50", String(rt50), ms, "64"], warmup: ["echo", "50", "20000", ms, "64"] },
    { name: "echo, 1 conn, round trips/s", kind: "echo", op: "round trip", unit: "rtt_per_s", args: ["echo", "1", String(rt1), ms, "64"], warmup: ["echo", "1", "5000", ms, "64"] },
  ];

  const [lg, hello, echo] = await Promise.all([
    buildC("loadgen", "servers/loadgen.c"),
    buildC("hello-world", "servers/hello-world.c", ["-levent_core"]),
    buildC("echo-server", "servers/echo-server.c", ["-levent_core"]),
  ]);
  const cPrograms: Record<Kind, string> = { hello, echo };

  const method = `loadgen on 127.0.0.1: hello ${fmt(conns)} connections 50 at a time; echo 64-byte messages, ` +
    `${fmt(rt50)} round trips over 50 connections and ${fmt(rt1)} over 1; ${reps} rep(s), medians`;
  log(method);

  // Start every server, each on its own port, with per-connection printing off (-q).
  const servers = new Map<string, { server: Server; port: number; command: string }>();
  const skipped: string[] = [];
  const key = (impl: Impl, kind: Kind) => `${impl}/${kind}`;
  const result: ServersResult = { method, reps, tests: [], skipped, threads: null };
  try {
    for (const kind of ["hello", "echo"] as const) {
      for (const impl of IMPLS) {
        const how = serverCommand(impl, kind, cPrograms);
        if (how === null) continue;
        if (typeof how === "string") {
          skipped.push(`${impl} ${kind}: ${how}`);
          log(`note: ${impl} ${kind} skipped: ${how}`);
          continue;
        }
        const { cmd, args, env } = how;
        const port = await freePort();
        status(`servers: starting ${impl} ${kind}`);
        const server = startServer(cmd, [...args, "-q", String(port)], env);
        const command = (env ? Object.entries(env).map(([k, v]) => `${k}=${v} `).join("") : "") + shown(cmd, [...args, "-q", "PORT"]);
        if (!(await waitAccepting(port, 60_000, () => exited(server.child)))) {
          const why = `\`${command}\` did not accept on 127.0.0.1:${port}`;
          skipped.push(`${impl} ${kind}: ${why}`);
          log(`note: ${impl} ${kind} skipped: ${why} (see bench/servers/README.md for the arguments). Its output:\n${server.output()}`);
          await stopChild(server.child);
          continue;
        }
        servers.set(key(impl, kind), { server, port, command });
      }
    }
    const impls = IMPLS.filter((impl) => tests.some((t) => servers.has(key(impl, t.kind))));

    // Warm-up (JIT, allocator, listen queue): one short run per test and server, not counted.
    for (const t of tests)
      for (const impl of impls) {
        const s = servers.get(key(impl, t.kind));
        if (!s) continue;
        status(`servers: warm-up, ${t.name}, ${impl}`);
        await loadgen(lg, s.port, t.warmup, maxSeconds);
      }

    const samples = new Map<string, ServerSample[]>();
    for (let rep = 0; rep < reps; rep++) {
      const seen: string[] = [];
      for (const t of tests) {
        for (let k = 0; k < impls.length; k++) {
          const impl = impls[(k + rep) % impls.length]!;
          const s = servers.get(key(impl, t.kind));
          if (!s) continue;
          status(`servers rep ${rep + 1} of ${reps}: ${t.name}, ${impl}`);
          const sample = await measure(lg, s.port, s.server.pid, t, maxSeconds, rep, false, impl);
          const list = samples.get(`${t.name}/${impl}`) ?? [];
          list.push(sample);
          samples.set(`${t.name}/${impl}`, list);
          seen.push(`${t.kind === "hello" ? "hello" : `echo${t.args[1]}`} ${impl} ${fmt(sample.rate)}`);
        }
      }
      log(`  rep ${rep + 1}/${reps}: ${seen.join(", ")}`);
    }
    result.tests = tests.map((t) => testResult(t, impls, samples, servers));
    idle();
    report(result.tests);
  } finally {
    idle();
    await Promise.all([...servers.values()].map((s) => stopChild(s.server.child)));
  }
  result.threads = await threads(opts, lg, maxSeconds, rt50);
  return result;
}

/** The figures of one test: per server, its samples, medians and ratios. */
function testResult(t: Test, impls: readonly Impl[], samples: Map<string, ServerSample[]>,
  servers: Map<string, { command: string }>): ServerTest {
  const ratio = (impl: Impl, base: Impl): number => {
    const xs = samples.get(`${t.name}/${impl}`), bs = samples.get(`${t.name}/${base}`);
    if (!xs || !bs || impl === base) return NaN;
    return median(xs.map((x, i) => x.rate / bs[i]!.rate));
  };
  const cCpu = samples.get(`${t.name}/${C}`);
  const rows: ServerRow[] = [];
  for (const impl of impls) {
    const xs = samples.get(`${t.name}/${impl}`);
    if (!xs) continue;
    const ratios: Record<string, number> = { [C]: ratio(impl, C), [NODE]: ratio(impl, NODE) };
    if (impl === ASYNC || impl === AWAIT || impl === URING) ratios[TS] = ratio(impl, TS);
    const cpu = median(xs.map((x) => x.cpuPerOp));
    rows.push({
      server: impl,
      command: servers.get(`${impl}/${t.kind}`)?.command ?? "",
      samples: xs,
      rate: summarize(xs.map((x) => x.rate)),
      cpuPerOp: summarize(xs.map((x) => x.cpuPerOp)),
      ratios,
      cCpuOverIts: cCpu ? median(cCpu.map((x) => x.cpuPerOp)) / cpu : null,
    });
  }
  return { name: t.name, kind: t.kind, op: t.op, loadgen: t.args, rows };
}

const times = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? null : `${fmt(x, 2)}x`);

function report(tests: readonly ServerTest[]): void {
  const hasAsync = tests.some((t) => t.rows.some((r) => r.server === ASYNC || r.server === AWAIT || r.server === URING));
  const rows: Cell[][] = [];
  for (const t of tests) {
    for (const r of t.rows) {
      rows.push([
        t.name,
        r.server,
        fmt(r.rate?.median),
        times(r.ratios[C]),
        times(r.ratios[NODE]),
        ...(hasAsync ? [times(r.ratios[TS])] : []),
        fmt(r.cpuPerOp?.median, 1),
        times(r.cCpuOverIts),
        r.samples.reduce((s, x) => s + x.failures, 0),
      ]);
    }
  }
  log();
  printTable(["test", "server", "rate", "x C libevent", "x Node net", ...(hasAsync ? ["x libevent-ts"] : []),
    "server CPU µs/op", "C's CPU / its", "errors"], rows);
  log("(rate: median; x: median of the per-rep rate ratios, above 1 is faster; " +
    "C's CPU / its: C libevent's median CPU µs/op over this server's, above 1 means it uses less CPU than C" +
    (hasAsync ? "; x libevent-ts: over the blocking event_base_dispatch on epoll, of the same server on io_uring, " +
      "or with its loop inside Node's (async: the same callbacks; await: async functions awaiting reads and writes)" : "") + ")");
  for (const t of tests) {
    const parts = [ASYNC, AWAIT].flatMap((impl) => {
      const r = t.rows.find((x) => x.server === impl);
      return r ? [`${impl.replace("libevent-ts ", "")} ${fmt(r.ratios[TS], 2)}x`] : [];
    });
    if (parts.length) log(`inside Node's loop / blocking, ${t.name}: ${parts.join(", ")} (rate)`);
  }

  const ts = tests.flatMap((t) => t.rows.filter((r) => r.server === TS));
  if (ts.length) {
    const worst = Math.min(...ts.map((r) => r.ratios[C]!));
    log(`libevent-ts's rate over C libevent's, worst of the ${ts.length} tests: ${fmt(worst, 2)}x`);
  }
}

const MODES = [["memcached", []], ["reuseport", ["--reuseport"]]] as const;

/**
 * The threaded echo server, 1, 2 and 4 threads in both modes: 50 connections' round trips, with
 * the server's CPU per round trip and its split over threads. Skipped with a message when
 * examples/echo-threads.ts is not in this checkout.
 */
async function threads(opts: BenchOptions, lg: string, maxSeconds: number, roundtrips: number): Promise<ServersResult["threads"]> {
  const args = ["echo", "50", String(roundtrips), String(maxSeconds), "64"];
  const t: Test = { name: "echo, 50 conns, round trips/s", kind: "echo", op: "round trip", unit: "rtt_per_s", args, warmup: ["echo", "50", "20000", String(maxSeconds), "64"] };
  if (!existsSync(`${root}${THREADS_ECHO}`)) {
    const why = `${THREADS_ECHO} is not in this checkout`;
    log(`\nnote: the threaded echo server skipped: ${why}`);
    return { loadgen: args, reps: 0, rows: [], skipped: why };
  }
  const reps = opts.quick ? 1 : 3;
  const counts = [1, 2, 4];
  log(`\nthe echo server with worker threads (${THREADS_ECHO}), 1, 2 and 4 threads, ` +
    `one acceptor handing connections round robin (memcached's model) and SO_REUSEPORT: ` +
    `${fmt(roundtrips)} round trips over 50 connections, ${reps} rep(s), medians`);
  const configs: { mode: ThreadRow["mode"]; threads: number; flags: readonly string[] }[] =
    MODES.flatMap(([mode, flags]) => counts.map((n) => ({ mode, threads: n, flags })));
  const running = new Map<string, { server: Server; port: number; pid: number; command: string }>();
  const id = (c: { mode: string; threads: number }) => `${c.mode}/${c.threads}`;
  const samples = new Map<string, ServerSample[]>();
  try {
    for (const c of configs) {
      const port = await freePort();
      const argv = ["--import", "tsx", THREADS_ECHO, String(port), String(c.threads), ...c.flags];
      status(`servers: starting the echo server with ${c.threads} thread(s), ${c.mode}`);
      const server = startServer(process.execPath, argv);
      const command = shown(process.execPath, [...argv.slice(0, 3), "PORT", ...argv.slice(4)]);
      const pid = await waitListening(server, port, 30_000);
      if (pid === null) {
        log(`note: ${c.mode} with ${c.threads} thread(s) skipped: \`${command}\` did not print "listening 127.0.0.1:${port} pid PID". Its output:\n${server.output()}`);
        await stopChild(server.child);
        continue;
      }
      running.set(id(c), { server, port, pid, command });
      status(`servers: warm-up, ${c.mode} with ${c.threads} thread(s)`);
      await loadgen(lg, port, t.warmup, maxSeconds);
    }
    const present = configs.filter((c) => running.has(id(c)));
    if (present.length === 0) {
      log("note: no threaded echo server started: nothing to measure");
      return { loadgen: args, reps: 0, rows: [], skipped: "no threaded echo server started" };
    }
    for (let rep = 0; rep < reps; rep++) {
      const seen: string[] = [];
      for (let k = 0; k < present.length; k++) {
        const c = present[(k + rep) % present.length]!;
        const s = running.get(id(c))!;
        const what = `${c.mode}, ${c.threads} thread(s)`;
        status(`servers threads rep ${rep + 1} of ${reps}: ${what}`);
        const sample = await measure(lg, s.port, s.pid, t, maxSeconds, rep, true, what);
        samples.set(id(c), [...(samples.get(id(c)) ?? []), sample]);
        seen.push(`${c.mode} ${c.threads}t ${fmt(sample.rate)}`);
      }
      log(`  rep ${rep + 1}/${reps}: ${seen.join(", ")}`);
    }
  } finally {
    idle();
    // Stopped, and their output read to the end (it holds their per-worker counts).
    await Promise.all([...running.values()].map(async (s) => {
      const closed = new Promise<void>((resolve) => {
        s.server.child.once("close", () => resolve());
        setTimeout(resolve, 2000).unref();
      });
      await stopChild(s.server.child);
      await closed;
    }));
  }
  // On SIGINT each server printed "thread K: N connections" per worker: how the connections were spread.
  const spread = (c: { mode: string; threads: number }): number[] | null => {
    const out = running.get(id(c))?.server.output() ?? "";
    const counts = [...out.matchAll(/^thread (\d+): (\d+) connections?$/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
    return counts.length ? counts.sort((x, y) => x[0] - y[0]).map(([, n]) => n) : null;
  };
  const rows: ThreadRow[] = [];
  for (const c of configs) {
    const xs = samples.get(id(c));
    if (!xs) continue;
    const one = samples.get(id({ mode: c.mode, threads: 1 }));
    rows.push({
      mode: c.mode,
      threads: c.threads,
      command: running.get(id(c))!.command,
      samples: xs,
      rate: summarize(xs.map((x) => x.rate)),
      cpuPerOp: summarize(xs.map((x) => x.cpuPerOp)),
      split: split(xs, c.threads),
      connections: spread(c),
      ratioToOne: one ? median(xs.map((x, i) => x.rate / one[i]!.rate)) : NaN,
    });
  }
  reportThreads(rows);
  return { loadgen: args, reps, rows, skipped: null };
}

/**
 * Waits for the threaded server's "listening 127.0.0.1:PORT pid PID" line; returns PID, or null
 * if it exited or did not print it in time.
 */
async function waitListening(server: Server, port: number, timeoutMs: number): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  const re = new RegExp(`listening 127\\.0\\.0\\.1:${port} pid (\\d+)`);
  while (Date.now() < deadline && !exited(server.child)) {
    const m = re.exec(server.output());
    if (m) return Number(m[1]);
    await new Promise((r) => setTimeout(r, 50));
  }
  return null;
}

/**
 * The median share of the server's CPU of its main thread and of its busiest other threads (as
 * many as it has workers), the rest pooled: the worker threads are the busiest after main.
 */
function split(xs: readonly ServerSample[], workers: number): ThreadRow["split"] {
  const names = ["main", ...Array.from({ length: workers }, (_, i) => `thread ${i + 1}`), "others"];
  const shares = names.map(() => [] as number[]);
  for (const x of xs) {
    const th = x.threads ?? [];
    const total = th.reduce((s, t) => s + t.cpuUs, 0);
    if (total <= 0) continue;
    const main = th.find((t) => t.name === "main");
    const rest = th.filter((t) => t !== main);
    shares[0]!.push((main?.cpuUs ?? 0) / total);
    for (let i = 0; i < workers; i++) shares[i + 1]!.push((rest[i]?.cpuUs ?? 0) / total);
    shares[workers + 1]!.push(rest.slice(workers).reduce((s, t) => s + t.cpuUs, 0) / total);
  }
  return names.map((name, i) => ({ name, share: median(shares[i]!) }));
}

function reportThreads(rows: readonly ThreadRow[]): void {
  if (rows.length === 0) return;
  log();
  printTable(
    ["mode", "threads", "round trips/s", "x 1 thread", "server CPU µs/op", "CPU split: main / busiest threads / others",
      "connections per worker"],
    rows.map((r): Cell[] => [
      r.mode, r.threads, fmt(r.rate?.median), times(r.ratioToOne), fmt(r.cpuPerOp?.median, 1),
      r.split.map((s) => `${fmt(s.share * 100)}%`).join(" / "),
      r.connections ? r.connections.join(" / ") : "?",
    ]),
  );
  log("(memcached: the main thread accepts and hands connections to the workers; reuseport: each worker has its own " +
    "listener; the CPU split is of the server process's CPU time during the runs, thread by thread, busiest first; " +
    "connections per worker: as the server counted them, warm-up included)");
}
