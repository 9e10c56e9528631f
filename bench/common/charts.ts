/**
 * Charts of a bench results file, as SVG: vega-lite specifications compiled to vega and rendered
 * headlessly (vega's View with no renderer, then toSVG: no canvas, no browser). vega-lite was
 * chosen because a chart is then a short declarative spec (log scales, facets, grouped bars and
 * labels come with it) and vega renders SVG in plain Node.
 *
 * - dispatch: time per run vs n for epoll, poll and select, C libevent and libevent-ts (the
 *   select/poll/epoll comparison, measured: poll and select grow with n, epoll stays flat);
 * - servers: rate and server CPU per operation, bars per server, one group per test;
 * - threads: the threaded echo server's rate, CPU per round trip and per-thread CPU split;
 * - evbuffer: libevent-ts operations/s over C libevent's, per case.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { Results } from "./results.js";

const C = "C libevent", TS = "libevent-ts";
/** One colour per server, the same in every chart. */
const SERVER_COLORS: Record<string, string> = {
  [C]: "#4c78a8", [TS]: "#f58518", "libevent-ts io_uring": "#eeca3b", "libevent-ts async": "#e45756",
  "libevent-ts await": "#b279a2", "Node net": "#54a24b",
};
const BACKEND_COLORS = { domain: ["epoll", "io_uring", "poll", "select"], range: ["#4c78a8", "#54a24b", "#f58518", "#e45756"] };

const config = {
  font: "sans-serif",
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: "#555", anchor: "start" as const, offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  view: { stroke: "#ddd" },
};

/** "2 × Intel(R) Xeon(R) ..., Linux 6.1, Node v20.20.2, libevent 2.1.12-stable, 2026-12-06 (load 3.1)" */
function footnote(r: Results): string {
  const date = r.started.slice(0, 10);
  const load = r.machine.loadStart === null ? "" : `, load average ${r.machine.loadStart.toFixed(1)} at the start`;
  return `${r.machine.cpus} × ${r.machine.cpu}; ${r.machine.os}; Node ${r.software.node}; ` +
    `libevent ${r.software.libevent ?? "?"}; ${date}${load}${r.quick ? "; quick run" : ""}`;
}

function dispatchSpec(r: Results): TopLevelSpec | null {
  const d = r.benchmarks.dispatch;
  if (!d || d.rows.length === 0) return null;
  // io_uring's C figures are C libevent's epoll (it has no io_uring): drawn once, as epoll.
  const values = d.rows.flatMap((row) => [
    { backend: row.backend, n: row.n, a: `${row.a} active`, impl: C, us: row.backend === "io_uring" ? null : row.c.all?.median ?? null },
    { backend: row.backend, n: row.n, a: `${row.a} active`, impl: TS, us: row.ts.all?.median ?? null },
  ]).filter((v) => v.us !== null);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Dispatch time vs number of descriptors: select, poll, epoll",
      subtitle: [
        "libevent's bench.c method: n socketpairs with a read event each, 100 writes passed along them per run.",
        `Median µs per run of ${d.programs} × 25 runs each; solid: C libevent, dashed: libevent-ts. poll and select scan`,
        "every fd on every call (O(n)); epoll hears only of the ready ones. select stops at FD_SETSIZE (1024 fds).",
        footnote(r),
      ],
    },
    data: { values },
    facet: { column: { field: "a", type: "nominal", title: null, sort: ["1 active", "100 active"] } },
    spec: {
      width: 330,
      height: 260,
      mark: { type: "line", point: { size: 45 }, strokeWidth: 2 },
      encoding: {
        x: { field: "n", type: "quantitative", scale: { type: "log" }, title: "descriptors watched (n, log scale)", axis: { format: "~s", values: [100, 400, 1000, 4000, 10000] } },
        y: { field: "us", type: "quantitative", scale: { type: "log" }, title: "µs per run (log scale)", axis: { format: "~s" } },
        color: { field: "backend", type: "nominal", title: "backend", scale: BACKEND_COLORS },
        strokeDash: { field: "impl", type: "nominal", title: "library", scale: { domain: [C, TS], range: [[1, 0], [6, 4]] } },
        shape: { field: "impl", type: "nominal", title: "library", scale: { domain: [C, TS], range: ["circle", "triangle-up"] } },
        tooltip: [{ field: "backend" }, { field: "impl" }, { field: "n" }, { field: "us", format: ",.0f" }],
      },
    },
    config,
  } as TopLevelSpec;
}

/** "hello, conns/s" -> "hello", "echo, 1 conn, round trips/s" -> "echo, 1 connection" */
function testLabel(name: string): string {
  return name.replace(/\bconns\b/g, "connections").replace(/\bconn\b/g, "connection").replace(/, [^,]*\/s$/, "");
}

function serversSpec(r: Results): TopLevelSpec | null {
  const s = r.benchmarks.servers;
  if (!s || s.tests.length === 0) return null;
  const tests = s.tests.map((t) => t.name);
  const servers = Object.keys(SERVER_COLORS).filter((name) => s.tests.some((t) => t.rows.some((row) => row.server === name)));
  const values = s.tests.flatMap((t) => t.rows.map((row) => ({
    test: testLabel(t.name),
    order: tests.indexOf(t.name),
    op: t.op,
    server: row.server,
    rate: row.rate?.median ?? null,
    rateQ1: row.rate?.q1 ?? null,
    rateQ3: row.rate?.q3 ?? null,
    cpu: row.cpuPerOp?.median ?? null,
    cpuQ1: row.cpuPerOp?.q1 ?? null,
    cpuQ3: row.cpuPerOp?.q3 ?? null,
  })));
  const testOrder = [...new Set(values.sort((x, y) => x.order - y.order).map((v) => v.test))];
  const color = {
    field: "server", type: "nominal", title: "server", legend: { labelLimit: 240 },
    scale: { domain: servers, range: servers.map((x) => SERVER_COLORS[x]) },
  };
  const panel = (field: "rate" | "cpu", title: string, axis: string, format: string) => ({
    title: { text: title, fontSize: 13, anchor: "start" as const },
    data: { values },
    facet: { column: { field: "test", type: "nominal", title: null, sort: testOrder } },
    // Each test its own scales: rates differ by test, and hello has no await form.
    resolve: { scale: { x: "independent", y: "independent" } },
    spec: {
      width: 200,
      height: 180,
      encoding: {
        x: { field: "server", type: "nominal", sort: servers, axis: null, title: null },
        y: { field, type: "quantitative", title: axis, axis: { format: "~s" } },
      },
      layer: [
        { mark: { type: "bar" }, encoding: { color } },
        // The spread of the repetitions: first to third quartile.
        { mark: { type: "rule", color: "#333", strokeWidth: 1.5 }, encoding: { y: { field: `${field}Q1`, type: "quantitative" }, y2: { field: `${field}Q3` } } },
        {
          transform: [{ calculate: `max(datum.${field}, datum.${field}Q3)`, as: "labelY" }],
          mark: { type: "text", dy: -6, fontSize: 10 },
          encoding: { y: { field: "labelY", type: "quantitative" }, text: { field, type: "quantitative", format } },
        },
        // Room above the tallest bar for its label.
        { transform: [{ calculate: `max(datum.${field}, datum.${field}Q3) * 1.12`, as: "top" }], mark: { type: "point", opacity: 0 }, encoding: { y: { field: "top", type: "quantitative" } } },
      ],
    },
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Servers on loopback: libevent-ts vs C libevent vs Node net",
      subtitle: [
        `Same load generator for all; bars: median of ${s.reps} repetition(s), lines: first to third quartile; ` +
          "the load generator shares the cores with the server.",
        footnote(r),
      ],
    },
    vconcat: [
      panel("rate", "Rate: connections/s (hello), round trips/s (echo); higher is better", "per second", ",.0f"),
      panel("cpu", "Server CPU time per connection or round trip (lower is better)", "µs", ".1f"),
    ],
    config,
  } as TopLevelSpec;
}

function threadsSpec(r: Results): TopLevelSpec | null {
  const th = r.benchmarks.servers?.threads;
  if (!th || th.rows.length === 0) return null;
  const MODES = ["one acceptor (memcached)", "SO_REUSEPORT"];
  const modeName = (m: string) => (m === "memcached" ? MODES[0]! : MODES[1]!);
  const values = th.rows.map((row) => ({
    mode: modeName(row.mode),
    threads: `${row.threads}`,
    rate: row.rate?.median ?? null,
    cpu: row.cpuPerOp?.median ?? null,
  }));
  const split = th.rows.flatMap((row) => row.split.map((s, i) => ({
    config: `${row.mode === "memcached" ? "acceptor" : "reuseport"},${row.threads} thr.`,
    thread: s.name, order: i, share: s.share,
  })));
  const threadNames = [...new Set(split.sort((x, y) => x.order - y.order).map((x) => x.thread))];
  threadNames.push(...threadNames.splice(threadNames.indexOf("others"), 1));
  const mode = { field: "mode", type: "nominal", title: null, scale: { domain: MODES, range: ["#4c78a8", "#f58518"] },
    legend: { orient: "top", labelLimit: 300 } };
  const bars = (field: "rate" | "cpu", title: string, format: string) => ({
    width: 220,
    height: 200,
    data: { values },
    encoding: {
      x: { field: "threads", type: "ordinal", title: "worker threads", axis: { labelAngle: 0 } },
      xOffset: { field: "mode", type: "nominal", sort: MODES },
      y: { field, type: "quantitative", title, axis: { format: "~s" } },
    },
    layer: [
      { mark: "bar", encoding: { color: mode } },
      { mark: { type: "text", dy: -6, fontSize: 9 }, encoding: { text: { field, type: "quantitative", format } } },
      { transform: [{ calculate: `datum.${field} * 1.12`, as: "top" }], mark: { type: "point", opacity: 0 }, encoding: { y: { field: "top", type: "quantitative" } } },
    ],
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "Echo server with worker threads (one event_base per thread)",
      subtitle: [
        `50 connections, 64-byte round trips; median of ${th.reps} repetition(s); the load generator shares the cores.`,
        "Right: each thread's share of the server's CPU (thread N: the Nth busiest after main).",
        footnote(r),
      ],
    },
    hconcat: [
      { hconcat: [bars("rate", "round trips per second", ".3~s"), bars("cpu", "server CPU µs per round trip", ".1f")], resolve: { scale: { color: "shared" } } },
      {
        width: 330,
        height: 200,
        data: { values: split },
        mark: "bar",
        encoding: {
          x: { field: "config", type: "nominal", title: "mode, threads", sort: null,
            axis: { labelAngle: 0, labelExpr: "split(datum.label, ',')" } },
          y: { field: "share", type: "quantitative", stack: "normalize", title: "share of the server's CPU", axis: { format: "%" } },
          color: { field: "thread", type: "nominal", title: "thread", scale: { domain: threadNames, scheme: "tableau10" },
            legend: { orient: "right" } },
          order: { field: "order" },
        },
      },
    ],
    resolve: { scale: { color: "independent" } },
    config,
  } as TopLevelSpec;
}

function evbufferSpec(r: Results): TopLevelSpec | null {
  const e = r.benchmarks.evbuffer;
  if (!e || e.cases.length === 0) return null;
  const si = (x: number | undefined) =>
    x === undefined ? "?" : x >= 1e6 ? `${(x / 1e6).toFixed(1)} M` : x >= 1e4 ? `${(x / 1e3).toFixed(0)} k` : x.toFixed(0);
  const values = e.cases.map((c) => ({
    case: c.label,
    ratio: c.ratio,
    note: `${si(c.ts.summary?.median)} vs ${si(c.c.summary?.median)} /s`,
  }));
  // Room right of the longest bar for its label, and 1 (as fast as C) always in view.
  const xMax = Math.ceil(Math.max(1, ...values.map((v) => v.ratio ?? 0)) * 1.35 * 10) / 10;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: {
      text: "evbuffer: libevent-ts throughput relative to C libevent",
      subtitle: [
        `Operations per second, libevent-ts over C (1 = as fast as C); labels: libevent-ts vs C, median of ${e.rounds * 5} runs each.`,
        footnote(r),
      ],
    },
    width: 520,
    height: { step: 28 },
    data: { values },
    layer: [
      { mark: { type: "rule", color: "#999", strokeDash: [4, 3] }, encoding: { x: { datum: 1 } } },
      {
        mark: { type: "bar", color: SERVER_COLORS[TS] },
        encoding: {
          y: { field: "case", type: "nominal", sort: null, title: null, axis: { labelLimit: 400 } },
          x: { field: "ratio", type: "quantitative", title: "libevent-ts ops/s ÷ C libevent ops/s", scale: { domain: [0, xMax] } },
        },
      },
      {
        mark: { type: "text", align: "left", dx: 4, fontSize: 10 },
        encoding: {
          y: { field: "case", type: "nominal", sort: null },
          x: { field: "ratio", type: "quantitative" },
          text: { field: "note" },
        },
      },
    ],
    config,
  } as TopLevelSpec;
}

const CHARTS: readonly [string, (r: Results) => TopLevelSpec | null][] = [
  ["dispatch", dispatchSpec],
  ["servers", serversSpec],
  ["threads", threadsSpec],
  ["evbuffer", evbufferSpec],
];

/** Renders a vega-lite spec to SVG text, headlessly. */
async function toSvg(spec: TopLevelSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Where `bench --json FILE` puts its charts: beside FILE, named FILE-without-.json + "-<chart>.svg". */
export function chartsBeside(json: string): { dir: string; prefix: string } {
  return { dir: dirname(json), prefix: `${basename(json).replace(/\.json$/i, "")}-` };
}

/**
 * Draws every chart that `results` has figures for into `where.dir` (created if needed), each
 * as `<prefix><chart>.svg`; returns the files written, relative to where npm was run (or absolute).
 */
export async function drawCharts(results: Results, where: { dir: string; prefix: string }): Promise<string[]> {
  const written: string[] = [];
  mkdirSync(where.dir, { recursive: true });
  for (const [name, make] of CHARTS) {
    const spec = make(results);
    if (!spec) continue;
    const file = join(where.dir, `${where.prefix}${name}.svg`);
    writeFileSync(file, await toSvg(spec));
    const rel = relative(process.env.INIT_CWD ?? process.cwd(), file);
    written.push(rel && !rel.startsWith("..") ? rel : file);
  }
  return written;
}
