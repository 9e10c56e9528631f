/*
 * An echo server on many cores: NTHREADS worker threads, each with its own event_base, as
 * memcached runs libevent. Listens on 127.0.0.1:PORT (0: a port the kernel picks).
 *
 * echo-threads PORT NTHREADS [--reuseport]
 *
 * By default the main thread's evconnlistener accepts every connection and hands its fd to the
 * workers in turn (round robin) through each worker's notify queue (evthread_notify_send); a worker
 * makes a bufferevent of each fd it receives. With --reuseport there is no hand-off: each worker
 * has its own listener on the same port (LEV_OPT_REUSEABLE_PORT) and the kernel spreads the
 * connections over them.
 *
 * Prints `listening 127.0.0.1:PORT pid PID` once every thread is ready. On SIGINT or SIGTERM the
 * main thread stops every worker's loop (evthread_notify_base_loopbreak), then prints
 * `thread K: N connections` for each worker and `done`, and exits 0.
 *
 * Workers run this same file; on Node 20 a worker needs ts-worker.mjs to load TypeScript.
 */

import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";
import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_OPT_CLOSE_ON_FREE, bufferevent_enable, bufferevent_free, bufferevent_get_input,
  bufferevent_get_output, bufferevent_setcb, bufferevent_socket_new,
} from "libevent-ts/event2/bufferevent";
import { evbuffer_add_buffer } from "libevent-ts/event2/buffer";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, LEV_OPT_REUSEABLE_PORT, evconnlistener_free, evconnlistener_get_fd,
  evconnlistener_new_bind,
} from "libevent-ts/event2/listener";
import type { evutil_socket_t, sockaddr } from "libevent-ts/event2/util";
import {
  AF_INET, INADDR_LOOPBACK, IPPROTO_TCP, SIGINT, SIGTERM, TCP_NODELAY, errno, evutil_closesocket, getsockname, htonl,
  htons, memset, ntohs, setsockopt, sizeof, sockaddr_in, strerror,
} from "libevent-ts/event2/util";
import type { event, event_base } from "libevent-ts/event2/event";
import {
  EV_READ, EV_WRITE, event_add, event_base_dispatch, event_base_free, event_base_loopbreak, event_base_new, event_free, evsignal_new,
} from "libevent-ts/event2/event";
import type { evthread_notify } from "libevent-ts/event2/thread";
import {
  EVTHREAD_NOTIFY_FDS, evthread_base_get_notify_id, evthread_make_base_notifiable, evthread_notify_base_loopbreak,
  evthread_notify_free, evthread_notify_get_id, evthread_notify_new, evthread_notify_send, evthread_use_pthreads,
} from "libevent-ts/event2/thread";

/** What the main thread tells a worker. */
interface worker_args {
  k: number;
  reuseport: boolean;
  port: number;
}

/** What a worker tells the main thread: ready (with the ids by which it is reached), then done. */
type worker_msg =
  | { type: "ready"; base_id: number; queue_id: number; port: number }
  | { type: "done"; connections: number }
  | { type: "error"; message: string };

// ---- a worker thread: one base, echoing every connection it gets ----

let connections = 0;
const open_bevs = new Set<bufferevent>();

function echo_read_cb(bev: bufferevent, ctx: null): void {
  evbuffer_add_buffer(bufferevent_get_output(bev), bufferevent_get_input(bev));
}

function echo_event_cb(bev: bufferevent, events: number, ctx: null): void {
  if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
    open_bevs.delete(bev);
    bufferevent_free(bev);
  }
}

/** A connection for this worker: from the main thread's queue, or from its own listener. */
function serve(base: event_base, fd: evutil_socket_t): void {
  const one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, one, sizeof(one));
  const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  if (!bev) {
    console.error("Error constructing bufferevent!");
    evutil_closesocket(fd);
    return;
  }
  connections++;
  open_bevs.add(bev);
  bufferevent_setcb(bev, echo_read_cb, null, echo_event_cb, null);
  bufferevent_enable(bev, EV_READ | EV_WRITE);
}

function conn_cb(q: evthread_notify<event_base>, fd: number, base: event_base): void {
  serve(base, fd);
}

function accept_cb(listener: evconnlistener, fd: evutil_socket_t, address: sockaddr, socklen: number, base: event_base): void {
  serve(base, fd);
}

function worker_main(args: worker_args): number {
  const post = (m: worker_msg): void => parentPort!.postMessage(m);
  const base = event_base_new();
  if (!base || evthread_make_base_notifiable(base) < 0) {
    post({ type: "error", message: "Could not initialize libevent!" });
    return 1;
  }
  let queue: evthread_notify<event_base> | null = null;
  let listener: evconnlistener | null = null;
  let port = args.port;
  if (!args.reuseport) {
    queue = evthread_notify_new(base, EVTHREAD_NOTIFY_FDS, conn_cb, base);
    if (!queue) {
      post({ type: "error", message: `Could not create a notify queue: ${strerror(errno)}` });
      return 1;
    }
  } else {
    const sin = new sockaddr_in();
    memset(sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(args.port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listener = evconnlistener_new_bind(base, accept_cb, base,
      LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin));
    if (!listener) {
      post({ type: "error", message: `Could not create a listener: ${strerror(errno)}` });
      return 1;
    }
    const len = { value: sizeof(sin) };
    getsockname(evconnlistener_get_fd(listener), sin, len);
    port = ntohs(sin.sin_port);
  }
  post({ type: "ready", base_id: evthread_base_get_notify_id(base), queue_id: queue ? evthread_notify_get_id(queue) : -1, port });

  event_base_dispatch(base);

  for (const bev of open_bevs) bufferevent_free(bev);
  open_bevs.clear();
  if (listener) evconnlistener_free(listener);
  if (queue) evthread_notify_free(queue);
  event_base_free(base);
  post({ type: "done", connections });
  return 0;
}

// ---- the main thread: the workers, the signals, and (by default) the listener ----

interface worker_info {
  worker: Worker;
  base_id: number;
  queue_id: number;
  connections: number;
  /** Resolves once the worker has sent "done" and ended. */
  finished: Promise<void>;
}

const workers: worker_info[] = [];
let next_worker = 0;

/** The main listener's callback: hand the connection to the next worker, round robin. */
function dispatch_conn_new(listener: evconnlistener, fd: evutil_socket_t, address: sockaddr, socklen: number, ctx: null): void {
  const w = workers[next_worker]!;
  next_worker = (next_worker + 1) % workers.length;
  if (evthread_notify_send(w.queue_id, fd) < 0) {
    console.error(`Could not hand a connection to a worker: ${strerror(errno)}`);
    evutil_closesocket(fd);
  }
}

function signal_cb(sig: evutil_socket_t, events: number, base: event_base): void {
  for (const w of workers) evthread_notify_base_loopbreak(w.base_id);
  event_base_loopbreak(base);
}

/** Start worker k and wait until it is ready. */
function start_worker(k: number, reuseport: boolean, port: number): Promise<worker_info & { port: number }> {
  const worker = new Worker(new URL("./ts-worker.mjs", import.meta.url), {
    argv: [import.meta.url],
    workerData: { k, reuseport, port } satisfies worker_args,
  });
  return new Promise((resolve, reject) => {
    let done!: () => void;
    const info = {
      worker, base_id: -1, queue_id: -1, connections: 0, port,
      finished: new Promise<void>((r) => (done = r)),
    };
    let gotDone = false;
    worker.on("message", (m: worker_msg) => {
      if (m.type === "ready") {
        info.base_id = m.base_id;
        info.queue_id = m.queue_id;
        info.port = m.port;
        resolve(info);
      } else if (m.type === "done") {
        info.connections = m.connections;
        gotDone = true;
      } else {
        reject(new Error(`thread ${k}: ${m.message}`));
      }
    });
    worker.on("error", reject);
    worker.on("exit", (code) => {
      if (!gotDone) reject(new Error(`thread ${k} exited (${code}) before it was ready or done`));
      done();
    });
  });
}

async function main(argc: number, argv: string[]): Promise<number> {
  if (argc < 3) {
    console.error("usage: echo-threads PORT NTHREADS [--reuseport]");
    return 1;
  }
  let port = Number.parseInt(argv[1]!, 10) || 0;
  const nthreads = Number.parseInt(argv[2]!, 10);
  const reuseport = argv.slice(3).includes("--reuseport");
  if (!(nthreads >= 1 && nthreads <= 256)) {
    console.error("echo-threads: NTHREADS must be from 1 to 256");
    return 1;
  }

  evthread_use_pthreads();
  const base = event_base_new();
  if (!base) {
    console.error("Could not initialize libevent!");
    return 1;
  }

  let listener: evconnlistener | null = null;
  if (!reuseport) {
    const sin = new sockaddr_in();
    memset(sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_port = htons(port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    listener = evconnlistener_new_bind(base, dispatch_conn_new, null,
      LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin));
    if (!listener) {
      console.error(`Could not create a listener: ${strerror(errno)}`);
      return 1;
    }
    const len = { value: sizeof(sin) };
    getsockname(evconnlistener_get_fd(listener), sin, len);
    port = ntohs(sin.sin_port);
  }

  try {
    // One at a time: with --reuseport and port 0, the first worker's listener picks the port.
    for (let k = 0; k < nthreads; k++) {
      const w = await start_worker(k, reuseport, port);
      port = w.port;
      workers.push(w);
    }
  } catch (e) {
    console.error((e as Error).message);
    for (const w of workers) evthread_notify_base_loopbreak(w.base_id);
    return 1;
  }

  const signals: event[] = [];
  for (const sig of [SIGINT, SIGTERM]) {
    const ev = evsignal_new(base, sig, signal_cb, base);
    if (!ev || event_add(ev, null) < 0) {
      console.error("Could not create/add a signal event!");
      return 1;
    }
    signals.push(ev);
  }

  console.log(`listening 127.0.0.1:${port} pid ${process.pid}`);
  event_base_dispatch(base);

  if (listener) evconnlistener_free(listener);
  for (const ev of signals) event_free(ev);
  event_base_free(base);

  await Promise.all(workers.map((w) => w.finished));
  workers.forEach((w, k) => console.log(`thread ${k}: ${w.connections} connections`));
  console.log("done");
  return 0;
}

if (isMainThread) {
  const argv = process.argv.slice(1);
  process.exitCode = await main(argv.length, argv);
} else {
  process.exitCode = worker_main(workerData as worker_args);
}
