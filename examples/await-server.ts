/*
 * A small HTTP/1.0 server written with await, to show what running a base inside Node's loop is
 * for: each request awaits something from Node (a timer of node:timers/promises, or a file read
 * with node:fs/promises) while the same base goes on serving every other connection.
 *
 *   GET /sleep/MS   answers "slept MS ms" after a Node timer of MS milliseconds (at most 10000)
 *   GET /source     answers this program's source, read with fs/promises
 *
 * await-server [-q] [PORT]        (port 9997 unless given; 127.0.0.1 only)
 *
 * SIGINT stops accepting; the requests in flight are answered, then the loop ends by itself.
 *
 * Connections are accepted with evconnlistener_accept_async, requests read with
 * bufferevent_readln_async, answers sent with bufferevent_write_async.
 */

import { readFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_OPT_CLOSE_ON_FREE, bufferevent_free, bufferevent_readln_async, bufferevent_set_timeouts,
  bufferevent_setwatermark, bufferevent_socket_new, bufferevent_write_async,
} from "libevent-ts/event2/bufferevent";
import { EVBUFFER_EOL_CRLF } from "libevent-ts/event2/buffer";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_accept_async, evconnlistener_free, evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import type { evutil_socket_t } from "libevent-ts/event2/util";
import { AF_INET, INADDR_LOOPBACK, SIGINT, errno, htonl, htons, sizeof, sockaddr_in, strerror, timeval } from "libevent-ts/event2/util";
import type { event, event_base } from "libevent-ts/event2/event";
import {
  EV_READ, event_add, event_base_dispatch_async, event_base_free, event_base_new, event_del, event_free, evsignal_new,
} from "libevent-ts/event2/event";

let port = 9997;
let quiet = 0;
let listener: evconnlistener | null = null;
let signal_event: event | null = null;

/** Requests longer than this are refused: reading stops there (the read high watermark). */
const MAX_REQUEST = 8192;

async function respond(bev: bufferevent, status: string, body: string | Uint8Array): Promise<void> {
  const bytes = typeof body === "string" ? Buffer.from(body) : body;
  const head = `HTTP/1.0 ${status}\r\nContent-Length: ${bytes.length}\r\nConnection: close\r\n\r\n`;
  await bufferevent_write_async(bev, head, Buffer.byteLength(head));
  await bufferevent_write_async(bev, bytes, bytes.length);
}

/** One connection: one request, one answer. */
async function serve(base: event_base, fd: evutil_socket_t): Promise<void> {
  const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)!;
  bufferevent_setwatermark(bev, EV_READ, 0, MAX_REQUEST);
  bufferevent_set_timeouts(bev, new timeval(10, 0), new timeval(10, 0));
  try {
    const request = await bufferevent_readln_async(bev, EVBUFFER_EOL_CRLF);
    if (request === null) return;
    // The headers, up to the empty line; none of them matters here.
    for (let line = request; line !== ""; ) {
      const next = await bufferevent_readln_async(bev, EVBUFFER_EOL_CRLF);
      if (next === null) return;
      line = next;
    }
    const [method, path] = request.split(" ");
    const sleepMs = /^\/sleep\/(\d{1,5})$/.exec(path ?? "");
    if (method !== "GET") {
      await respond(bev, "405 Method Not Allowed", "GET only\n");
    } else if (sleepMs !== null && Number(sleepMs[1]) <= 10_000) {
      await sleep(Number(sleepMs[1]));
      await respond(bev, "200 OK", `slept ${sleepMs[1]} ms\n`);
    } else if (path === "/source") {
      await respond(bev, "200 OK", await readFile(fileURLToPath(import.meta.url)));
    } else {
      await respond(bev, "404 Not Found", "not found\n");
    }
    if (!quiet) console.log(`${request} answered`);
  } catch (e) {
    if (!quiet) console.log(`connection ended: ${(e as Error).message}`);
  } finally {
    bufferevent_free(bev);
  }
}

/** Accept until the listener is freed (the pending accept is then rejected). */
async function accept_loop(base: event_base, listener: evconnlistener): Promise<void> {
  for (;;) {
    let fd: evutil_socket_t;
    try {
      fd = await evconnlistener_accept_async(listener);
    } catch {
      return;
    }
    void serve(base, fd);
  }
}

function signal_cb(sig: evutil_socket_t, events: number, base: event_base): void {
  console.log("Caught an interrupt signal; finishing the requests in flight.");
  evconnlistener_free(listener!);
  event_del(signal_event!);
}

async function main(argc: number, argv: string[]): Promise<number> {
  for (let i = 1; i < argc; i++) {
    if (argv[i] === "-q") quiet = 1;
    else port = Number.parseInt(argv[i]!, 10) || 0;
  }

  const base = event_base_new();
  if (!base) {
    console.error("Could not initialize libevent!");
    return 1;
  }
  const sin = new sockaddr_in();
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // No callback: connections are taken with evconnlistener_accept_async.
  listener = evconnlistener_new_bind(base, null, null, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin));
  if (!listener) {
    console.error(`Could not create a listener: ${strerror(errno)}`);
    return 1;
  }
  signal_event = evsignal_new(base, SIGINT, signal_cb, base);
  if (!signal_event || event_add(signal_event, null) < 0) {
    console.error("Could not create/add a signal event!");
    return 1;
  }

  const accepting = accept_loop(base, listener);
  // Runs until no event is left: the listener freed and every connection done.
  await event_base_dispatch_async(base);

  await accepting;
  event_free(signal_event);
  event_base_free(base);
  console.log("done");
  return 0;
}

const argv = process.argv.slice(1);
main(argv.length, argv).then((code) => {
  process.exitCode = code;
});
