/**
 * async/await over bufferevents and the awaitable accept (libevent-ts extensions), on bases that
 * run inside Node's loop (event_base_dispatch_async): real sockets against node:net peers in the
 * same process, once per backend for the main paths. Covers results and EOF, refused connects,
 * timeouts, resets, bufferevent_free/bufferevent_setcb rejecting what is pending, misuse,
 * watermarks and flow control, and a 20-client server written with await.
 */
import { connect, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, onTestFinished } from "vitest";
import type { event_base } from "libevent-ts/event2/event";
import {
  EV_READ, EV_WRITE, event_base_dispatch_async, event_base_free, event_base_loopbreak, event_base_new, event_free,
  evtimer_add, evtimer_new,
} from "libevent-ts/event2/event";
import type { bufferevent } from "libevent-ts/event2/bufferevent";
import {
  BEV_EVENT_EOF, BEV_EVENT_ERROR, BEV_EVENT_READING, BEV_EVENT_TIMEOUT, BEV_EVENT_WRITING, BEV_OPT_CLOSE_ON_FREE,
  BEV_OPT_DEFER_CALLBACKS, bufferevent_free, bufferevent_get_enabled, bufferevent_get_input, bufferevent_get_output,
  bufferevent_pair_new, bufferevent_read, bufferevent_read_async, bufferevent_readln_async, bufferevent_set_timeouts, bufferevent_setcb,
  bufferevent_setwatermark, bufferevent_socket_connect_async, bufferevent_socket_connect_hostname_async,
  bufferevent_socket_new, bufferevent_trigger, bufferevent_write, bufferevent_write_async, ev_async_error,
} from "libevent-ts/event2/bufferevent";
import { EVBUFFER_EOL_CRLF, EVBUFFER_EOL_LF, evbuffer_get_length } from "libevent-ts/event2/buffer";
import type { evconnlistener } from "libevent-ts/event2/listener";
import {
  LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_accept_async, evconnlistener_free,
  evconnlistener_get_fd, evconnlistener_new_bind, evconnlistener_set_cb,
} from "libevent-ts/event2/listener";
import {
  AF_INET, ECANCELED, ECONNREFUSED, ECONNRESET, EMSGSIZE, EPIPE, ETIMEDOUT, INADDR_LOOPBACK, evutil_closesocket,
  getpeername, getsockname, htonl, htons, ntohs, sizeof, sockaddr_in, timeval,
} from "libevent-ts/event2/util";
import { eachBackend, newBase } from "./helpers/backends.js";
import { freePort, payload } from "./helpers/children.js";
import { checkFdLeaks } from "./helpers/fds.js";

checkFdLeaks();

function addr(port: number): sockaddr_in {
  const sin = new sockaddr_in();
  sin.sin_family = AF_INET;
  sin.sin_port = htons(port);
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sin;
}

/** A node:net server on 127.0.0.1 that hands each connection to `onconn`; closed when the test ends. */
async function nodeServer(onconn: (s: Socket) => void): Promise<{ srv: Server; port: number; sockets: Socket[] }> {
  const sockets: Socket[] = [];
  const srv = createServer((s) => {
    sockets.push(s);
    s.on("error", () => {});
    onconn(s);
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  onTestFinished(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => srv.close(r));
  });
  return { srv, port: (srv.address() as { port: number }).port, sockets };
}

/**
 * Run `body` while `base` runs inside Node's loop (a long timer keeps the loop from ending while
 * the body awaits Node things), then stop the loop and free the base. The loop's own result must
 * be 0 (stopped by loopbreak) and nothing may be left pending.
 */
async function withLoop<T>(base: event_base, body: () => Promise<T>): Promise<T> {
  const keep = evtimer_new(base, () => {}, null)!;
  evtimer_add(keep, new timeval(600, 0));
  const loop = event_base_dispatch_async(base);
  try {
    return await body();
  } finally {
    event_base_loopbreak(base);
    event_free(keep);
    expect(await loop).toBe(0);
    event_base_free(base);
  }
}

/** An async call's rejection, as an ev_async_error (fails the test if it resolves). */
async function rejection(p: Promise<unknown>): Promise<ev_async_error> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ev_async_error);
    return e as ev_async_error;
  }
  throw new Error("the promise resolved; a rejection was expected");
}

/** Read until EOF with bufferevent_read_async, in chunks of `chunk` bytes. */
async function readAll(bev: bufferevent, chunk = 4096): Promise<Buffer> {
  const buf = new Uint8Array(chunk);
  const parts: Buffer[] = [];
  for (let n; (n = await bufferevent_read_async(bev, buf, chunk)) > 0; ) parts.push(Buffer.from(buf.subarray(0, n)));
  return Buffer.concat(parts);
}

async function connected(base: event_base, port: number, options = BEV_OPT_CLOSE_ON_FREE): Promise<bufferevent> {
  const bev = bufferevent_socket_new(base, -1, options)!;
  const sin = addr(port);
  await bufferevent_socket_connect_async(bev, sin, sizeof(sin));
  return bev;
}

eachBackend(() => {
  it("connect, write, read to EOF against a node:net server; a read after EOF resolves 0 at once", async () => {
    const { port } = await nodeServer((s) => s.on("data", (d) => s.end(d.toString().toUpperCase())));
    const base = newBase();
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      await bufferevent_write_async(bev, "hello, node", 11);
      expect(evbuffer_get_length(bufferevent_get_output(bev))).toBe(0);
      expect((await readAll(bev, 3)).toString()).toBe("HELLO, NODE");
      expect(await bufferevent_read_async(bev, new Uint8Array(8), 8)).toBe(0);
      bufferevent_free(bev);
    });
  });

  it("readln_async: lines without their EOL, null at EOF; an unterminated rest stays for read_async", async () => {
    const { port } = await nodeServer((s) => s.end("one\r\ntwo\nthree"));
    const base = newBase();
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_CRLF)).toBe("one");
      expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_CRLF)).toBe("two");
      expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_CRLF)).toBeNull();
      const buf = new Uint8Array(16);
      expect(await bufferevent_read_async(bev, buf, 16)).toBe(5);
      expect(Buffer.from(buf.subarray(0, 5)).toString()).toBe("three");
      expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_CRLF)).toBeNull();
      bufferevent_free(bev);
    });
  });

  it("a refused connect rejects with errno ECONNREFUSED and BEV_EVENT_ERROR; later calls report it too", async () => {
    const port = await freePort();
    const base = newBase();
    await withLoop(base, async () => {
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      const sin = addr(port);
      const e = await rejection(bufferevent_socket_connect_async(bev, sin, sizeof(sin)));
      expect(e.errno).toBe(ECONNREFUSED);
      expect(e.code).toBe("ECONNREFUSED");
      expect(e.events).toBe(BEV_EVENT_ERROR);
      expect(e.message).toBe("bufferevent_socket_connect_async: Connection refused (BEV_EVENT_ERROR)");
      expect((await rejection(bufferevent_read_async(bev, new Uint8Array(1), 1))).errno).toBe(ECONNREFUSED);
      expect((await rejection(bufferevent_write_async(bev, "x", 1))).errno).toBe(ECONNREFUSED);
      const bev2 = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      const e2 = await rejection(bufferevent_socket_connect_hostname_async(bev2, null, AF_INET, "127.0.0.1", port));
      expect(e2.errno).toBe(ECONNREFUSED);
      bufferevent_free(bev);
      bufferevent_free(bev2);
    });
  });

  it("a 20-client server written with await: accept, readln, write, until EOF", async () => {
    const base = newBase();
    const sin = addr(0);
    const lev = evconnlistener_new_bind(base, null, null, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
    expect(lev).not.toBeNull();
    const port = listenerPort(lev);
    const served: string[] = [];

    async function serve(fd: number): Promise<void> {
      const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE)!;
      try {
        for (let line; (line = await bufferevent_readln_async(bev, EVBUFFER_EOL_LF)) !== null; ) {
          served.push(line);
          const answer = `echo: ${line}\n`;
          await bufferevent_write_async(bev, answer, Buffer.byteLength(answer));
        }
      } finally {
        bufferevent_free(bev);
      }
    }

    await withLoop(base, async () => {
      const server = (async () => {
        const conns: Promise<void>[] = [];
        for (let i = 0; i < 20; i++) conns.push(serve(await evconnlistener_accept_async(lev)));
        await Promise.all(conns);
      })();
      // Half the clients are node:net sockets, half libevent bufferevents written with await.
      const nodeClient = (i: number) => new Promise<string>((resolve, reject) => {
        let got = "";
        const s = connect(port, "127.0.0.1", () => s.write(`node ${i}\nbye ${i}\n`));
        s.on("data", (d) => {
          got += d.toString();
          if (got.split("\n").length === 3) s.end();
        });
        s.on("end", () => resolve(got));
        s.on("error", reject);
      });
      const bevClient = async (i: number) => {
        const bev = await connected(base, port);
        await bufferevent_write_async(bev, `bev ${i}\n`, `bev ${i}\n`.length);
        const first = await bufferevent_readln_async(bev, EVBUFFER_EOL_LF);
        await bufferevent_write_async(bev, `bye ${i}\n`, `bye ${i}\n`.length);
        const second = await bufferevent_readln_async(bev, EVBUFFER_EOL_LF);
        bufferevent_free(bev);
        return `${first}\n${second}\n`;
      };
      const answers = await Promise.all([
        ...Array.from({ length: 10 }, (_, i) => nodeClient(i)),
        ...Array.from({ length: 10 }, (_, i) => bevClient(i)),
      ]);
      answers.forEach((a, i) => {
        const who = i < 10 ? `node ${i}` : `bev ${i - 10}`;
        expect(a).toBe(`echo: ${who}\necho: bye ${i % 10}\n`);
      });
      await server;
      expect(served.length).toBe(40);
      evconnlistener_free(lev);
    });
  });
});

function listenerPort(lev: evconnlistener): number {
  const bound = new sockaddr_in();
  const len = { value: sizeof(bound) };
  expect(getsockname(evconnlistener_get_fd(lev), bound, len)).toBe(0);
  return ntohs(bound.sin_port);
}

describe("errors and timeouts", () => {
  it("the read timeout rejects the pending read (ETIMEDOUT, READING|TIMEOUT); the next read enables reading again", async () => {
    let peer: Socket | null = null;
    const { port } = await nodeServer((s) => (peer = s));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      bufferevent_set_timeouts(bev, new timeval(0, 150_000), null);
      const t0 = Date.now();
      const e = await rejection(bufferevent_read_async(bev, new Uint8Array(4), 4));
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
      expect(e.errno).toBe(ETIMEDOUT);
      expect(e.events).toBe(BEV_EVENT_READING | BEV_EVENT_TIMEOUT);
      expect(bufferevent_get_enabled(bev) & EV_READ).toBe(0);
      bufferevent_set_timeouts(bev, null, null);
      const buf = new Uint8Array(4);
      const late = bufferevent_read_async(bev, buf, 4);
      expect(bufferevent_get_enabled(bev) & EV_READ).toBe(EV_READ);
      peer!.write("late");
      expect(await late).toBe(4);
      expect(Buffer.from(buf).toString()).toBe("late");
      bufferevent_free(bev);
    });
  });

  it("the write timeout rejects the pending write (ETIMEDOUT, WRITING|TIMEOUT) when the peer does not read", async () => {
    const { port } = await nodeServer((s) => s.pause());
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      bufferevent_set_timeouts(bev, null, new timeval(0, 200_000));
      const big = Buffer.alloc(32 << 20);
      const e = await rejection(bufferevent_write_async(bev, big, big.length));
      expect(e.errno).toBe(ETIMEDOUT);
      expect(e.events).toBe(BEV_EVENT_WRITING | BEV_EVENT_TIMEOUT);
      expect(evbuffer_get_length(bufferevent_get_output(bev))).toBeGreaterThan(0);
      bufferevent_free(bev);
    });
  });

  it("a reset connection rejects the read with ECONNRESET (READING|ERROR), and writes after it", async () => {
    const { port } = await nodeServer((s) => s.once("data", () => s.resetAndDestroy()));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      await bufferevent_write_async(bev, "x", 1);
      const e = await rejection(bufferevent_read_async(bev, new Uint8Array(4), 4));
      expect(e.errno).toBe(ECONNRESET);
      expect(e.events).toBe(BEV_EVENT_READING | BEV_EVENT_ERROR);
      expect((await rejection(bufferevent_readln_async(bev, EVBUFFER_EOL_LF))).errno).toBe(ECONNRESET);
      const w = await rejection(bufferevent_write_async(bev, "after", 5));
      expect(w.events & BEV_EVENT_WRITING).toBe(BEV_EVENT_WRITING);
      expect([EPIPE, ECONNRESET]).toContain(w.errno);
      bufferevent_free(bev);
    });
  });

  it("bufferevent_free rejects the pending connect, read and write with ECANCELED", async () => {
    const { port } = await nodeServer((s) => s.pause());
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      const sin = addr(port);
      const pending = bufferevent_socket_connect_async(bev, sin, sizeof(sin));
      bufferevent_free(bev);
      const c = await rejection(pending);
      expect(c.errno).toBe(ECANCELED);
      expect(c.events).toBe(0);
      expect(c.message).toBe("bufferevent_socket_connect_async: the bufferevent was freed");

      const bev2 = await connected(base, port);
      const big = Buffer.alloc(32 << 20);
      const r = bufferevent_read_async(bev2, new Uint8Array(1), 1);
      const w = bufferevent_write_async(bev2, big, big.length);
      await sleep(50);
      bufferevent_free(bev2);
      expect((await rejection(r)).message).toBe("bufferevent_read_async: the bufferevent was freed");
      expect((await rejection(w)).errno).toBe(ECANCELED);
    });
  });
});

describe("bufferevent_socket_connect_hostname_async", () => {
  it("resolves a name on a worker thread, then connects; the loop stays alive meanwhile", async () => {
    const { port } = await nodeServer((s) => s.end("by name\n"));
    const base = event_base_new()!;
    const loop = event_base_dispatch_async(base);
    const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
    // No other event on the base: only the lookup and then the connect keep the loop running.
    await bufferevent_socket_connect_hostname_async(bev, null, AF_INET, "localhost", port);
    expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_LF)).toBe("by name");
    bufferevent_free(bev);
    expect(await loop).toBe(1);
    event_base_free(base);
  });

  it("a bad port is refused at once: EINVAL", async () => {
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      const e = await rejection(bufferevent_socket_connect_hostname_async(bev, null, AF_INET, "localhost", 0));
      expect(e.code).toBe("EINVAL");
      bufferevent_free(bev);
    });
  });
});

describe("mixing with callbacks", () => {
  it("an async call on a bufferevent with callbacks is a TypeError; bufferevent_setcb takes it back, rejecting what is pending", async () => {
    const { port } = await nodeServer((s) => s.on("data", (d) => s.write(d)));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const withCbs = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE)!;
      bufferevent_setcb(withCbs, null, null, () => {}, null);
      expect(() => bufferevent_read_async(withCbs, new Uint8Array(1), 1)).toThrow(
        /^bufferevent_read_async: the bufferevent has callbacks \(bufferevent_setcb\)/);
      expect(() => bufferevent_write_async(withCbs, "x", 1)).toThrow(TypeError);
      bufferevent_free(withCbs);

      const bev = await connected(base, port);
      const pending = bufferevent_read_async(bev, new Uint8Array(1), 1);
      expect(() => bufferevent_read_async(bev, new Uint8Array(1), 1)).toThrow(
        "bufferevent_read_async: another read is pending on this bufferevent (one reader at a time)");
      expect(() => bufferevent_readln_async(bev, EVBUFFER_EOL_LF)).toThrow(TypeError);
      expect(() => bufferevent_read_async(bev, new Uint8Array(1), 0)).toThrow(RangeError);

      // Callbacks take over: the pending read is rejected, and the read callback gets the data.
      let echoed!: (text: string) => void;
      const viaCallback = new Promise<string>((r) => (echoed = r));
      bufferevent_setcb(bev, (b) => {
        const buf = new Uint8Array(64);
        echoed(Buffer.from(buf.subarray(0, bufferevent_read(b, buf, 64))).toString());
      }, null, null, null);
      const e = await rejection(pending);
      expect(e.errno).toBe(ECANCELED);
      expect(e.message).toBe("bufferevent_read_async: bufferevent_setcb replaced the callbacks");
      expect(() => bufferevent_write_async(bev, "x", 1)).toThrow(TypeError);
      bufferevent_write(bev, "by callback", 11);
      expect(await viaCallback).toBe("by callback");

      // And back: with the callbacks cleared, the async calls drive it again.
      bufferevent_setcb(bev, null, null, null, null);
      await bufferevent_write_async(bev, "again\n", 6);
      expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_LF)).toBe("again");
      bufferevent_free(bev);
    });
  });
});

describe("watermarks and flow control", () => {
  it("reading stops at the read high watermark while nobody reads, and resumes as the reads drain the input", async () => {
    const big = payload(1 << 20);
    const { port } = await nodeServer((s) => s.end(big));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      bufferevent_setwatermark(bev, EV_READ, 0, 4096);
      const one = new Uint8Array(1);
      expect(await bufferevent_read_async(bev, one, 1)).toBe(1);
      // Reading stays enabled; give the peer time to send everything it can.
      await sleep(200);
      const held = evbuffer_get_length(bufferevent_get_input(bev));
      expect(held).toBeGreaterThan(0);
      expect(held).toBeLessThanOrEqual(4096);
      const rest = await readAll(bev, 1000);
      expect(Buffer.concat([Buffer.from(one), rest]).equals(big)).toBe(true);
      bufferevent_free(bev);
    });
  });

  it("callbacks set after a pause at the high watermark find reading enabled, and get the rest", async () => {
    const data = payload(64 << 10);
    const { port } = await nodeServer((s) => s.end(data));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      bufferevent_setwatermark(bev, EV_READ, 0, 1024);
      const first = new Uint8Array(1);
      expect(await bufferevent_read_async(bev, first, 1)).toBe(1);
      await sleep(100);
      expect(evbuffer_get_length(bufferevent_get_input(bev))).toBe(1024);
      expect(bufferevent_get_enabled(bev) & EV_READ).toBe(0);
      const parts: Buffer[] = [Buffer.from(first)];
      let eof!: () => void;
      const ended = new Promise<void>((r) => (eof = r));
      const buf = new Uint8Array(4096);
      bufferevent_setcb(bev, (b) => {
        parts.push(Buffer.from(buf.subarray(0, bufferevent_read(b, buf, 4096))));
      }, null, (_b, what) => {
        if (what & BEV_EVENT_EOF) eof();
      }, null);
      expect(bufferevent_get_enabled(bev) & EV_READ).toBe(EV_READ);
      // The input is full: as in libevent, the callbacks hear of it once something triggers them.
      bufferevent_trigger(bev, EV_READ, 0);
      await ended;
      expect(Buffer.concat(parts).equals(data)).toBe(true);
      bufferevent_free(bev);
    });
  });

  it("the read low watermark: a read waits for that many bytes, but takes less at EOF", async () => {
    let peer: Socket | null = null;
    const { port } = await nodeServer((s) => (peer = s));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      bufferevent_setwatermark(bev, EV_READ, 10, 0);
      const buf = new Uint8Array(64);
      let done = false;
      const r = bufferevent_read_async(bev, buf, 64).then((n) => {
        done = true;
        return n;
      });
      await sleep(30);
      peer!.write("12345");
      await sleep(100);
      expect(done).toBe(false);
      peer!.write("67890");
      expect(await r).toBe(10);
      expect(Buffer.from(buf.subarray(0, 10)).toString()).toBe("1234567890");
      peer!.end("abc");
      expect(await bufferevent_read_async(bev, buf, 64)).toBe(3);
      expect(await bufferevent_read_async(bev, buf, 64)).toBe(0);
      bufferevent_free(bev);
    });
  });

  it("readln_async rejects with EMSGSIZE when the input reaches the high watermark without an end of line", async () => {
    const { port } = await nodeServer((s) => s.write("x".repeat(100)));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      bufferevent_setwatermark(bev, EV_READ, 0, 64);
      const e = await rejection(bufferevent_readln_async(bev, EVBUFFER_EOL_LF));
      expect(e.errno).toBe(EMSGSIZE);
      expect(e.events).toBe(BEV_EVENT_READING | BEV_EVENT_ERROR);
      expect(evbuffer_get_length(bufferevent_get_input(bev))).toBe(64);
      bufferevent_free(bev);
    });
  });

  it("write_async waits while the peer does not read, and resolves once it does; writers share one promise", async () => {
    let peer: Socket | null = null;
    const { port } = await nodeServer((s) => {
      peer = s;
      s.pause();
    });
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port);
      const big = payload(16 << 20);
      let done = false;
      const w1 = bufferevent_write_async(bev, big.subarray(0, 8 << 20), 8 << 20);
      const w2 = bufferevent_write_async(bev, big.subarray(8 << 20), 8 << 20);
      expect(w2).toBe(w1);
      void w1.then(() => (done = true));
      await sleep(200);
      expect(done).toBe(false);
      expect(evbuffer_get_length(bufferevent_get_output(bev))).toBeGreaterThan(0);
      const got: Buffer[] = [];
      let n = 0;
      peer!.on("data", (d: Buffer) => {
        got.push(d);
        n += d.length;
      });
      peer!.resume();
      await w1;
      expect(evbuffer_get_length(bufferevent_get_output(bev))).toBe(0);
      while (n < big.length) await sleep(10);
      expect(Buffer.concat(got).equals(big)).toBe(true);
      // With a write low watermark, it resolves as soon as the output is down to it.
      bufferevent_setwatermark(bev, EV_WRITE, 1 << 20, 0);
      await bufferevent_write_async(bev, big.subarray(0, 1000), 1000);
      bufferevent_free(bev);
    });
  });

  it("BEV_OPT_DEFER_CALLBACKS bufferevents and pairs work the same way", async () => {
    const { port } = await nodeServer((s) => s.on("data", (d) => s.end(d)));
    const base = event_base_new()!;
    await withLoop(base, async () => {
      const bev = await connected(base, port, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
      await bufferevent_write_async(bev, "deferred\n", 9);
      expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_LF)).toBe("deferred");
      expect(await bufferevent_readln_async(bev, EVBUFFER_EOL_LF)).toBeNull();
      bufferevent_free(bev);

      const pair: (bufferevent | null)[] = [null, null];
      expect(bufferevent_pair_new(base, 0, pair)).toBe(0);
      const [a, b] = pair as bufferevent[];
      const line = bufferevent_readln_async(b!, EVBUFFER_EOL_LF);
      await bufferevent_write_async(a!, "through the pair\n", 17);
      expect(await line).toBe("through the pair");
      bufferevent_free(a!);
      bufferevent_free(b!);
    });
  });
});

describe("evconnlistener_accept_async", () => {
  it("connections made before anyone awaits are queued and handed out in order", async () => {
    const base = event_base_new()!;
    const sin = addr(0);
    const lev = evconnlistener_new_bind(base, null, null, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
    const port = listenerPort(lev);
    await withLoop(base, async () => {
      const first = evconnlistener_accept_async(lev);
      expect(() => evconnlistener_accept_async(lev)).toThrow("evconnlistener_accept_async: an accept is already pending on this listener");
      const clients: Socket[] = [];
      for (let i = 0; i < 3; i++) {
        const s = connect(port, "127.0.0.1");
        s.on("error", () => {});
        await new Promise((r) => s.once("connect", r));
        clients.push(s);
      }
      const fds = [await first, await evconnlistener_accept_async(lev), await evconnlistener_accept_async(lev)];
      const peers = fds.map((fd) => {
        const peer = new sockaddr_in();
        expect(getpeername(fd, peer, { value: sizeof(peer) })).toBe(0);
        return ntohs(peer.sin_port);
      });
      expect(peers).toEqual(clients.map((s) => s.localPort));
      for (const fd of fds) evutil_closesocket(fd);
      for (const s of clients) s.destroy();

      // Freeing the listener rejects the pending accept.
      const pending = evconnlistener_accept_async(lev);
      evconnlistener_free(lev);
      const e = await rejection(pending);
      expect(e.errno).toBe(ECANCELED);
      expect(e.message).toBe("evconnlistener_accept_async: the listener was freed");
    });
  });

  it("a listener with a callback is a TypeError; evconnlistener_set_cb takes it back", async () => {
    const base = event_base_new()!;
    const sin = addr(0);
    const lev = evconnlistener_new_bind(base, () => {}, null, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin))!;
    await withLoop(base, async () => {
      expect(() => evconnlistener_accept_async(lev)).toThrow(/^evconnlistener_accept_async: the listener has a callback/);
      evconnlistener_set_cb(lev, null, null);
      const pending = evconnlistener_accept_async(lev);
      evconnlistener_set_cb(lev, (_l, fd) => evutil_closesocket(fd), null);
      expect((await rejection(pending)).message).toBe("evconnlistener_accept_async: evconnlistener_set_cb replaced the callback");
      evconnlistener_free(lev);
    });
  });
});
