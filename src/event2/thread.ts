/**
 * `#include <event2/thread.h>`: threads. libevent's calls keep their names (evthread_use_pthreads,
 * evthread_make_base_notifiable); the libevent-ts extensions in libevent's style are how threads,
 * which share no JavaScript objects, wake each other's bases and hand each other fds: notify
 * queues named by a number. See guide/threads.md.
 * @module
 */
export type { evthread_notify_cb } from "../thread/notify.js";
export {
  EVTHREAD_NOTIFY_FDS, evthread_notify, evthread_notify_new, evthread_notify_get_id, evthread_notify_get_base,
  evthread_notify_send, evthread_notify_sendv, evthread_notify_pending, evthread_notify_free,
} from "../thread/notify.js";
export {
  evthread_use_pthreads, evthread_make_base_notifiable, evthread_base_get_notify_id,
  evthread_notify_base_loopbreak, evthread_notify_base_loopexit,
} from "../thread/thread.js";
