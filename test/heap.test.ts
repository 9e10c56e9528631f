/**
 * libevent's `heap/` regression group (test/regress_minheap.c) on src/event/minheap.ts: 1024
 * random timeouts pushed, half of them erased, the rest popped in order; the heap property and
 * each element's index are checked along the way.
 */
import { describe, expect, it } from "vitest";
import { min_heap } from "../src/event/minheap.js";

/** What the heap holds of a `struct event`. */
interface timer {
  ev_timeout: number;
  min_heap_idx: number;
}

/** libevent's test_weakrand: a seeded linear congruential generator, 31-bit results. */
function weakrand(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff;
    return s;
  };
}

function check_heap(heap: min_heap<timer>): void {
  for (let i = 1; i < heap.n; ++i) {
    const parent = (i - 1) >> 1;
    expect(heap.p[i]!.ev_timeout, `heap[${i}] vs its parent`).toBeGreaterThanOrEqual(heap.p[parent]!.ev_timeout);
  }
  for (let i = 0; i < heap.n; ++i) expect(heap.p[i]!.min_heap_idx).toBe(i);
}

describe("heap", () => {
  for (const seed of [1, 42, 0x5eed]) {
    it(`randomized: push 1024 random timeouts, erase 512, pop the rest in order (seed ${seed})`, () => {
      const rand = weakrand(seed);
      const heap = new min_heap<timer>();
      const inserted: timer[] = [];
      for (let i = 0; i < 1024; ++i) {
        // set_random_timeout: tv_sec random, tv_usec random & 0xfffff, as microseconds
        const e: timer = { ev_timeout: rand() * 1e6 + (rand() & 0xfffff), min_heap_idx: -1 };
        inserted.push(e);
        heap.push(e);
      }
      check_heap(heap);
      expect(heap.n).toBe(1024);

      for (let i = 0; i < 512; ++i) {
        expect(heap.erase(inserted[i]!)).toBe(0);
        expect(inserted[i]!.min_heap_idx).toBe(-1);
        if (i % 32 === 0) check_heap(heap);
      }
      expect(heap.n).toBe(512);
      expect(heap.erase(inserted[0]!)).toBe(-1); // not in the heap any more

      const popped: number[] = [];
      let last_e = heap.pop()!;
      popped.push(last_e.ev_timeout);
      for (;;) {
        const e = heap.pop();
        if (e === null) break;
        expect(last_e.ev_timeout).toBeLessThanOrEqual(e.ev_timeout);
        expect(e.min_heap_idx).toBe(-1);
        popped.push(e.ev_timeout);
        last_e = e;
      }
      expect(heap.n).toBe(0);
      expect(heap.top()).toBeNull();
      const kept = inserted.slice(512).map((e) => e.ev_timeout).sort((a, b) => a - b);
      expect(popped).toEqual(kept);
    });
  }

  it("equal timeouts and erasing the last element keep the heap consistent", () => {
    const heap = new min_heap<timer>();
    const same = Array.from({ length: 9 }, () => ({ ev_timeout: 5, min_heap_idx: -1 }));
    for (const e of same) heap.push(e);
    check_heap(heap);
    expect(heap.erase(heap.p[heap.n - 1]!)).toBe(0);
    check_heap(heap);
    expect(heap.erase(heap.p[0]!)).toBe(0);
    check_heap(heap);
    expect(heap.n).toBe(7);
    const late = { ev_timeout: 1, min_heap_idx: -1 };
    heap.push(late);
    expect(heap.top()).toBe(late);
    check_heap(heap);
  });
});
