/*
  This example program provides a trivial server program that listens for TCP
  connections on port 9995.  When they arrive, it writes a short message to
  each client connection, and closes each connection once it is flushed.

  Where possible, it exits cleanly in response to a SIGINT (ctrl-c).

  examples/hello-world.ts (libevent's sample/hello-world.c) in the async form: the base runs
  inside Node's loop (event_base_dispatch_async), and each connection's write is awaited
  (bufferevent_write_async) where hello-world.ts has a write callback and an event callback.
  Takes `[-q] [PORT]` as hello-world.ts does.
*/

import type { bufferevent, ev_async_error } from "libevent-ts/event2/bufferevent";
import {
  BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_OPT_CLOSE_ON_FREE, bufferevent_disable, bufferevent_enable, bufferevent_free,
  bufferevent_socket_new, bufferevent_write_async,
} from "libevent-ts/event2/bufferevent";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_free, evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import type { evutil_socket_t, sockaddr } from "libevent-ts/event2/util";
import { AF_INET, SIGINT, htons, sizeof, sockaddr_in, strerror, strlen, timeval } from "libevent-ts/event2/util";
import type { event, event_base } from "libevent-ts/event2/event";
import {
  EV_READ, EV_WRITE, event_add, event_base_dispatch_async, event_base_free, event_base_loopbreak, event_base_loopexit,
  event_base_new, event_free, evsignal_new,
} from "libevent-ts/event2/event";

const MESSAGE = "Hello, World!\n";

let PORT = 9995;
let quiet = 0;

async function main(argc: number, argv: string[]): Promise<number> {
  let base: event_base | null;
  let listener: evconnlistener | null;
  let signal_event: event | null;

  const sin = new sockaddr_in();

  for (let i = 1; i < argc; i++) {
    if (argv[i] === "-q") quiet = 1;
    else PORT = Number.parseInt(argv[i]!, 10) || 0;
  }

  base = event_base_new();
  if (!base) {
    console.error("Could not initialize libevent!");
    return 1;
  }

  sin.sin_family = AF_INET;
  sin.sin_port = htons(PORT);

  listener = evconnlistener_new_bind(base, listener_cb, base,
    LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1,
    sin,
    sizeof(sin));

  if (!listener) {
    console.error("Could not create a listener!");
    return 1;
  }

  signal_event = evsignal_new(base, SIGINT, signal_cb, base);

  if (!signal_event || event_add(signal_event, null) < 0) {
    console.error("Could not create/add a signal event!");
    return 1;
  }

  await event_base_dispatch_async(base);

  evconnlistener_free(listener);
  event_free(signal_event);
  event_base_free(base);

  console.log("done");
  return 0;
}

function listener_cb(listener: evconnlistener, fd: evutil_socket_t,
  sa: sockaddr, socklen: number, user_data: event_base): void {
  const base = user_data;
  let bev: bufferevent | null;

  bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!bev) {
    process.stderr.write("Error constructing bufferevent!");
    event_base_loopbreak(base);
    return;
  }
  bufferevent_enable(bev, EV_WRITE);
  bufferevent_disable(bev, EV_READ);

  void conn_write(bev);
}

/* What hello-world.ts's conn_writecb and conn_eventcb do, in one function. */
async function conn_write(bev: bufferevent): Promise<void> {
  try {
    await bufferevent_write_async(bev, MESSAGE, strlen(MESSAGE));
    if (!quiet) console.log("flushed answer");
  } catch (e) {
    const events = (e as ev_async_error).events;
    if (events & BEV_EVENT_EOF) {
      if (!quiet) console.log("Connection closed.");
    } else if (events & BEV_EVENT_ERROR) {
      if (!quiet) console.log(`Got an error on the connection: ${strerror((e as ev_async_error).errno)}`);
    }
  }
  bufferevent_free(bev);
}

function signal_cb(sig: evutil_socket_t, events: number, user_data: event_base): void {
  const base = user_data;
  const delay = new timeval(2, 0);

  console.log("Caught an interrupt signal; exiting cleanly in two seconds.");

  event_base_loopexit(base, delay);
}

const argv = process.argv.slice(1);
main(argv.length, argv).then((code) => {
  process.exitCode = code;
});
