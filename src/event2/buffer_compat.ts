/**
 * `#include <event2/buffer_compat.h>`: the obsolete evbuffer names libevent 2.1 keeps, deprecated:
 * `evbuffer_readline`, `evbuffer_setcb` with its old-style `evbuffer_cb` callback
 * (`cb(buffer, old_len, new_len, arg)`), `evbuffer_find`, `EVBUFFER_LENGTH` and `EVBUFFER_DATA`.
 * Each function's documentation names its 2.1 replacement.
 * @module
 */
export { evbuffer_readline, EVBUFFER_LENGTH, EVBUFFER_DATA } from "../buffer/buffer_compat.js";
export { evbuffer_setcb, evbuffer_find } from "../buffer/buffer.js";
export type { evbuffer_cb } from "../buffer/buffer.js";
