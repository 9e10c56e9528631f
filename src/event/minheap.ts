/**
 * The timer heap (libevent's minheap-internal.h): an array-backed binary min-heap of events
 * ordered by their absolute expiry `ev_timeout` (monotonic microseconds). Each event knows its
 * index (`min_heap_idx`, -1 when not in the heap), so erase and adjust are O(log n). Ties come out
 * in heap order, not FIFO, exactly as in libevent.
 * @internal
 * @module
 */

/** @internal What the heap needs of an element. */
export interface min_heap_elem {
  ev_timeout: number;
  min_heap_idx: number;
}

/** @internal */
export class min_heap<E extends min_heap_elem> {
  /** The elements; only the first `n` are live. */
  p: E[] = [];
  n = 0;

  top(): E | null {
    return this.n !== 0 ? this.p[0]! : null;
  }

  push(e: E): void {
    this.shiftUp(this.n++, e);
  }

  pop(): E | null {
    if (this.n === 0) return null;
    const e = this.p[0]!;
    const last = this.p[--this.n]!;
    this.p[this.n] = undefined as unknown as E;
    if (this.n !== 0) this.shiftDown(0, last);
    e.min_heap_idx = -1;
    return e;
  }

  erase(e: E): number {
    const idx = e.min_heap_idx;
    if (idx === -1) return -1;
    const last = this.p[--this.n]!;
    this.p[this.n] = undefined as unknown as E;
    if (last !== e) {
      // Replace e by the last element, then move that one up or down: it can need only one.
      const parent = (idx - 1) >> 1;
      if (idx > 0 && this.p[parent]!.ev_timeout > last.ev_timeout) this.shiftUp(idx, last);
      else this.shiftDown(idx, last);
    }
    e.min_heap_idx = -1;
    return 0;
  }

  private shiftUp(hole: number, e: E): void {
    const p = this.p;
    let parent = (hole - 1) >> 1;
    while (hole !== 0 && p[parent]!.ev_timeout > e.ev_timeout) {
      const moved = (p[hole] = p[parent]!);
      moved.min_heap_idx = hole;
      hole = parent;
      parent = (hole - 1) >> 1;
    }
    p[hole] = e;
    e.min_heap_idx = hole;
  }

  private shiftDown(hole: number, e: E): void {
    const p = this.p;
    const n = this.n;
    let minChild = 2 * (hole + 1);
    while (minChild <= n) {
      if (minChild === n || p[minChild]!.ev_timeout > p[minChild - 1]!.ev_timeout) minChild--;
      if (!(e.ev_timeout > p[minChild]!.ev_timeout)) break;
      const moved = (p[hole] = p[minChild]!);
      moved.min_heap_idx = hole;
      hole = minChild;
      minChild = 2 * (hole + 1);
    }
    p[hole] = e;
    e.min_heap_idx = hole;
  }
}
