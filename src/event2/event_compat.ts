/**
 * `#include <event2/event_compat.h>`: libevent 1.4's event API as libevent 2.1 still ships it,
 * deprecated. `event_init()` makes a base and makes it the "current base"; `event_dispatch`,
 * `event_loop`, `event_loopexit`, `event_loopbreak`, `event_once`, `event_get_method`,
 * `event_priority_init` and `event_set` (with the `evtimer_set`, `evsignal_set`, `timeout_*` and
 * `signal_*` macros) work on it, and so does every function of event.h, bufferevent.h and
 * listener.h given a null base where libevent falls back to it (`event_assign`, `event_new`,
 * `bufferevent_socket_new`, `bufferevent_pair_new`, `evconnlistener_new`, `event_base_free` ...).
 * Freeing the current base leaves none. Each function's documentation names its 2.1 replacement.
 * @module
 */
export {
  event_init, event_dispatch, event_loop, event_loopexit, event_loopbreak, event_once, event_get_method,
  event_priority_init, event_set, evtimer_set, evsignal_set,
  timeout_add, timeout_set, timeout_del, timeout_pending, timeout_initialized,
  signal_add, signal_set, signal_del, signal_pending, signal_initialized,
  EVENT_FD, EVENT_SIGNAL,
} from "../event/event_compat.js";
