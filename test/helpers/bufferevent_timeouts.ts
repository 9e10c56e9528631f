/**
 * The body of libevent's test_bufferevent_timeouts (regress_bufferevent.c), shared by the socket,
 * pair and filter variants: bev1 writes with a 100 ms write timeout and reads with a 150 ms read
 * timeout; bev2, not reading, gets 200 ms write and 100 ms read timeouts. Each variant asserts its
 * own expectations on the results, as the C test does with its flags.
 */
import { EV_READ, EV_WRITE, event_base_dispatch, event_base_loopexit } from "libevent-ts/event2/event";
import type { event_base } from "libevent-ts/event2/event";
import {
  BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING, bufferevent_disable, bufferevent_enable,
  bufferevent_set_timeouts, bufferevent_setcb, bufferevent_write,
} from "libevent-ts/event2/bufferevent";
import type { bufferevent, bufferevent_data_cb, bufferevent_event_cb } from "libevent-ts/event2/bufferevent";
import { timeval } from "libevent-ts/event2/util";
import { now } from "./timing.js";

/** What one bufferevent's callbacks saw (libevent's struct _timeout_cb_result). */
export interface timeout_cb_result {
  read_timeout_at: timeval;
  write_timeout_at: timeval;
  last_wrote_at: timeval;
  last_read_at: timeval;
  n_read_timeouts: number;
  n_write_timeouts: number;
  total_calls: number;
}

function result(): timeout_cb_result {
  return {
    read_timeout_at: new timeval(), write_timeout_at: new timeval(), last_wrote_at: new timeval(),
    last_read_at: new timeval(), n_read_timeouts: 0, n_write_timeouts: 0, total_calls: 0,
  };
}

const bev_timeout_read_cb: bufferevent_data_cb<timeout_cb_result> = (_bev, res) => {
  res.last_read_at = now();
};
const bev_timeout_write_cb: bufferevent_data_cb<timeout_cb_result> = (_bev, res) => {
  res.last_wrote_at = now();
};
const bev_timeout_event_cb: bufferevent_event_cb<timeout_cb_result> = (_bev, what, res) => {
  ++res.total_calls;
  if ((what & (BEV_EVENT_READING | BEV_EVENT_TIMEOUT)) === (BEV_EVENT_READING | BEV_EVENT_TIMEOUT)) {
    res.read_timeout_at = now();
    ++res.n_read_timeouts;
  }
  if ((what & (BEV_EVENT_WRITING | BEV_EVENT_TIMEOUT)) === (BEV_EVENT_WRITING | BEV_EVENT_TIMEOUT)) {
    res.write_timeout_at = now();
    ++res.n_write_timeouts;
  }
};

/** Set the timeouts up, run the loop for 350 ms, and return what each bufferevent saw. */
export function run_bufferevent_timeouts(base: event_base, bev1: bufferevent, bev2: bufferevent):
  { started_at: timeval; res1: timeout_cb_result; res2: timeout_cb_result } {
  const res1 = result();
  const res2 = result();

  // Do this nice and early.
  bufferevent_disable(bev2, EV_READ);

  // bev1 will try to write and read.  Both will time out.
  const started_at = now();
  const tv_w = new timeval(0, 100 * 1000);
  const tv_r = new timeval(0, 150 * 1000);
  bufferevent_setcb(bev1, bev_timeout_read_cb, bev_timeout_write_cb, bev_timeout_event_cb, res1);
  bufferevent_set_timeouts(bev1, tv_r, tv_w);
  bufferevent_write(bev1, "ABCDEFG", 7);
  bufferevent_enable(bev1, EV_READ | EV_WRITE);

  // bev2 has nothing to say, and isn't listening.
  bufferevent_setcb(bev2, bev_timeout_read_cb, bev_timeout_write_cb, bev_timeout_event_cb, res2);
  tv_w.tv_usec = 200 * 1000;
  tv_r.tv_usec = 100 * 1000;
  bufferevent_set_timeouts(bev2, tv_r, tv_w);
  bufferevent_enable(bev2, EV_WRITE);

  event_base_loopexit(base, new timeval(0, 350000));
  event_base_dispatch(base);
  return { started_at, res1, res2 };
}
