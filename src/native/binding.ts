/**
 * The TypeScript face of the native addon (native/: a prebuilt binary from prebuilds/, or one
 * built by node-gyp at install).
 *
 * The addon is thin on purpose: integer arguments, integer results, `-errno` on failure, no
 * allocation per call. Result arrays are registered once; byte transfers read and write straight
 * into caller-owned Uint8Arrays, or into memory registered by number (evbuffer's chains: see
 * mem.ts). A wrong argument (an fd that is not an integer, a negative length, a length beyond the
 * Uint8Array given) throws a TypeError/RangeError from the addon; nothing it is given can crash
 * the process, with one promise left to the caller: memory registered by number (memRegister) and
 * lists registered pinned are memory the addon keeps pointers into, so they must stay alive while
 * used and never be detached (the library makes them itself and marks them untransferable). All
 * libevent logic lives in TypeScript; the addon calls back into JavaScript only to run a pass of
 * an async loop (loopStart), never from inside a wait.
 *
 * @internal
 * @module
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

/**
 * Constants of this platform's C headers, read by the addon at load time. A name the platform does
 * not define reads as 0, except SOCK_NONBLOCK/SOCK_CLOEXEC: where the headers lack them (macOS),
 * they are private flags that socket, socketpair and accept emulate with fcntl, as libevent's
 * EVUTIL_SOCK_NONBLOCK/EVUTIL_SOCK_CLOEXEC are.
 */
export interface NativeConstants {
  // socket domains, types and flags
  AF_UNSPEC: number; AF_INET: number; AF_INET6: number; AF_UNIX: number;
  SOCK_STREAM: number; SOCK_DGRAM: number; SOCK_NONBLOCK: number; SOCK_CLOEXEC: number;
  IPPROTO_TCP: number; IPPROTO_UDP: number; IPPROTO_IPV6: number;
  SOL_SOCKET: number; SO_REUSEADDR: number; SO_REUSEPORT: number; SO_KEEPALIVE: number;
  SO_ERROR: number; SO_SNDBUF: number; SO_RCVBUF: number; SO_TYPE: number; SO_LINGER: number;
  TCP_NODELAY: number; TCP_DEFER_ACCEPT: number; IPV6_V6ONLY: number;
  SHUT_RD: number; SHUT_WR: number; SHUT_RDWR: number;
  MSG_NOSIGNAL: number; MSG_PEEK: number; MSG_DONTWAIT: number;
  // open(2)/fcntl(2)
  O_RDONLY: number; O_WRONLY: number; O_RDWR: number; O_NONBLOCK: number; O_CLOEXEC: number;
  O_CREAT: number; O_TRUNC: number; O_APPEND: number;
  // limits
  FD_SETSIZE: number; IOV_MAX: number; NSIG: number;
  // getaddrinfo(3) error codes and flags, as this libc defines them
  EAI_ADDRFAMILY: number; EAI_AGAIN: number; EAI_BADFLAGS: number; EAI_FAIL: number;
  EAI_FAMILY: number; EAI_MEMORY: number; EAI_NODATA: number; EAI_NONAME: number;
  EAI_SERVICE: number; EAI_SOCKTYPE: number; EAI_SYSTEM: number;
  AI_PASSIVE: number; AI_CANONNAME: number; AI_NUMERICHOST: number; AI_NUMERICSERV: number;
  AI_V4MAPPED: number; AI_ALL: number; AI_ADDRCONFIG: number;
  /** readSized's "not read" results are -(READ_SIZED_WANTS + the size it wanted). */
  READ_SIZED_WANTS: number;
  /** What the mem* calls return, having done nothing, when a memory number is not registered. */
  MEM_UNKNOWN: number;
  /** The most extents of one memReadv/memWritev. */
  MEM_IOV: number;
  /** memArgs()'s length: the fd, a count, then (number, offset, length) per extent. */
  MEM_ARGS: number;
}

/** One result of getaddrinfo(3). `addr` holds the C `struct sockaddr` bytes (`addrlen` of them). */
export interface NativeAddrinfo {
  flags: number;
  family: number;
  socktype: number;
  protocol: number;
  addr: Uint8Array;
  canonname: string | null;
}

/**
 * The addon's exports. Every function returning `number` returns its result (>= 0) or `-errno`.
 * Misuse throws, naming the function and the argument (`read: fd must be a non-negative integer,
 * got -1`): a TypeError for a value of the wrong type (a string fd, an Int32Array where a
 * Uint8Array is due), a RangeError for a number out of range (a negative or fractional fd, length
 * or offset; an extent beyond its Uint8Array: `write: off + len (70) exceeds the buffer (64)`).
 * Byte arguments are Uint8Arrays (Buffers included).
 */
export interface NativeBinding {
  readonly constants: NativeConstants;

  // ---- backends: one small interface per mechanism, shaped like libevent's struct eventop ----

  /** The compiled-in backends in libevent's preference order, e.g. ["epoll", "poll", "select"]. */
  methods(): string[];
  /**
   * EV_FEATURE_* mask of a compiled-in backend (epoll: ET|O1|EARLY_CLOSE; poll: FDS|EARLY_CLOSE
   * where POLLRDHUP exists; select: FDS; kqueue: ET|O1|FDS, as in libevent 2.1). -1 if unknown.
   */
  methodFeatures(name: string): number;
  /**
   * Create a backend instance (`eventop.init`). `flags` may hold EVENT_BASE_FLAG_PRECISE_TIMER
   * (0x20: epoll then waits with microsecond precision through a timerfd). Returns a handle >= 0,
   * or -errno when the mechanism cannot be initialised. A name not in methods() is a RangeError.
   * Freed handles are reused; a handle that is not live is a RangeError in every backend call.
   */
  backendNew(name: string, flags: number): number;
  /**
   * Start watching `events` on `fd` (`eventop.add`). `old` is what was already watched on that fd;
   * masks use libevent's bits: EV_READ 0x02, EV_WRITE 0x04, EV_ET 0x20, EV_CLOSED 0x80.
   * Other bits are a RangeError. select refuses fd >= FD_SETSIZE with a RangeError. epoll keeps
   * the registration edge-triggered while `old` or `events` has EV_ET. Returns 0 or -errno.
   */
  backendAdd(h: number, fd: number, old: number, events: number): number;
  /** Stop watching `events` on `fd`, of `old` (`eventop.del`). Returns 0 or -errno. */
  backendDel(h: number, fd: number, old: number, events: number): number;
  /**
   * Wait at most `timeoutUs` microseconds (-1: no limit; 0: poll) for readiness (`eventop.dispatch`).
   * Writes (fd, what) pairs into the registered ready list, `what` already mapped to libevent's bits
   * as libevent's backends map them (epoll: EPOLLERR and EPOLLHUP without RDHUP -> READ|WRITE,
   * RDHUP -> CLOSED, and EV_ET on every result; poll: HUP/ERR/NVAL -> READ|WRITE, RDHUP -> CLOSED;
   * select: READ/WRITE; kqueue: READ/WRITE, and EV_ET on every result). At most (ready list
   * length / 2) pairs: poll and select leave further ready fds for the next dispatch (they are
   * level-triggered), epoll and kqueue ask the kernel for no more. `timeoutUs` is -1 or an
   * integer >= 0 (RangeError otherwise); epoll and poll round it up to milliseconds. Returns the
   * number of pairs, 0 on EINTR (a signal is an ordinary empty return), or -errno. An Error if no
   * ready list is registered. Before it waits, makes the first `nchanges` changes of the
   * registered change list as backendApply does; `nchanges` is required (0: none) and checked as
   * backendApply checks it. With `clock` 1 (CLOCK_MONOTONIC_COARSE) or 2 (CLOCK_MONOTONIC), it
   * also reads that clock after the wait and writes the µs into the list's last pair (low 32 bits,
   * then the high ones), which then holds no result; 0 or absent reads none.
   */
  backendDispatch(h: number, timeoutUs: number, nchanges: number, clock?: number): number;
  /**
   * backendDispatch with its arguments in memArgs() (mem.ts): [0] h, [1] timeoutUs, [2] nchanges,
   * [3] clock (0 for none); each checked as backendDispatch checks it (a RangeError).
   */
  backendDispatchArgs(): number;
  /**
   * Make the first `nchanges` changes of the registered change list on backend `h`, in order, as
   * backendAdd/backendDel would (backendDispatch does the same before it waits). Each change is
   * four ints (fd, old, events, kind: 1 add, 0 del, 2 set the fd's interest from `old` to
   * `events` in one step, epoll only: a changelist's coalesced change); the addon replaces `kind`
   * by the change's result, 0 or -errno (-EINVAL for a change no add, del or set would accept). `nchanges` is an
   * integer from 0 to the list's capacity (RangeError), and needs a registered list (Error).
   */
  backendApply(h: number, nchanges: number): void;
  /** The backend's own fd (epoll fd), or -1 where it has none (poll, select). */
  backendFd(h: number): number;
  /** Release a backend instance (`eventop.dealloc`). */
  backendFree(h: number): void;
  /**
   * Register the array that backendDispatch fills with (fd, what) pairs; kept (referenced) until
   * replaced. It must hold at least 2 elements (RangeError). Unless `pinned`, the addon keeps no
   * pointer into it: each dispatch fetches its memory and length anew, and throws a RangeError if
   * the buffer has since been detached (transferred) or shrunk below one pair. `pinned` true is
   * the library's promise that the buffer can never be detached (mem.ts's pinnedList): the addon
   * then keeps its memory from registration on.
   */
  setReadyList(list: Int32Array, pinned?: boolean): void;
  /**
   * Register backend h's change list, that backendApply and backendDispatch read for h (4 ints a
   * change, at least one change: RangeError), with the same rules as setReadyList, `pinned`
   * included. Released with the backend.
   */
  setChangeList(h: number, list: Int32Array, pinned?: boolean): void;

  // ---- the async loop: a backend inside Node's libuv loop (native/uvloop.c) ----

  /**
   * Run backend `h` inside Node's libuv loop: from now on `pass()` is called (through
   * napi_make_callback, so promise continuations run after it) in the next loop iteration, then
   * whenever the backend has something to report (a uv_poll on its fd; for poll and select, on a
   * private epoll mirroring their interest set) or the timeout `pass` returned has elapsed.
   * `pass` returns the next timeout in microseconds, -1 for none, or -2 once the loop has ended
   * (after calling loopStop). While running, the handles keep the process alive. Returns 0 or
   * -errno (-ENOSYS: no way to wait for this backend here). An Error if it already runs; a
   * TypeError if `pass` is not a function.
   */
  loopStart(h: number, pass: () => number): number;
  /** Have the running loop of backend `h` make a pass in the next loop iteration (nothing if it does not run). */
  loopWake(h: number): void;
  /** Stop the loop of backend `h`: its handles no longer keep the process alive, `pass` is released. */
  loopStop(h: number): void;

  // ---- signals: libevent's evsig, a sigaction handler writing the signal number to a socket ----

  /**
   * The fd the handler writes one byte (the signal number) to; -1 to write nowhere. It should be
   * nonblocking: a handler must never block. The handler and this fd are process-wide, shared by
   * every thread; the fd belongs to the calling thread's instance, and is forgotten when that
   * thread ends. Returns once no handler still writes to the previous fd.
   */
  sigSetWakeFd(fd: number): void;
  /**
   * Stop writing to `fd` if it is the wake fd now (another thread's base may have taken over the
   * signals since): 1 if it was, 0 if not. Returns once no handler still writes to it, so that
   * it can be closed.
   */
  sigReleaseWakeFd(fd: number): number;
  /**
   * Install the handler for `sig` (SA_RESTART, every signal blocked while it runs). Installs are
   * counted process-wide, whichever thread makes them: the first saves the previous disposition,
   * each one installs the handler again (a process.on(sig) may have replaced it). `sig` outside
   * 0..NSIG-1 is a RangeError. 0 or -errno (-EINVAL for 0, SIGKILL and SIGSTOP, as sigaction
   * answers). One owner per signal: a later process.on(sig) replaces ours.
   */
  sigInstall(sig: number): number;
  /**
   * Give back one install of `sig` made by this thread; the last install of the process restores
   * the saved disposition. 0 or -errno (0 if this thread holds no install of `sig`). A thread that
   * ends gives back every install it holds.
   */
  sigRestore(sig: number): number;

  // ---- byte transfers ----

  read(fd: number, buf: Uint8Array, off: number, len: number): number;
  /** readv(2) into `n` extents: bufs[i] from offLen[2i] for offLen[2i+1] bytes; n <= IOV_MAX. */
  readv(fd: number, bufs: readonly Uint8Array[], offLen: Int32Array, n: number): number;
  write(fd: number, buf: Uint8Array, off: number, len: number): number;
  /** writev(2) of `n` extents: bufs[i] from offLen[2i] for offLen[2i+1] bytes; n <= IOV_MAX. */
  writev(fd: number, bufs: readonly Uint8Array[], offLen: Int32Array, n: number): number;
  send(fd: number, buf: Uint8Array, off: number, len: number, flags: number): number;
  recv(fd: number, buf: Uint8Array, off: number, len: number, flags: number): number;
  /** sendfile(2) of `len` bytes of `inFd` starting at `offset` to `outFd`. */
  sendfile(outFd: number, inFd: number, offset: number, len: number): number;
  /** Bytes ready to read (ioctl FIONREAD). */
  fionread(fd: number): number;
  /**
   * evbuffer_read's sizing and its read in one call. The size is what FIONREAD reports on `fd`,
   * cut to `max`, or `max` when FIONREAD fails or reports 0. If the size fits buf[off, off + len),
   * that many bytes are read there: the read's result (bytes, 0 at end of file) or -errno.
   * Otherwise nothing is read and the result is -(constants.READ_SIZED_WANTS + size), so that the
   * caller can make room without asking FIONREAD again. `max` is an integer from 1 to
   * READ_SIZED_WANTS - 1 (RangeError).
   */
  readSized(fd: number, buf: Uint8Array, off: number, len: number, max: number): number;

  // ---- reads and writes of registered memory (native/mem.c) ----
  // Arguments go in memArgs(): [0] the fd, [1] a count or max, then (number, offset, length) per
  // extent from [2]. Each returns as its plain counterpart does, or constants.MEM_UNKNOWN (nothing
  // done) when a memory number is not registered. A triple that is not one (a number outside
  // [1, 2^53], an extent beyond its memory) or a bad fd or count throws a RangeError.

  /** The argument block: a Float64Array of constants.MEM_ARGS numbers, the same one every call. */
  memArgs(): Float64Array;
  /** From now on, number `id` (an integer in [1, 2^53], never reused) is `buf`'s memory. */
  memRegister(id: number, buf: Uint8Array): number;
  /** read(2) of fd [0] into the extent at [2]. */
  memRead(): number;
  /** write(2) to fd [0] of the extent at [2]. */
  memWrite(): number;
  /** readv(2) of fd [0] into the [1] extents at [2], [5], ... (at most constants.MEM_IOV). */
  memReadv(): number;
  /** writev(2) to fd [0] of the [1] extents at [2], [5], ... (at most constants.MEM_IOV). */
  memWritev(): number;
  /** readSized on fd [0] with max [1], into the extent at [2]. */
  memReadSized(): number;
  /** accept4(2) on fd [0] with flags [1], the peer's address into the extent at [2]; its length goes to [1]. */
  memAccept(): number;
  /** read(2) of fd [0] into buf[[1], [1] + [2]) (a RangeError if that is not inside buf). */
  memReadBuf(buf: Uint8Array): number;
  /** write(2) to fd [0] of buf[[1], [1] + [2]) (a RangeError if that is not inside buf). */
  memWriteBuf(buf: Uint8Array): number;
  /**
   * The text before the first LF in the extent at [2] (before the CR ending it too when [1] is 1),
   * decoded as UTF-8; the LF's offset in the extent goes to [1], the text's length in bytes to [0].
   * -1 when there is no LF there.
   */
  memLine(): string | number;

  // ---- descriptors ----

  close(fd: number): number;
  /** pipe2(2); fills out[0] (read end) and out[1] (write end). `flags`: O_NONBLOCK|O_CLOEXEC. */
  pipe2(out: Int32Array | number[], flags: number): number;
  /** socketpair(2); fills out[0] and out[1]. `type` may include SOCK_NONBLOCK|SOCK_CLOEXEC. */
  socketpair(domain: number, type: number, protocol: number, out: Int32Array | number[]): number;
  /** 1 if the fd is in nonblocking mode (O_NONBLOCK), 0 if not, or -errno (e.g. EBADF). */
  isNonblock(fd: number): number;
  setNonblock(fd: number): number;
  setCloexec(fd: number): number;
  /** open(2) */
  open(path: string, flags: number, mode: number): number;
  /** mkfifo(3) */
  mkfifo(path: string, mode: number): number;

  // ---- sockets; addresses are C struct sockaddr bytes ----

  socket(domain: number, type: number, protocol: number): number;
  bind(fd: number, addr: Uint8Array, addrlen: number): number;
  connect(fd: number, addr: Uint8Array, addrlen: number): number;
  listen(fd: number, backlog: number): number;
  /** accept4(2); the peer address goes into addrOut, its length into lenOut[0]. `flags`: SOCK_NONBLOCK|SOCK_CLOEXEC. */
  accept(fd: number, flags: number, addrOut: Uint8Array, lenOut: Int32Array): number;
  getsockname(fd: number, addrOut: Uint8Array, lenOut: Int32Array): number;
  getpeername(fd: number, addrOut: Uint8Array, lenOut: Int32Array): number;
  /**
   * getsockopt(2) of an int option; the value goes into out[0]. SO_LINGER, the one struct
   * option, reads as its l_linger seconds, or -1 when l_onoff is 0.
   */
  getsockopt(fd: number, level: number, name: number, out: Int32Array): number;
  /** setsockopt(2) of an int option. SO_LINGER: `value` >= 0 sets l_onoff = 1, l_linger = value; -1 turns it off. */
  setsockopt(fd: number, level: number, name: number, value: number): number;
  shutdown(fd: number, how: number): number;

  // ---- name resolution ----

  /**
   * Blocking getaddrinfo(3). Returns the results, or the (nonzero) EAI_* code. A node or service
   * longer than 1024 bytes is a RangeError.
   */
  getaddrinfo(node: string | null, service: string | null, flags: number, family: number,
              socktype: number, protocol: number): NativeAddrinfo[] | number;
  /**
   * Start getaddrinfo(3) on a worker thread; when done, the thread writes one byte to `wakeFd`
   * (never blocking: a full wake fd already has a wake-up pending), unless the request was
   * cancelled. Returns a request id >= 0 (or -errno if no thread could be started).
   */
  gaiStart(node: string | null, service: string | null, flags: number, family: number,
           socktype: number, protocol: number, wakeFd: number): number;
  /**
   * The result of a finished request (then forgotten: its id may be reused), or undefined while it
   * runs. An id that is not pending is a RangeError.
   */
  gaiCollect(id: number): NativeAddrinfo[] | number | undefined;
  /** Forget a request; its result is dropped when the thread ends. An id that is not pending is a RangeError. */
  gaiCancel(id: number): void;

  // ---- threads: what each thread's instance owns, and notify queues between threads ----

  /**
   * Make `fd` one of the fds this thread's library owns for its own use (a signal pipe, a wake
   * pipe): closed when the thread's environment ends, if still owned. 0, or -ENOMEM.
   */
  fdOwn(fd: number): number;
  /** Forget `fd` as owned (before the library closes it itself): 1 if it was owned, else 0. */
  fdDisown(fd: number): number;
  /** How many fds this thread's library owns. */
  fdsOwned(): number;
  /**
   * The stop watch of this thread (a worker's: readable when Node asks the worker to stop; see
   * native/instance.c), or -1 in the main thread. Blocking dispatches wait on it as well.
   */
  stopWatchFd(): number;
  /**
   * A new notify queue owned by this thread: its process-wide id (>= 0), or -errno (-EMFILE when
   * 4096 queues are live). `flags`: 0, or 1 (EVTHREAD_NOTIFY_FDS: messages are fds, closed by the
   * queue if it is freed before delivering them). Other bits are a RangeError.
   */
  notifyNew(flags: number): number;
  /** The fd that turns readable when messages are waiting; -EPERM for another thread's queue, -EBADF for no live queue. */
  notifyFd(id: number): number;
  /** Append one int32 message to queue `id`, from any thread, waking its owner. 0, or -EPIPE (no live queue), -ENOBUFS, -ENOMEM. */
  notifySend(id: number, msg: number): number;
  /** Append msgs[0, n) as one contiguous batch, from any thread. As notifySend; n beyond msgs is a RangeError. */
  notifySendv(id: number, msgs: Int32Array, n: number): number;
  /**
   * Take up to out.length messages, oldest first, into `out` (at least 1 element): how many, or
   * -EPERM/-EBADF as notifyFd. Empties the wake fd first; if messages are left over, the fd is
   * made readable again.
   */
  notifyRecv(id: number, out: Int32Array): number;
  /** How many messages wait in queue `id` (any thread), or -EBADF. */
  notifyPending(id: number): number;
  /** Free this thread's queue `id`: its fd is closed, undelivered messages dropped (fds closed with EVTHREAD_NOTIFY_FDS). 0, -EPERM or -EBADF. */
  notifyFree(id: number): number;

  // ---- clocks and texts ----

  /** CLOCK_MONOTONIC_COARSE (precise = 0) or CLOCK_MONOTONIC (precise = 1), in microseconds. */
  monotonicUs(precise: number): number;
  /** CLOCK_REALTIME in microseconds since the epoch. */
  realtimeUs(): number;
  strerror(errnum: number): string;
  gaiStrerror(code: number): string;
}

const require = createRequire(import.meta.url);

/**
 * Find and load the addon, as node-gyp-build finds it in the package root (this file is
 * dist/native/binding.js, or src/native/binding.ts in the tests): a local build
 * (build/Release/libevent_native.node, made by node-gyp: the install script makes one only where
 * no prebuild loads, a developer after changing native/), else the prebuild for this platform and
 * architecture (prebuilds/<platform>-<arch>/, N-API: one binary for every Node version). No
 * addon at all, or one that does not load here, is one Error saying what to do.
 */
function loadAddon(): NativeBinding {
  const root = fileURLToPath(new URL("../../", import.meta.url));
  const where = `${process.platform}-${process.arch}`;
  try {
    const nodeGypBuild = require("node-gyp-build") as (dir: string) => unknown;
    return nodeGypBuild(root) as NativeBinding;
  } catch (err) {
    const why = (err instanceof Error ? err.message : String(err)).trim().split("\n")[0];
    throw new Error(
      `libevent-ts: no native addon loads on ${where} (Node ${process.version}): ${why}. ` +
        "The package ships a prebuilt addon for linux-x64 (glibc 2.34 or later); anywhere else it " +
        "compiles one when it is installed, which needs install scripts enabled and a C compiler, make " +
        "and python3 (node-gyp). Install those, then run `npm rebuild libevent-ts` (pnpm: allow its " +
        "build with `pnpm approve-builds`, then `pnpm rebuild libevent-ts`).",
      { cause: err },
    );
  }
}

/** The loaded addon. */
export const native: NativeBinding = loadAddon();
