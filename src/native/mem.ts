/**
 * Memory the addon knows by number (native/mem.c): the argument block of the reads, writes and
 * accepts that pass no Uint8Array, and the numbering of the memory they use.
 *
 * Handing the addon a Uint8Array costs more than the rest of a call. So the library numbers the
 * memory its hottest calls use (evbuffer's chains, accept's address), marks it untransferable
 * (nothing may detach it: the addon keeps a pointer into it), and those calls find it by number.
 * Their arguments go in memArgs: [0] the fd, [1] a count (or max, or flags), then (number,
 * offset, length) per extent from [2]. A call that meets a number the addon does not hold returns
 * MEM_UNKNOWN having done nothing; the caller registers the memory (native.memRegister) and calls
 * again. The backends' ready and change lists are registered pinned (pinnedList) for the same
 * reason, and a dispatch takes its arguments in memArgs too (backendDispatchArgs).
 * @internal
 * @module
 */
import { markAsUntransferable } from "node:worker_threads";
import { native } from "./binding.js";

/** The argument block shared with the addon (this thread's). */
export const memArgs: Float64Array = native.memArgs();
markAsUntransferable(memArgs.buffer);

/** What a mem* call returns when a memory number is not registered: nothing was done. */
export const MEM_UNKNOWN: number = native.constants.MEM_UNKNOWN;

/** The next memory number: never reused (they count up to 2^53). */
let nextMemId = 1;

/** Put the extent (memory number `id`, [off, off + len)) in memArgs at k. */
export function mem_extent_(k: number, id: number, off: number, len: number): void {
  memArgs[k] = id;
  memArgs[k + 1] = off;
  memArgs[k + 2] = len;
}

/**
 * The result `r` of a mem* call whose one memory is number `id` (`mem`): when the addon did not
 * know the number, `call` again once it is registered. (A call may return other things than
 * numbers: memLine's string.)
 */
export function mem_known_<T>(r: T | number, id: number, mem: Uint8Array, call: () => T | number): T | number {
  if (typeof r !== "number" || r !== MEM_UNKNOWN) return r;
  native.memRegister(id, mem);
  return call();
}

/**
 * mem_known_ for a call on the `n` extents in memArgs from [2], whose memories are mems[0, n):
 * when the addon did not know one of them, `call` again once all are registered.
 */
export function mem_known_all_(r: number, n: number, mems: readonly Uint8Array[], call: () => number): number {
  if (r !== MEM_UNKNOWN) return r;
  for (let k = 0; k < n; k++) native.memRegister(memArgs[2 + 3 * k]!, mems[k]!);
  return call();
}

/**
 * A number for `mem`'s memory, which must be the whole of an ArrayBuffer the library owns and
 * keeps alive as long as it uses the number; marks that buffer untransferable.
 */
export function mem_number_(mem: Uint8Array): number {
  markAsUntransferable(mem.buffer);
  return nextMemId++;
}

/**
 * A new Int32Array of `length` elements over a buffer of its own, untransferable: a list the
 * addon may keep a pointer into (registered with `pinned` true).
 */
export function pinnedList(length: number): Int32Array {
  const list = new Int32Array(new ArrayBuffer(4 * length));
  markAsUntransferable(list.buffer);
  return list;
}
