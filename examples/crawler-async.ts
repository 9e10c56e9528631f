/*
 * The ten-page crawler of the design article's section on coroutines, coroutine version, ported
 * to bufferevents with await: fetch /, /1 ... /9 from HOST:PORT with HTTP/1.0, all at once, each
 * fetch written as straight-line code whose place in the code is its state; print one line per
 * path with the size of its response, then the total time.
 *
 * crawler-async HOST PORT
 *
 * The article drives its coroutines with a Future and a Task class of its own; here the promises
 * of the async bufferevent calls are the futures, async functions the tasks, and the base runs
 * inside Node's loop (event_base_dispatch_async), which resumes them. examples/crawler-callback.ts
 * is the same crawler written with callbacks.
 */

import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_OPT_CLOSE_ON_FREE, bufferevent_free, bufferevent_read_async, bufferevent_socket_connect_hostname_async,
  bufferevent_socket_new, bufferevent_write_async,
} from "libevent-ts/event2/bufferevent";
import type { evbuffer } from "libevent-ts/event2/buffer";
import { evbuffer_add, evbuffer_free, evbuffer_get_length, evbuffer_new } from "libevent-ts/event2/buffer";
import type { event_base } from "libevent-ts/event2/event";
import { event_base_dispatch_async, event_base_free, event_base_new } from "libevent-ts/event2/event";
import { AF_UNSPEC, strlen } from "libevent-ts/event2/util";

let base: event_base;
let host = "";
let port = 0;
const urls_todo = new Set(["/", "/1", "/2", "/3", "/4", "/5", "/6", "/7", "/8", "/9"]);

/** Read until end of file, one chunk of at most 4 KiB at a time, as the article's read_all. */
async function read_all(bev: bufferevent, response: evbuffer): Promise<void> {
  const chunk = new Uint8Array(4096);
  let n = await bufferevent_read_async(bev, chunk, chunk.length);
  while (n > 0) {
    evbuffer_add(response, chunk, n);
    n = await bufferevent_read_async(bev, chunk, chunk.length);
  }
}

async function fetch(url: string): Promise<void> {
  const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
  const response = evbuffer_new()!;
  try {
    await bufferevent_socket_connect_hostname_async(bev, null, AF_UNSPEC, host, port);
    const get = `GET ${url} HTTP/1.0\r\nHost: ${host}\r\n\r\n`;
    await bufferevent_write_async(bev, get, strlen(get));
    await read_all(bev, response);
    console.log(`${url} ${evbuffer_get_length(response)} bytes`);
  } finally {
    bufferevent_free(bev);
    evbuffer_free(response);
    urls_todo.delete(url);
  }
}

async function main(argc: number, argv: string[]): Promise<number> {
  if (argc !== 3 || !(Number(argv[2]) >= 1 && Number(argv[2]) <= 65535)) {
    console.error("usage: crawler-async HOST PORT");
    return 2;
  }
  host = argv[1]!;
  port = Number(argv[2]);
  base = event_base_new()!;

  const start = performance.now();
  const urls = [...urls_todo];
  const tasks = urls.map(fetch);
  // The loop runs until no event is left: every fetch has freed its bufferevent.
  const loop = event_base_dispatch_async(base);
  let failed = 0;
  const results = await Promise.allSettled(tasks);
  results.forEach((r, i) => {
    if (r.status === "rejected") {
      console.error(`${urls[i]}: ${(r.reason as Error).message}`);
      failed = 1;
    }
  });
  await loop;
  console.log(`total ${((performance.now() - start) / 1000).toFixed(3)} s`);

  event_base_free(base);
  return failed;
}

const argv = process.argv.slice(1);
main(argv.length, argv).then((code) => {
  process.exitCode = code;
});
