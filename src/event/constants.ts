/**
 * The constants of `<event2/event.h>` and `<event2/event_struct.h>`, with libevent 2.1.12's values.
 * @module
 */

/** Indicates that a timeout has occurred (`what` of a callback). @category Events */
export const EV_TIMEOUT = 0x01;
/** Wait for a socket or FD to become readable. @category Events */
export const EV_READ = 0x02;
/** Wait for a socket or FD to become writeable. @category Events */
export const EV_WRITE = 0x04;
/** Wait for a POSIX signal to be raised. @category Events */
export const EV_SIGNAL = 0x08;
/** Persistent event: it is not removed automatically when activated. @category Events */
export const EV_PERSIST = 0x10;
/** Select edge-triggered behavior, if supported by the backend. @category Events */
export const EV_ET = 0x20;
/** The event may need to be finalized (see event_finalize); an `event_del` does not block on it. @category Events */
export const EV_FINALIZE = 0x40;
/** Detect the peer closing the connection (needs EV_FEATURE_EARLY_CLOSE: epoll, poll). @category Events */
export const EV_CLOSED = 0x80;

/** `ev_flags`: the event is in the timeout heap or a common-timeout list. @category Events */
export const EVLIST_TIMEOUT = 0x01;
/** `ev_flags`: the event is registered for I/O or a signal. @category Events */
export const EVLIST_INSERTED = 0x02;
/** `ev_flags`: unused (kept for the value). @category Events */
export const EVLIST_SIGNAL = 0x04;
/** `ev_flags`: the event is on an active queue. @category Events */
export const EVLIST_ACTIVE = 0x08;
/** `ev_flags`: an internal event of libevent, not counted as a user event. @category Events */
export const EVLIST_INTERNAL = 0x10;
/** `ev_flags`: the event is on the queue of callbacks to activate in the next iteration. @category Events */
export const EVLIST_ACTIVE_LATER = 0x20;
/** `ev_flags`: the event is being finalized. @category Events */
export const EVLIST_FINALIZING = 0x40;
/** `ev_flags`: the event has been assigned (event_assign/event_new). @category Events */
export const EVLIST_INIT = 0x80;
/** `ev_flags`: every EVLIST_* bit. @category Events */
export const EVLIST_ALL = 0xff;

/** `event_base_loop` flag: block until at least one event is active, then run the active callbacks and return. @category Event loop */
export const EVLOOP_ONCE = 0x01;
/** `event_base_loop` flag: do not block; poll once and run what is active. @category Event loop */
export const EVLOOP_NONBLOCK = 0x02;
/** `event_base_loop` flag: do not return when no events are left (only loopexit/loopbreak end the loop). @category Event loop */
export const EVLOOP_NO_EXIT_ON_EMPTY = 0x04;

/** `event_config_set_flag`: do not allocate a lock for the base (accepted; JavaScript has no threads here). @category Configuration */
export const EVENT_BASE_FLAG_NOLOCK = 0x01;
/** `event_config_set_flag`: do not read the `EVENT_*` environment variables. @category Configuration */
export const EVENT_BASE_FLAG_IGNORE_ENV = 0x02;
/** `event_config_set_flag`: Windows IOCP start-up (accepted, no effect). @category Configuration */
export const EVENT_BASE_FLAG_STARTUP_IOCP = 0x04;
/** `event_config_set_flag`: do not cache the time; read the clock whenever it is needed. @category Configuration */
export const EVENT_BASE_FLAG_NO_CACHE_TIME = 0x08;
/**
 * `event_config_set_flag`: epoll with its changelist, "epoll (with changelist)": every add and del
 * is held until the next dispatch, and those of one fd are merged into one epoll_ctl (an add then a
 * del cost none). The `EVENT_EPOLL_USE_CHANGELIST` environment variable does the same.
 * @category Configuration
 */
export const EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST = 0x10;
/**
 * `event_config_set_flag`: the precise monotonic clock, and microsecond waits under epoll (through
 * a timerfd). select and kqueue wait in microseconds without it; poll always rounds its waits up to
 * milliseconds.
 * @category Configuration
 */
export const EVENT_BASE_FLAG_PRECISE_TIMER = 0x20;

/** Backend feature: edge-triggered events (EV_ET). @category Configuration */
export const EV_FEATURE_ET = 0x01;
/** Backend feature: O(1) readiness check and add/delete. @category Configuration */
export const EV_FEATURE_O1 = 0x02;
/** Backend feature: works with any file descriptor, not only sockets. @category Configuration */
export const EV_FEATURE_FDS = 0x04;
/** Backend feature: reports peer close (EV_CLOSED) without reading. @category Configuration */
export const EV_FEATURE_EARLY_CLOSE = 0x08;

/** `event_base_get_num_events`: count active events. @category Event loop */
export const EVENT_BASE_COUNT_ACTIVE = 1;
/** `event_base_get_num_events`: count virtual events. @category Event loop */
export const EVENT_BASE_COUNT_VIRTUAL = 2;
/** `event_base_get_num_events`: count added events (once per queue an event is on). @category Event loop */
export const EVENT_BASE_COUNT_ADDED = 4;

/** Log severity: debug. @category Logging and debugging */
export const EVENT_LOG_DEBUG = 0;
/** Log severity: message. @category Logging and debugging */
export const EVENT_LOG_MSG = 1;
/** Log severity: warning. @category Logging and debugging */
export const EVENT_LOG_WARN = 2;
/** Log severity: error. @category Logging and debugging */
export const EVENT_LOG_ERR = 3;
/** Deprecated alias of EVENT_LOG_DEBUG. @category Logging and debugging */
export const _EVENT_LOG_DEBUG = EVENT_LOG_DEBUG;
/** Deprecated alias of EVENT_LOG_MSG. @category Logging and debugging */
export const _EVENT_LOG_MSG = EVENT_LOG_MSG;
/** Deprecated alias of EVENT_LOG_WARN. @category Logging and debugging */
export const _EVENT_LOG_WARN = EVENT_LOG_WARN;
/** Deprecated alias of EVENT_LOG_ERR. @category Logging and debugging */
export const _EVENT_LOG_ERR = EVENT_LOG_ERR;

/** `event_enable_debug_logging`: log every debug message. @category Logging and debugging */
export const EVENT_DBG_ALL = 0xffffffff;
/** `event_enable_debug_logging`: log no debug message. @category Logging and debugging */
export const EVENT_DBG_NONE = 0;

/** The largest number of priorities a base can have (exclusive). @category Event loop */
export const EVENT_MAX_PRIORITIES = 256;

/** The libevent version this port implements, as a string. @category Version */
export const LIBEVENT_VERSION = "2.1.12-stable";
/** The libevent version this port implements, as a number (0x02010c00). @category Version */
export const LIBEVENT_VERSION_NUMBER = 0x02010c00;

// ---- internal ----

/** @internal How an active callback is run (libevent's evcb_closure). */
export const EV_CLOSURE_EVENT = 0;
/** @internal */
export const EV_CLOSURE_EVENT_SIGNAL = 1;
/** @internal */
export const EV_CLOSURE_EVENT_PERSIST = 2;
/** @internal */
export const EV_CLOSURE_CB_SELF = 3;
/** @internal */
export const EV_CLOSURE_CB_FINALIZE = 4;
/** @internal */
export const EV_CLOSURE_EVENT_FINALIZE = 5;
/** @internal */
export const EV_CLOSURE_EVENT_FINALIZE_FREE = 6;
