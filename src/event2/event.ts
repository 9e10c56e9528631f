/**
 * `#include <event2/event.h>`: the event loop (`event_base`), events, timers, signals, priorities,
 * and their configuration. Names, arguments, return values and callback parameters are libevent
 * 2.1.12's; see the README's porting guide for how C notions map to TypeScript.
 *
 * Not here, as in a libevent built without them: `event_set_mem_functions` and its
 * `EVENT_SET_MEM_FUNCTIONS_IMPLEMENTED` (libevent's EVENT__DISABLE_MM_REPLACEMENT; JavaScript
 * manages memory), and epoll's changelist (`EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST` and the
 * `EVENT_EPOLL_USE_CHANGELIST` variable are accepted; the backend stays plain "epoll"). The legacy
 * `event_compat.h` API (event_init, event_set, event_dispatch ...) is not ported.
 * @module
 */
export {
  EV_TIMEOUT, EV_READ, EV_WRITE, EV_SIGNAL, EV_PERSIST, EV_ET, EV_FINALIZE, EV_CLOSED,
  EVLIST_TIMEOUT, EVLIST_INSERTED, EVLIST_SIGNAL, EVLIST_ACTIVE, EVLIST_INTERNAL, EVLIST_ACTIVE_LATER,
  EVLIST_FINALIZING, EVLIST_INIT, EVLIST_ALL,
  EVLOOP_ONCE, EVLOOP_NONBLOCK, EVLOOP_NO_EXIT_ON_EMPTY,
  EVENT_BASE_FLAG_NOLOCK, EVENT_BASE_FLAG_IGNORE_ENV, EVENT_BASE_FLAG_STARTUP_IOCP, EVENT_BASE_FLAG_NO_CACHE_TIME,
  EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, EVENT_BASE_FLAG_PRECISE_TIMER,
  EV_FEATURE_ET, EV_FEATURE_O1, EV_FEATURE_FDS, EV_FEATURE_EARLY_CLOSE,
  EVENT_BASE_COUNT_ACTIVE, EVENT_BASE_COUNT_VIRTUAL, EVENT_BASE_COUNT_ADDED,
  EVENT_LOG_DEBUG, EVENT_LOG_MSG, EVENT_LOG_WARN, EVENT_LOG_ERR,
  _EVENT_LOG_DEBUG, _EVENT_LOG_MSG, _EVENT_LOG_WARN, _EVENT_LOG_ERR,
  EVENT_DBG_ALL, EVENT_DBG_NONE, EVENT_MAX_PRIORITIES, LIBEVENT_VERSION, LIBEVENT_VERSION_NUMBER,
} from "../event/constants.js";
export type {
  event_callback_fn, event_finalize_callback_fn, event_base_foreach_event_cb, event_output,
} from "../event/event.js";
export {
  event_callback, event, event_base,
  event_base_new, event_base_new_with_config, event_base_free, event_base_free_nofinalize, event_reinit,
  event_base_get_method, event_base_get_features, event_get_supported_methods, event_gettime_monotonic,
  libevent_global_shutdown,
  event_base_dispatch, event_base_loop, event_base_loopexit, event_base_loopbreak, event_base_loopcontinue,
  event_base_got_exit, event_base_got_break,
  event_new, event_assign, event_free, event_add, event_del, event_del_noblock, event_del_block,
  event_remove_timer, event_active, event_pending, event_initialized, event_self_cbarg, event_base_once,
  event_base_set, event_base_get_running_event, event_finalize, event_free_finalize, event_debug_unassign,
  event_get_fd, event_get_signal, event_get_base, event_get_events, event_get_callback, event_get_callback_arg,
  event_get_priority, event_get_assignment, event_get_struct_event_size,
  event_base_priority_init, event_base_get_npriorities, event_priority_set,
  event_base_init_common_timeout, event_base_gettimeofday_cached, event_base_update_cache_time,
  event_base_get_num_events, event_base_get_max_events, event_base_dump_events, event_base_foreach_event,
  event_base_active_by_fd, event_base_active_by_signal,
  event_get_version, event_get_version_number, LIBEVENT_TS_VERSION,
} from "../event/event.js";
export { event_base_loop_async, event_base_dispatch_async } from "../event/loop_async.js";
export {
  event_config, event_config_new, event_config_free, event_config_avoid_method, event_config_require_features,
  event_config_set_flag, event_config_set_num_cpus_hint, event_config_set_max_dispatch_interval,
} from "../event/event_config.js";
export { event_enable_debug_mode } from "../event/debug.js";
export type { event_log_cb, event_fatal_cb } from "../event/log.js";
export { event_set_log_callback, event_set_fatal_callback, event_enable_debug_logging } from "../event/log.js";
export {
  evtimer_assign, evtimer_new, evtimer_add, evtimer_del, evtimer_pending, evtimer_initialized,
  evsignal_assign, evsignal_new, evsignal_add, evsignal_del, evsignal_pending, evsignal_initialized,
  evuser_new, evuser_del, evuser_pending, evuser_initialized, evuser_trigger,
} from "../event/event_macros.js";
