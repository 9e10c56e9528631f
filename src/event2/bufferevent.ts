/**
 * `#include <event2/bufferevent.h>` (and the fields of `<event2/bufferevent_struct.h>`):
 * bufferevents, buffered I/O over a socket with callbacks for data read, data written and events
 * (connected, end of file, error, timeout). Names, arguments, return values and callback
 * parameters are libevent 2.1.12's.
 * @module
 */
export type { bufferevent_data_cb, bufferevent_event_cb } from "../buffer/bufferevent_struct.js";
export { bufferevent, event_watermark } from "../buffer/bufferevent_struct.js";
export {
  BEV_EVENT_READING, BEV_EVENT_WRITING, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_TIMEOUT, BEV_EVENT_CONNECTED,
  BEV_OPT_CLOSE_ON_FREE, BEV_OPT_THREADSAFE, BEV_OPT_DEFER_CALLBACKS, BEV_OPT_UNLOCK_CALLBACKS,
  BEV_NORMAL, BEV_FLUSH, BEV_FINISHED, BEV_TRIG_IGNORE_WATERMARKS, BEV_TRIG_DEFER_CALLBACKS,
  bufferevent_free, bufferevent_setcb, bufferevent_getcb, bufferevent_enable, bufferevent_disable,
  bufferevent_get_enabled, bufferevent_write, bufferevent_write_buffer, bufferevent_read, bufferevent_read_buffer,
  bufferevent_get_input, bufferevent_get_output, bufferevent_setwatermark, bufferevent_getwatermark,
  bufferevent_set_timeouts, bufferevent_flush, bufferevent_getfd, bufferevent_setfd, bufferevent_get_base,
  bufferevent_get_priority, bufferevent_get_underlying, bufferevent_lock, bufferevent_unlock, bufferevent_incref,
  bufferevent_decref, bufferevent_trigger, bufferevent_trigger_event,
} from "../buffer/bufferevent.js";
export {
  bufferevent_socket_new, bufferevent_socket_connect, bufferevent_socket_connect_hostname,
  bufferevent_socket_get_dns_error, bufferevent_base_set, bufferevent_priority_set,
} from "../buffer/bufferevent_sock.js";
export { bufferevent_pair_new, bufferevent_pair_get_partner } from "../buffer/bufferevent_pair.js";
export type { bufferevent_filter_cb } from "../buffer/bufferevent_filter.js";
export { BEV_OK, BEV_NEED_MORE, BEV_ERROR, bufferevent_filter_new } from "../buffer/bufferevent_filter.js";
export { ev_token_bucket_cfg } from "../buffer/ratelim-internal.js";
export {
  EV_RATE_LIMIT_MAX, bufferevent_rate_limit_group, ev_token_bucket_cfg_new, ev_token_bucket_cfg_free,
  bufferevent_set_rate_limit, bufferevent_rate_limit_group_new, bufferevent_rate_limit_group_set_cfg,
  bufferevent_rate_limit_group_set_min_share, bufferevent_rate_limit_group_free, bufferevent_add_to_rate_limit_group,
  bufferevent_remove_from_rate_limit_group, bufferevent_set_max_single_read, bufferevent_set_max_single_write,
  bufferevent_get_max_single_read, bufferevent_get_max_single_write, bufferevent_get_read_limit,
  bufferevent_get_write_limit, bufferevent_get_max_to_read, bufferevent_get_max_to_write,
  bufferevent_get_token_bucket_cfg, bufferevent_rate_limit_group_get_read_limit,
  bufferevent_rate_limit_group_get_write_limit, bufferevent_decrement_read_limit, bufferevent_decrement_write_limit,
  bufferevent_rate_limit_group_decrement_read, bufferevent_rate_limit_group_decrement_write,
  bufferevent_rate_limit_group_get_totals, bufferevent_rate_limit_group_reset_totals,
} from "../buffer/bufferevent_ratelim.js";
export {
  ev_async_error, bufferevent_socket_connect_async, bufferevent_socket_connect_hostname_async, bufferevent_write_async,
  bufferevent_read_async, bufferevent_readln_async,
} from "../buffer/bufferevent_async.js";
