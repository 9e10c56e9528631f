/**
 * The obsolete evbuffer names libevent 2.1 keeps (buffer_compat.h): `evbuffer_readline` and the
 * `EVBUFFER_LENGTH` / `EVBUFFER_DATA` macros. The header's `evbuffer_setcb`, `evbuffer_find` and
 * `evbuffer_cb` live in buffer.ts beside the evbuffer callbacks they share.
 * @module
 */
import { misuse_as_ } from "../util/check.js";
import type { evbuffer } from "./buffer.js";
import { EVBUFFER_EOL_ANY, evbuffer_get_length, evbuffer_pullup, evbuffer_readln } from "./buffer.js";

/**
 * `char *evbuffer_readline(struct evbuffer *buffer)`: evbuffer_readln(buffer, NULL,
 * EVBUFFER_EOL_ANY): removes the first line ended by any run of CR and LF characters.
 * @deprecated libevent 2.1: its notion of a line is wrong for almost any protocol; use
 *   {@link evbuffer_readln}.
 * @param buffer  the evbuffer to read from
 * @returns the line (UTF-8 decoded, without its end of line), or null when there is no complete line
 */
export function evbuffer_readline(buffer: evbuffer): string | null {
  try {
    return evbuffer_readln(buffer, null, EVBUFFER_EOL_ANY);
  } catch (e) {
    throw misuse_as_(e, "evbuffer_readline");
  }
}

/**
 * `#define EVBUFFER_LENGTH(x)`: evbuffer_get_length(x).
 * @deprecated libevent 2.1: call {@link evbuffer_get_length} directly.
 * @param x  the evbuffer
 * @returns the number of bytes it holds
 */
export function EVBUFFER_LENGTH(x: evbuffer): number {
  try {
    return evbuffer_get_length(x);
  } catch (e) {
    throw misuse_as_(e, "EVBUFFER_LENGTH");
  }
}

/**
 * `#define EVBUFFER_DATA(x)`: evbuffer_pullup(x, -1): makes the whole buffer contiguous.
 * @deprecated libevent 2.1: call {@link evbuffer_pullup} directly.
 * @param x  the evbuffer
 * @returns a view of all its bytes (valid until the buffer next changes), or null when it is empty
 */
export function EVBUFFER_DATA(x: evbuffer): Uint8Array | null {
  try {
    return evbuffer_pullup(x, -1);
  } catch (e) {
    throw misuse_as_(e, "EVBUFFER_DATA");
  }
}
