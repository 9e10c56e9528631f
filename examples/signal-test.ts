/**
 * libevent's sample/signal-test.c, statement by statement: a SIGINT event whose callback gets
 * the event itself (event_self_cbarg) and deletes it on the third signal, so that the loop runs
 * out of events and the program ends with status 0.
 *
 *     node --import tsx examples/signal-test.ts     (then press Ctrl-C three times)
 */
import {
  event, event_add, event_base, event_base_dispatch, event_base_free, event_base_new, event_del, event_free, event_get_signal,
  event_self_cbarg, evsignal_new,
} from "libevent-ts/event2/event";
import type { evutil_socket_t } from "libevent-ts/event2/util";
import { SIGINT } from "libevent-ts/event2/util";

let called = 0;

function signal_cb(fd: evutil_socket_t, event: number, arg: event): void {
  const signal = arg;

  console.log(`signal_cb: got signal ${event_get_signal(signal)}`);

  if (called >= 2) event_del(signal);

  called++;
}

function main(argc: number, argv: string[]): number {
  let signal_int: event | null = null;
  let base: event_base | null;
  let ret = 0;

  out: {
    // Initialize the event library
    base = event_base_new();
    if (!base) {
      ret = 1;
      break out;
    }

    // Initialize one event
    signal_int = evsignal_new(base, SIGINT, signal_cb, event_self_cbarg());
    if (!signal_int) {
      ret = 2;
      break out;
    }
    event_add(signal_int, null);

    event_base_dispatch(base);
  }
  if (signal_int) event_free(signal_int);
  if (base) event_base_free(base);
  return ret;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
