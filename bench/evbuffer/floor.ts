/**
 * What part of evbuffer's small operations is V8's own cost: the cheapest ways Node has to do the
 * one thing each operation cannot avoid, measured alone, beside the operation itself, on the data
 * of bench.ts, in one process.
 *
 *   node --import tsx bench/evbuffer/floor.ts [-q]
 *
 * - readln: making the line's string from the bytes (Buffer#latin1Slice, the cheapest, and
 *   Buffer#utf8Slice, what readln must use to decode UTF-8), then with the search for the LF
 *   (Buffer#indexOf); the same lines sliced from text decoded 4 KiB at a time (what
 *   evbuffer_readln does for lines that wait in the buffer); against evbuffer_readln of the
 *   lines of bench.ts (10000 buffered at once). For one line added and read at a time: the copy
 *   in, then the LF's search and the string made in one call into the addon (what readln does
 *   for a chain of a few lines), against add + readln.
 * - 64-byte pieces: TypedArray#set of the whole piece (the add's copy), TypedArray#set from a new
 *   view (a copy out of a bigger memory), the add's copy and a copy out through a view kept from
 *   the last time (the two copies add + remove cannot avoid), against add + drain and add + remove.
 *
 * Buffer's and TypedArray's methods are called as the library calls them (src/util/bytes.ts).
 *
 * Prints "<what> <ns per operation>", the best of 5 rounds of CPU time (the machine is shared:
 * CPU time moves less than wall time). Compare with bench.c's figures (1e9 / operations per
 * second) from the same minutes.
 */
import {
  EVBUFFER_EOL_CRLF, EVBUFFER_EOL_LF, evbuffer_add, evbuffer_drain, evbuffer_free, evbuffer_new, evbuffer_readln,
  evbuffer_remove,
} from "libevent-ts/event2/buffer";
import type { evbuffer_eol_style } from "libevent-ts/event2/buffer";
import { native } from "../../src/native/binding.js";
import { mem_extent_, memArgs } from "../../src/native/mem.js";
import { index_of_, latin1_slice_, set_bytes_, utf8_slice_ } from "../../src/util/bytes.js";

const quick = process.argv[2] === "-q";
const ROUNDS = 5;

/** The same lines as bench.ts: an LCG over lowercase letters, then the end of line. */
function make_lines(nlines: number, linelen: number, eol: string, seedValue: number): Buffer {
  const p = Buffer.alloc(nlines * linelen);
  let seed = seedValue;
  for (let i = 0; i < nlines; i++) {
    for (let k = 0; k < linelen - eol.length; k++) {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      p[i * linelen + k] = 0x61 + ((seed >>> 16) % 26);
    }
    p.write(eol, i * linelen + linelen - eol.length, "latin1");
  }
  return p;
}

/** Best of ROUNDS of `run(n)`, in CPU nanoseconds per operation. */
function best(n: number, run: (n: number) => void): number {
  run(Math.min(n, 200_000)); // optimised before it is timed
  let min = Infinity;
  for (let r = 0; r < ROUNDS; r++) {
    const t0 = process.cpuUsage();
    run(n);
    const u = process.cpuUsage(t0);
    min = Math.min(min, ((u.user + u.system) * 1000) / n);
  }
  return min;
}

let sink = 0;

function lines(name: string, linelen: number, eol: string, seed: number, style: evbuffer_eol_style): void {
  const nlines = 10000;
  const data = make_lines(nlines, linelen, eol, seed);
  const textLen = linelen - eol.length;
  const n = quick ? 200_000 : 2_000_000;
  const slices = (slice: (start: number, end: number) => string) => (count: number) => {
    for (let i = 0, k = 0; i < count; i++, k = k + 1 === nlines ? 0 : k + 1) sink += slice(k * linelen, k * linelen + textLen).length;
  };
  const l1 = best(n, slices((a, b) => latin1_slice_(data, a, b)));
  const u8 = best(n, slices((a, b) => utf8_slice_(data, a, b)));
  const find = best(n, (count) => {
    for (let i = 0, k = 0; i < count; i++, k = k + 1 === nlines ? 0 : k + 1) {
      const lf = index_of_(data, 0x0a, k * linelen);
      sink += utf8_slice_(data, k * linelen, lf - (eol.length - 1)).length;
    }
  });
  const block = best(n, (count) => {
    let text = "";
    let start = 0; // where text begins in data
    for (let i = 0, k = 0; i < count; i++, k = k + 1 === nlines ? 0 : k + 1) {
      const at = k * linelen;
      let lf = at >= start && at < start + text.length ? text.indexOf("\n", at - start) : -1;
      if (lf < 0) {
        start = at;
        text = latin1_slice_(data, at, Math.min(at + 4096, data.length));
        lf = text.indexOf("\n");
      }
      sink += text.slice(at - start, lf - (eol.length - 1)).length;
    }
  });
  const buf = evbuffer_new();
  const len = { value: 0 };
  const readln = best(n, (count) => {
    for (let done = 0; done < count;) {
      evbuffer_add(buf, data, data.length);
      while (done < count && evbuffer_readln(buf, len, style) !== null) done++;
    }
    evbuffer_drain(buf, -1);
  });
  evbuffer_free(buf);
  process.stdout.write(`${name} latin1Slice ${l1.toFixed(1)}\n${name} utf8Slice ${u8.toFixed(1)}\n` +
    `${name} indexOf+utf8Slice ${find.toFixed(1)}\n${name} 4KiB_block+indexOf+slice ${block.toFixed(1)}\n` +
    `${name} evbuffer_readln ${readln.toFixed(1)}\n`);
}

/** One 40-byte LF line added and read at a time (bench.ts's readln_one). */
function oneLine(): void {
  const n = quick ? 200_000 : 2_000_000;
  const data = make_lines(10000, 40, "\n", 5);
  const views = Array.from({ length: 10000 }, (_, k) => data.subarray(k * 40, k * 40 + 40));
  // Memory the addon knows by a number of its own (the library's count up from 1).
  const chainMem = Buffer.allocUnsafeSlow(976);
  const memId = 2 ** 52;
  native.memRegister(memId, chainMem);
  const floor = best(n, (count) => {
    for (let i = 0; i < count; i++) {
      set_bytes_(chainMem, views[i % 10000]!, 0);
      memArgs[1] = 0;
      mem_extent_(2, memId, 0, 40);
      sink += (native.memLine() as string).length;
    }
  });
  const buf = evbuffer_new();
  const len = { value: 0 };
  const readln = best(n, (count) => {
    for (let i = 0; i < count; i++) {
      evbuffer_add(buf, views[i % 10000]!, 40);
      sink += evbuffer_readln(buf, len, EVBUFFER_EOL_LF)!.length;
    }
  });
  evbuffer_free(buf);
  process.stdout.write(`one40 set+addon_line ${floor.toFixed(1)}\none40 add+readln ${readln.toFixed(1)}\n`);
}

function pieces(): void {
  const n = quick ? 500_000 : 5_000_000;
  const data = new Uint8Array(64).fill(0x61);
  const out = new Uint8Array(64);
  const chainMem = Buffer.allocUnsafeSlow(976);
  const ab = chainMem.buffer;
  const setWhole = best(n, (count) => {
    for (let i = 0; i < count; i++) set_bytes_(chainMem, data, i & 255);
  });
  const setView = best(n, (count) => {
    for (let i = 0; i < count; i++) set_bytes_(out, new Uint8Array(ab, i & 255, 64), 0);
  });
  const kept = new Uint8Array(ab, chainMem.byteOffset, 64);
  const setInOut = best(n, (count) => {
    for (let i = 0; i < count; i++) {
      set_bytes_(chainMem, data, 0);
      set_bytes_(out, kept, 0);
    }
  });
  const buf = evbuffer_new();
  const addDrain = best(n, (count) => {
    for (let i = 0; i < count; i++) {
      evbuffer_add(buf, data, 64);
      evbuffer_drain(buf, 64);
    }
  });
  const addRemove = best(n, (count) => {
    for (let i = 0; i < count; i++) {
      evbuffer_add(buf, data, 64);
      evbuffer_remove(buf, out, 64);
    }
  });
  evbuffer_free(buf);
  process.stdout.write(`64B set_whole ${setWhole.toFixed(1)}\n64B set_new_view ${setView.toFixed(1)}\n` +
    `64B set_in+set_out ${setInOut.toFixed(1)}\n` +
    `64B add+drain ${addDrain.toFixed(1)}\n64B add+remove ${addRemove.toFixed(1)}\n`);
}

lines("lf40", 40, "\n", 5, EVBUFFER_EOL_LF);
lines("crlf100", 100, "\r\n", 1, EVBUFFER_EOL_CRLF);
oneLine();
pieces();
if (sink < 0) process.stdout.write("\n");
