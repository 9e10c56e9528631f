/**
 * `#include <event2/listener.h>`: evconnlistener, a listening socket that accepts connections
 * and hands each to a callback. Names, arguments, return values and callback parameters are
 * libevent 2.1.12's.
 * @module
 */
export type { evconnlistener_cb, evconnlistener_errorcb } from "../listener/listener.js";
export {
  LEV_OPT_LEAVE_SOCKETS_BLOCKING, LEV_OPT_CLOSE_ON_FREE, LEV_OPT_CLOSE_ON_EXEC, LEV_OPT_REUSEABLE, LEV_OPT_THREADSAFE,
  LEV_OPT_DISABLED, LEV_OPT_DEFERRED_ACCEPT, LEV_OPT_REUSEABLE_PORT, LEV_OPT_BIND_IPV6ONLY,
  evconnlistener, evconnlistener_new, evconnlistener_new_bind, evconnlistener_free, evconnlistener_enable,
  evconnlistener_disable, evconnlistener_get_base, evconnlistener_get_fd, evconnlistener_set_cb,
  evconnlistener_set_error_cb,
} from "../listener/listener.js";
export { evconnlistener_accept_async } from "../listener/listener_async.js";
