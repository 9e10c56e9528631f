/*
 * The ten-page crawler of the design article's section on coroutines, callback version (the one
 * written over a selector), ported to bufferevents: fetch /, /1 ... /9 from HOST:PORT with
 * HTTP/1.0, all at once, each connection carrying its state from callback to callback; print
 * one line per path with the size of its response, then the total time.
 *
 * crawler-callback HOST PORT
 *
 * examples/crawler-async.ts is the same crawler written with await.
 */

import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_EVENT_CONNECTED, BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_OPT_CLOSE_ON_FREE, bufferevent_enable, bufferevent_free,
  bufferevent_read_buffer, bufferevent_setcb, bufferevent_socket_connect_hostname, bufferevent_socket_new,
  bufferevent_write,
} from "libevent-ts/event2/bufferevent";
import type { evbuffer } from "libevent-ts/event2/buffer";
import { evbuffer_free, evbuffer_get_length, evbuffer_new } from "libevent-ts/event2/buffer";
import type { event_base } from "libevent-ts/event2/event";
import { EV_READ, event_base_dispatch, event_base_free, event_base_loopexit, event_base_new } from "libevent-ts/event2/event";
import { AF_UNSPEC, errno, strerror, strlen } from "libevent-ts/event2/util";

let base: event_base;
let host = "";
let port = 0;
const urls_todo = new Set(["/", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9"]);
let failed = 0;

/** One page being fetched: what the article's Crawler object holds between callbacks. */
class Crawler {
  bev: bufferevent | null = null;
  readonly response: evbuffer = evbuffer_new()!;

  constructor(readonly url: string) {}

  fetch(): void {
    this.bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(this.bev!, read_response, null, event_cb, this);
    bufferevent_enable(this.bev!, EV_READ);
    if (bufferevent_socket_connect_hostname(this.bev!, null, AF_UNSPEC, host, port) < 0) {
      this.done(`cannot connect to ${host}:${port}`);
    }
  }

  /** The connection is over: report it, and stop the loop once every page is in. */
  done(error: string | null): void {
    if (error !== null) {
      console.error(`${this.url}: ${error}`);
      failed = 1;
    } else {
      console.log(`${this.url} ${evbuffer_get_length(this.response)} bytes`);
    }
    bufferevent_free(this.bev!);
    evbuffer_free(this.response);
    urls_todo.delete(this.url);
    if (urls_todo.size === 0) event_base_loopexit(base, null);
  }
}

function connected(bev: bufferevent, crawler: Crawler): void {
  const get = `GET ${crawler.url} HTTP/1.0\r\nHost: ${host}\r\n\r\n`;
  bufferevent_write(bev, get, strlen(get));
}

function read_response(bev: bufferevent, crawler: Crawler): void {
  bufferevent_read_buffer(bev, crawler.response);
}

function event_cb(bev: bufferevent, events: number, crawler: Crawler): void {
  if (events & BEV_EVENT_CONNECTED) connected(bev, crawler);
  else if (events & BEV_EVENT_EOF) crawler.done(null);
  else if (events & BEV_EVENT_ERROR) crawler.done(strerror(errno));
}

function main(argc: number, argv: string[]): number {
  if (argc !== 3 || !(Number(argv[2]) >= 1 && Number(argv[2]) <= 65535)) {
    console.error("usage: crawler-callback HOST PORT");
    return 2;
  }
  host = argv[1]!;
  port = Number(argv[2]);
  base = event_base_new()!;

  const start = performance.now();
  for (const url of [...urls_todo]) new Crawler(url).fetch();
  event_base_dispatch(base);
  console.log(`total ${((performance.now() - start) / 1000).toFixed(3)} s`);

  event_base_free(base);
  return failed;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
