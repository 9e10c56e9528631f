/**
 * libevent's sample/time-test.c, statement by statement: a 2-second timer that prints how long it
 * really took, re-added from its callback, or made EV_PERSIST with `-p`. It runs until killed.
 *
 *     node --import tsx examples/time-test.ts [-p]
 */
import { EV_PERSIST, event, event_add, event_assign, event_base, event_base_dispatch, event_base_new } from "libevent-ts/event2/event";
import type { evutil_socket_t } from "libevent-ts/event2/util";
import { evutil_gettimeofday, evutil_timerclear, evutil_timersub, timeval } from "libevent-ts/event2/util";

let lasttime = new timeval();

let event_is_persistent = 0;

function timeout_cb(fd: evutil_socket_t, event: number, arg: event): void {
  const newtime = new timeval();
  const difference = new timeval();
  const timeout = arg;
  let elapsed: number;

  evutil_gettimeofday(newtime, null);
  evutil_timersub(newtime, lasttime, difference);
  elapsed = difference.tv_sec + (difference.tv_usec / 1.0e6);

  console.log(`timeout_cb called at ${Math.trunc(newtime.tv_sec)}: ${elapsed.toFixed(3)} seconds elapsed.`);
  lasttime = newtime;

  if (!event_is_persistent) {
    const tv = new timeval();
    evutil_timerclear(tv);
    tv.tv_sec = 2;
    event_add(timeout, tv);
  }
}

function main(argc: number, argv: string[]): number {
  const timeout = new event<event>();
  const tv = new timeval();
  let base: event_base | null;
  let flags: number;

  if (argc === 2 && argv[1] === "-p") {
    event_is_persistent = 1;
    flags = EV_PERSIST;
  } else {
    event_is_persistent = 0;
    flags = 0;
  }

  // Initialize the event library
  base = event_base_new();

  // Initialize one event
  event_assign(timeout, base, -1, flags, timeout_cb, timeout);

  evutil_timerclear(tv);
  tv.tv_sec = 2;
  event_add(timeout, tv);

  evutil_gettimeofday(lasttime, null);

  // setbuf(stdout, NULL), setbuf(stderr, NULL): Node already writes both at once on Linux.

  event_base_dispatch(base!);

  return 0;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
