/**
 * `#include <event2/bufferevent_compat.h>`: the obsolete bufferevent names libevent 2.1 keeps,
 * deprecated: `bufferevent_new` (a socket bufferevent on the event_init() base),
 * `bufferevent_settimeout` (whole seconds), `EVBUFFER_INPUT`, `EVBUFFER_OUTPUT`, the event bits
 * `EVBUFFER_READ`, `EVBUFFER_WRITE`, `EVBUFFER_EOF`, `EVBUFFER_ERROR`, `EVBUFFER_TIMEOUT`, and the
 * callback types `evbuffercb` and `everrorcb`. Each function's documentation names its 2.1
 * replacement.
 * @module
 */
export {
  EVBUFFER_READ, EVBUFFER_WRITE, EVBUFFER_EOF, EVBUFFER_ERROR, EVBUFFER_TIMEOUT,
  bufferevent_new, bufferevent_settimeout, EVBUFFER_INPUT, EVBUFFER_OUTPUT,
} from "../buffer/bufferevent_compat.js";
export type { evbuffercb, everrorcb } from "../buffer/bufferevent_compat.js";
