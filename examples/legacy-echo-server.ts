/*
 * An echo server written against libevent 1.4's API (event_compat.h), its events set up the way
 * memcached's thread.c and memcached.c set up theirs:
 * - the base comes from event_init();
 * - every event is made with event_set, given its base with event_base_set, then event_add'ed;
 * - each connection has one event, which its state machine switches between EV_READ and
 *   EV_WRITE by deleting, setting and adding it again (memcached's update_event);
 * - accepted connections reach the worker through a queue and a notify socket that a persistent
 *   read event watches (memcached's dispatch_conn_new and thread_libevent_process);
 * - signals with signal_set / signal_add, the loop with event_dispatch, the end with
 *   event_loopbreak and event_base_free(NULL).
 * Raw fds, read() and write(): no bufferevents. memcached gives each worker thread a base of its
 * own; here the one worker uses the main base, so the hand-off crosses the notify socket but not
 * a thread. Listens on 127.0.0.1, port 9997 unless given:
 *
 * legacy-echo-server [-q] [PORT]
 */

import type { event_base } from "libevent-ts/event2/event";
import { EV_PERSIST, EV_READ, EV_WRITE, event, event_add, event_base_free, event_base_set, event_del } from "libevent-ts/event2/event";
import { event_dispatch, event_init, event_loopbreak, event_set, signal_add, signal_set } from "libevent-ts/event2/event_compat";
import type { evutil_socket_t } from "libevent-ts/event2/util";
import {
  AF_INET, AF_UNIX, EAGAIN, EINTR, EWOULDBLOCK, INADDR_LOOPBACK, SIGINT, SIGTERM, SOCK_STREAM, SOL_SOCKET,
  SO_REUSEADDR, accept, bind, close, errno, evutil_make_socket_nonblocking, evutil_socketpair, htonl, htons, listen,
  memset, read, setsockopt, sizeof, sockaddr_in, socket, strerror, write,
} from "libevent-ts/event2/util";

const DATA_BUFFER_SIZE = 2048;
/** Reads a connection may make per event before it lets the others run (memcached's reqs_per_event). */
const REQS_PER_EVENT = 20;

/** The states of a connection (memcached's enum conn_states, the ones an echo needs). */
const conn_read = 0;
const conn_write = 1;
const conn_closing = 2;

/** `struct conn` */
class conn {
  sfd: evutil_socket_t;
  state: number;
  event = new event<conn>();
  ev_flags = 0;
  buf = new Uint8Array(DATA_BUFFER_SIZE);
  wcurr = 0;
  wbytes = 0;

  constructor(sfd: evutil_socket_t, state: number) {
    this.sfd = sfd;
    this.state = state;
  }
}

/** An accepted connection on its way to a worker (memcached's CQ_ITEM). */
interface CQ_ITEM {
  sfd: evutil_socket_t;
  init_state: number;
  event_flags: number;
}

/** `LIBEVENT_THREAD`: a worker's base, its notify socket and event, its queue of new connections. */
interface LIBEVENT_THREAD {
  base: event_base;
  notify_event: event<LIBEVENT_THREAD>;
  notify_receive_fd: evutil_socket_t;
  notify_send_fd: evutil_socket_t;
  new_conn_queue: CQ_ITEM[];
}

let port = 9997;
let quiet = 0;
let main_base: event_base;
let worker: LIBEVENT_THREAD;
const conns = new Set<conn>();

function perror(s: string): void {
  console.error(`${s}: ${strerror(errno)}`);
}

function conn_new(sfd: evutil_socket_t, init_state: number, event_flags: number, base: event_base): conn | null {
  const c = new conn(sfd, init_state);

  event_set(c.event, sfd, event_flags, event_handler, c);
  event_base_set(base, c.event);
  c.ev_flags = event_flags;

  if (event_add(c.event, null) === -1) {
    perror("event_add");
    return null;
  }
  conns.add(c);
  return c;
}

function conn_close(c: conn): void {
  event_del(c.event);
  close(c.sfd);
  conns.delete(c);
  if (!quiet)
    console.log("Connection closed.");
}

/** Make the connection's one event wait for `new_flags` instead (memcached's update_event). */
function update_event(c: conn, new_flags: number): boolean {
  const base = c.event.ev_base!;

  if (c.ev_flags === new_flags)
    return true;
  if (event_del(c.event) === -1) return false;
  event_set(c.event, c.sfd, new_flags, event_handler, c);
  event_base_set(base, c.event);
  c.ev_flags = new_flags;
  if (event_add(c.event, null) === -1) return false;
  return true;
}

function drive_machine(c: conn): void {
  let stop = false;
  let nreqs = REQS_PER_EVENT;

  while (!stop) {
    switch (c.state) {
      case conn_read: {
        if (--nreqs < 0) {
          stop = true; // level-triggered: the event comes back while data is left
          break;
        }
        const n = read(c.sfd, c.buf, c.buf.length);
        if (n > 0) {
          c.wcurr = 0;
          c.wbytes = n;
          c.state = conn_write;
        } else if (n === 0) {
          c.state = conn_closing;
        } else if (errno === EAGAIN || errno === EWOULDBLOCK) {
          if (!update_event(c, EV_READ | EV_PERSIST)) {
            console.error("Couldn't update event");
            c.state = conn_closing;
            break;
          }
          stop = true;
        } else if (errno !== EINTR) {
          c.state = conn_closing;
        }
        break;
      }
      case conn_write: {
        if (c.wcurr === c.wbytes) {
          c.state = conn_read;
          break;
        }
        const n = write(c.sfd, c.buf.subarray(c.wcurr), c.wbytes - c.wcurr);
        if (n > 0) {
          c.wcurr += n;
        } else if (n === -1 && (errno === EAGAIN || errno === EWOULDBLOCK)) {
          if (!update_event(c, EV_WRITE | EV_PERSIST)) {
            console.error("Couldn't update event");
            c.state = conn_closing;
            break;
          }
          stop = true;
        } else if (n === -1 && errno === EINTR) {
          // again
        } else {
          c.state = conn_closing;
        }
        break;
      }
      case conn_closing:
        conn_close(c);
        stop = true;
        break;
    }
  }
}

function event_handler(fd: evutil_socket_t, which: number, c: conn): void {
  if (fd !== c.sfd) {
    console.error("Catastrophic: event fd doesn't match conn fd!");
    conn_close(c);
    return;
  }
  drive_machine(c);
}

/** Queue a new connection for the worker and wake it (memcached's dispatch_conn_new). */
function dispatch_conn_new(sfd: evutil_socket_t, init_state: number, event_flags: number): void {
  worker.new_conn_queue.push({ sfd, init_state, event_flags });
  if (write(worker.notify_send_fd, "c", 1) !== 1)
    perror("Writing to thread notify pipe");
}

/** The worker's notify event: take one queued connection (memcached's thread_libevent_process). */
function thread_libevent_process(fd: evutil_socket_t, which: number, me: LIBEVENT_THREAD): void {
  const buf = new Uint8Array(1);

  if (read(fd, buf, 1) !== 1) {
    console.error("Can't read from libevent pipe");
    return;
  }
  const item = me.new_conn_queue.shift();
  if (item) {
    const c = conn_new(item.sfd, item.init_state, item.event_flags, me.base);
    if (c === null) {
      console.error("Can't listen for events on fd", item.sfd);
      close(item.sfd);
    } else if (!quiet) {
      console.log("Accepted a connection.");
    }
  }
}

/** Set up a worker's notify socket and event on `base` (memcached's setup_thread). */
function setup_thread(base: event_base): LIBEVENT_THREAD | null {
  const fds = [-1, -1];

  if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, fds) === -1) {
    perror("Can't create notify pipe");
    return null;
  }
  const me: LIBEVENT_THREAD = {
    base, notify_event: new event<LIBEVENT_THREAD>(), notify_receive_fd: fds[0]!, notify_send_fd: fds[1]!,
    new_conn_queue: [],
  };

  // Listen for notifications from other threads
  event_set(me.notify_event, me.notify_receive_fd, EV_READ | EV_PERSIST, thread_libevent_process, me);
  event_base_set(me.base, me.notify_event);

  if (event_add(me.notify_event, null) === -1) {
    console.error("Can't monitor libevent notify pipe");
    return null;
  }
  return me;
}

/** The listening socket's event: accept one connection and hand it to the worker. */
function accept_handler(fd: evutil_socket_t, which: number, arg: null): void {
  const addr = new sockaddr_in();
  const addrlen = { value: sizeof(addr) };

  const sfd = accept(fd, addr, addrlen);
  if (sfd === -1) {
    if (errno !== EAGAIN && errno !== EWOULDBLOCK)
      perror("accept()");
    return;
  }
  if (evutil_make_socket_nonblocking(sfd) < 0) {
    perror("setting O_NONBLOCK");
    close(sfd);
    return;
  }
  dispatch_conn_new(sfd, conn_read, EV_READ | EV_PERSIST);
}

function server_socket(port: number): evutil_socket_t {
  const sin = new sockaddr_in();
  const flags = 1;

  const sfd = socket(AF_INET, SOCK_STREAM, 0);
  if (sfd === -1) {
    perror("socket()");
    return -1;
  }
  if (evutil_make_socket_nonblocking(sfd) < 0) {
    perror("setting O_NONBLOCK");
    close(sfd);
    return -1;
  }
  setsockopt(sfd, SOL_SOCKET, SO_REUSEADDR, flags, sizeof(flags));

  memset(sin, 0, sizeof(sin));
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(sfd, sin, sizeof(sin)) === -1 || listen(sfd, 1024) === -1) {
    perror("bind()/listen()");
    close(sfd);
    return -1;
  }
  return sfd;
}

function sig_handler(sig: evutil_socket_t, which: number, arg: null): void {
  console.log(`Caught signal ${sig}; exiting.`);
  event_loopbreak();
}

function main(argc: number, argv: string[]): number {
  const listen_event = new event<null>();
  const sigint_event = new event<null>();
  const sigterm_event = new event<null>();

  for (let i = 1; i < argc; i++) {
    if (argv[i] === "-q")
      quiet = 1;
    else
      port = Number.parseInt(argv[i]!, 10) || 0;
  }

  // initialize main thread libevent instance
  main_base = event_init();

  const me = setup_thread(main_base);
  if (me === null)
    return 1;
  worker = me;

  const sfd = server_socket(port);
  if (sfd === -1)
    return 1;
  event_set(listen_event, sfd, EV_READ | EV_PERSIST, accept_handler, null);
  event_base_set(main_base, listen_event);
  if (event_add(listen_event, null) === -1) {
    perror("event_add");
    return 1;
  }

  signal_set(sigint_event, SIGINT, sig_handler, null);
  event_base_set(main_base, sigint_event);
  signal_set(sigterm_event, SIGTERM, sig_handler, null);
  event_base_set(main_base, sigterm_event);
  if (signal_add(sigint_event, null) === -1 || signal_add(sigterm_event, null) === -1) {
    perror("signal_add");
    return 1;
  }

  // enter the event loop
  event_dispatch();

  for (const c of [...conns]) conn_close(c);
  event_del(listen_event);
  close(sfd);
  event_del(worker.notify_event);
  close(worker.notify_receive_fd);
  close(worker.notify_send_fd);
  event_base_free(null); // the current base: main_base
  console.log("done");
  return 0;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
