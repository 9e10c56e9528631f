/**
 * libevent's basic_setup (test/regress_main.c): per test, an optional nonblocking AF_UNIX
 * socketpair and an optional event_base of the backend under test, released when the test ends
 * (the base after an event_base_assert_ok_ check). A test that frees the base or closes a pair
 * end itself sets the field to null / -1, as the C tests do.
 */
import { onTestFinished } from "vitest";
import { event_base, event_base_free, event_set_log_callback } from "libevent-ts/event2/event";
import { event_base_assert_ok_ } from "./assert_ok.js";
import { newBase } from "./backends.js";
import { AF_UNIX, SOCK_STREAM, evutil_closesocket, evutil_make_socket_nonblocking, evutil_socketpair } from "./fdio.js";

/** `struct basic_test_data` */
export interface basic_test_data {
  base: event_base | null;
  pair: number[];
}

/** TT_NEED_BASE, TT_NEED_SOCKETPAIR, TT_NO_LOGS */
export interface setup_flags {
  base?: boolean;
  pair?: boolean;
  noLogs?: boolean;
}

/** A nonblocking AF_UNIX stream socketpair (closed by the caller). */
export function nonblockingPair(): number[] {
  const pair = [-1, -1];
  if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) === -1) throw new Error("socketpair");
  if (evutil_make_socket_nonblocking(pair[0]!) === -1 || evutil_make_socket_nonblocking(pair[1]!) === -1) {
    throw new Error("fcntl(O_NONBLOCK)");
  }
  return pair;
}

/** `basic_test_setup`, with `basic_test_cleanup` registered for the end of the test. */
export function basic_setup(flags: setup_flags): basic_test_data {
  const data: basic_test_data = { base: null, pair: [-1, -1] };
  onTestFinished(() => {
    if (flags.noLogs) event_set_log_callback(null);
    for (const fd of data.pair) if (fd !== -1) evutil_closesocket(fd);
    if (data.base !== null) {
      event_base_assert_ok_(data.base);
      event_base_free(data.base);
    }
  });
  if (flags.pair) data.pair = nonblockingPair();
  if (flags.base) data.base = newBase();
  if (flags.noLogs) event_set_log_callback(() => {});
  return data;
}
