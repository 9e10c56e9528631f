/*
 * This sample code shows how to use Libevent to read from a named pipe.
 * XXX This code could make better use of the Libevent interfaces.
 *
 * libevent's sample/event-read-fifo.c, statement by statement (its UNIX branch): it makes
 * "event.fifo" in the current directory and prints what is written to it, until the writer
 * closes it or SIGINT arrives.
 */

import { lstatSync } from "node:fs";
import type { event, event_base } from "libevent-ts/event2/event";
import {
  EV_PERSIST, EV_READ, event_add, event_base_dispatch, event_base_free, event_base_loopbreak, event_base_new,
  event_del, event_get_base, event_new, event_self_cbarg, evsignal_new, libevent_global_shutdown,
} from "libevent-ts/event2/event";
import type { evutil_socket_t } from "libevent-ts/event2/util";
import {
  EEXIST, O_NONBLOCK, O_RDONLY, SIGINT, close, errno, evutil_snprintf, mkfifo, open, read, strerror, unlink,
} from "libevent-ts/event2/util";

const decoder = new TextDecoder();

/** `fprintf(stderr, fmt, ...)`, with libevent's printf (evutil_snprintf: `%p` prints an object's id). */
function fprintf_stderr(fmt: string, ...args: unknown[]): void {
  const line = new Uint8Array(512);
  const n = evutil_snprintf(line, line.length, fmt, ...args);
  process.stderr.write(line.subarray(0, Math.min(n, line.length - 1)));
}

function fifo_read(fd: evutil_socket_t, event: number, arg: event): void {
  const buf = new Uint8Array(255);
  let len: number;
  const ev = arg;

  fprintf_stderr("fifo_read called with fd: %d, event: %d, arg: %p\n",
    fd, event, arg);
  len = read(fd, buf, buf.length - 1);

  if (len <= 0) {
    if (len === -1)
      console.error(`read: ${strerror(errno)}`);
    else if (len === 0)
      process.stderr.write("Connection closed\n");
    event_del(ev);
    event_base_loopbreak(event_get_base(ev));
    return;
  }

  process.stdout.write(`Read: ${decoder.decode(buf.subarray(0, len))}\n`);
}

/* On Unix, cleanup event.fifo if SIGINT is received. */
function signal_cb(fd: evutil_socket_t, event: number, arg: event_base): void {
  const base = arg;
  event_base_loopbreak(base);
}

function main(argc: number, argv: string[]): number {
  let evfifo: event | null;
  let base: event_base | null;
  let signal_int: event | null;
  const fifo = "event.fifo";
  let socket: number;

  try {
    if (lstatSync(fifo).isFile()) {
      console.error(`lstat: ${strerror(EEXIST)}`);
      process.exit(1);
    }
  } catch {
    /* no such file: fine */
  }

  unlink(fifo);
  if (mkfifo(fifo, 0o600) === -1) {
    console.error(`mkfifo: ${strerror(errno)}`);
    process.exit(1);
  }

  socket = open(fifo, O_RDONLY | O_NONBLOCK, 0);

  if (socket === -1) {
    console.error(`open: ${strerror(errno)}`);
    process.exit(1);
  }

  process.stderr.write(`Write data to ${fifo}\n`);
  /* Initialize the event library */
  base = event_base_new()!;

  /* Initialize one event */
  /* catch SIGINT so that event.fifo can be cleaned up */
  signal_int = evsignal_new(base, SIGINT, signal_cb, base)!;
  event_add(signal_int, null);

  evfifo = event_new(base, socket, EV_READ | EV_PERSIST, fifo_read,
    event_self_cbarg())!;

  /* Add it to the active events, without a timeout */
  event_add(evfifo, null);

  event_base_dispatch(base);
  event_base_free(base);
  close(socket);
  unlink(fifo);
  libevent_global_shutdown();
  return (0);
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
