/**
 * evbuffer benchmark, TypeScript side: bench.c's cases, inputs and counts, statement by
 * statement, against libevent-ts.
 *
 *   node --import tsx bench/evbuffer/bench.ts [-q] [case ...]
 *
 * Each case prints one line per round: "<case> <operations per second>".
 */
import {
  EVBUFFER_EOL_CRLF, EVBUFFER_EOL_LF, evbuffer_add, evbuffer_add_buffer, evbuffer_add_printf, evbuffer_drain,
  evbuffer_free, evbuffer_get_length, evbuffer_new, evbuffer_readln, evbuffer_remove, evbuffer_search,
} from "libevent-ts/event2/buffer";
import type { evbuffer_eol_style } from "libevent-ts/event2/buffer";

const ROUNDS = 5;

function now(): number {
  return Number(process.hrtime.bigint()) / 1e9;
}

let quick = false;
const scale = (n: number): number => (quick ? Math.trunc(n / 10) : n);

/** The same pseudo-random bytes as bench.c: an LCG over lowercase letters. */
function fill_letters(p: Uint8Array, off: number, n: number, seed: { v: number }): void {
  for (let i = 0; i < n; i++) {
    seed.v = (Math.imul(seed.v, 1103515245) + 12345) >>> 0;
    p[off + i] = 0x61 + ((seed.v >>> 16) % 26);
  }
}

/** 100-byte lines: 98 letters and CRLF. */
function make_lines(nlines: number): Uint8Array {
  const p = new Uint8Array(nlines * 100);
  const seed = { v: 1 };
  for (let i = 0; i < nlines; i++) {
    fill_letters(p, i * 100, 98, seed);
    p[i * 100 + 98] = 0x0d;
    p[i * 100 + 99] = 0x0a;
  }
  return p;
}

function add_drain(piece: number, n: number): number {
  const data = new Uint8Array(piece);
  fill_letters(data, 0, piece, { v: 7 });
  const buf = evbuffer_new();
  let t0 = now();
  for (let i = 0; i < n; i++) {
    evbuffer_add(buf, data, piece);
    evbuffer_drain(buf, piece);
  }
  t0 = now() - t0;
  evbuffer_free(buf);
  return n / t0;
}

/** readln of every line of `lines` (nlines of linelen bytes), added again until n are read. */
function readln_run(lines: Uint8Array, nlines: number, linelen: number, style: evbuffer_eol_style, n: number): number {
  const buf = evbuffer_new();
  const len = { value: 0 };
  let t = 0;
  let done = 0;
  while (done < n) {
    evbuffer_add(buf, lines, nlines * linelen);
    const t0 = now();
    while (evbuffer_readln(buf, len, style) !== null) done++;
    t += now() - t0;
  }
  evbuffer_free(buf);
  return done / t;
}

function readln_crlf(n: number): number {
  return readln_run(make_lines(10000), 10000, 100, EVBUFFER_EOL_CRLF, n);
}

/** 40-byte lines: 39 letters and LF. */
function make_lf_lines(nlines: number): Uint8Array {
  const p = new Uint8Array(nlines * 40);
  const seed = { v: 5 };
  for (let i = 0; i < nlines; i++) {
    fill_letters(p, i * 40, 39, seed);
    p[i * 40 + 39] = 0x0a;
  }
  return p;
}

function readln_lf(n: number): number {
  return readln_run(make_lf_lines(10000), 10000, 40, EVBUFFER_EOL_LF, n);
}

/** One 40-byte LF line added, then read: a line at a time, as a line protocol's reads often come. */
function readln_one(n: number): number {
  const lines = make_lf_lines(10000);
  // (Views made beforehand, as C's pointers into the lines are.)
  const views = Array.from({ length: 10000 }, (_, k) => lines.subarray(k * 40, k * 40 + 40));
  const buf = evbuffer_new();
  const len = { value: 0 };
  let t0 = now();
  for (let i = 0; i < n; i++) {
    evbuffer_add(buf, views[i % 10000]!, 40);
    if (evbuffer_readln(buf, len, EVBUFFER_EOL_LF) === null || len.value !== 39) throw new Error("readln_one: no line");
  }
  t0 = now() - t0;
  evbuffer_free(buf);
  return n / t0;
}

function remove_64(n: number): number {
  const data = new Uint8Array(64), out = new Uint8Array(64);
  fill_letters(data, 0, data.length, { v: 9 });
  const buf = evbuffer_new();
  let t0 = now();
  for (let i = 0; i < n; i++) {
    evbuffer_add(buf, data, 64);
    if (evbuffer_remove(buf, out, 64) !== 64) throw new Error("remove_64: short remove");
  }
  t0 = now() - t0;
  if (Buffer.compare(out, data) !== 0) throw new Error("remove_64: wrong bytes");
  evbuffer_free(buf);
  return n / t0;
}

function add_printf(n: number): number {
  const buf = evbuffer_new();
  let t0 = now();
  for (let i = 0; i < n; i++) {
    evbuffer_add_printf(buf, "%d %s %x\r\n", i, "keepalive", Math.imul(i, 2654435761) >>> 0);
    if ((i & 1023) === 1023) evbuffer_drain(buf, evbuffer_get_length(buf));
  }
  t0 = now() - t0;
  evbuffer_free(buf);
  return n / t0;
}

function search_1m(n: number): number {
  const nlines = 10486;
  const lines = make_lines(nlines);
  const buf = evbuffer_new();
  for (let off = 0; off < nlines * 100; off += 4096) {
    const len = nlines * 100 - off < 4096 ? nlines * 100 - off : 4096;
    evbuffer_add(buf, lines.subarray(off), len);
  }
  evbuffer_add(buf, "\r\n", 2);
  let t0 = now();
  for (let i = 0; i < n; i++) {
    const p = evbuffer_search(buf, "\r\n\r\n", 4, null);
    if (p.pos !== nlines * 100 - 2) throw new Error(`search_1m: found at ${p.pos}`);
  }
  t0 = now() - t0;
  evbuffer_free(buf);
  return n / t0;
}

function add_buffer_chains(n: number): number {
  const a = evbuffer_new(), b = evbuffer_new(), tmp = evbuffer_new();
  const piece = new Uint8Array(1000);
  fill_letters(piece, 0, piece.length, { v: 3 });
  for (let k = 0; k < 64; k++) {
    evbuffer_add(tmp, piece, piece.length);
    evbuffer_add_buffer(a, tmp);
  }
  let t0 = now();
  for (let i = 0; i < n; i += 2) {
    evbuffer_add_buffer(b, a);
    evbuffer_add_buffer(a, b);
  }
  t0 = now() - t0;
  if (evbuffer_get_length(a) !== 64000) throw new Error("add_buffer_chains: lost data");
  evbuffer_free(a);
  evbuffer_free(b);
  evbuffer_free(tmp);
  return n / t0;
}

function run_case(name: string): number {
  switch (name) {
    case "add_drain_64": return add_drain(64, scale(5000000));
    case "add_drain_4k": return add_drain(4096, scale(2000000));
    case "add_drain_64k": return add_drain(65536, scale(100000));
    case "readln_crlf": return readln_crlf(scale(2000000));
    case "search_1m": return search_1m(scale(1000));
    case "add_buffer_chains": return add_buffer_chains(scale(10000000));
    case "remove_64": return remove_64(scale(5000000));
    case "readln_lf": return readln_lf(scale(2000000));
    case "add_printf": return add_printf(scale(2000000));
    case "readln_one": return readln_one(scale(2000000));
    default: throw new Error(`unknown case ${name}`);
  }
}

function main(argc: number, argv: string[]): number {
  const all = ["add_drain_64", "add_drain_4k", "add_drain_64k", "readln_crlf", "search_1m", "add_buffer_chains",
    "remove_64", "readln_lf", "add_printf", "readln_one"];
  let args = argv.slice(1, argc);
  if (args[0] === "-q") {
    quick = true;
    args = args.slice(1);
  }
  for (const c of args.length ? args : all) {
    for (let r = 0; r < ROUNDS; r++) process.stdout.write(`${c} ${run_case(c).toFixed(0)}\n`);
  }
  return 0;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
