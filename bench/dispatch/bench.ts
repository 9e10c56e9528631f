/**
 * Dispatch benchmark: bench.c ported statement by statement to libevent-ts.
 *
 * num_pipes AF_UNIX socketpairs, one persistent EV_READ event on each. A run writes one byte into
 * num_active pairs spread evenly over all of them; every read callback reads its byte and, while
 * writes remain, writes one byte into the next pair. The time of the loop
 * `event_base_loop(EVLOOP_ONCE | EVLOOP_NONBLOCK)` until every byte written has been read is the
 * cost of activating a few events among many idle ones. 25 runs, one line of microseconds each.
 *
 * node --import tsx bench/dispatch/bench.ts [-n num_pipes] [-a num_active] [-w num_writes] [-m method] [-l]
 *
 * Where the C program calls setrlimit(RLIMIT_NOFILE), Node has no such call: run it under a
 * shell that raised the limit (`sh -c "ulimit -n 20050; exec node ..."`), as bench/dispatch/run.ts does.
 */
import {
  EV_PERSIST,
  EV_READ,
  EVLOOP_NONBLOCK,
  EVLOOP_ONCE,
  event,
  event_add,
  event_assign,
  event_base,
  event_base_loop,
  event_base_new,
  event_base_new_with_config,
  event_config,
  event_config_avoid_method,
  event_config_free,
  event_config_new,
  event_del,
  event_get_supported_methods,
  event_get_version,
  event_initialized,
} from "libevent-ts/event2/event";
import {
  AF_UNIX,
  SOCK_STREAM,
  errno,
  evutil_gettimeofday,
  type evutil_socket_t,
  evutil_socketpair,
  evutil_timersub,
  read,
  strerror,
  timeval,
  write,
} from "libevent-ts/event2/util";

/** A run that has not seen all its bytes after this long is broken: stop instead of spinning. */
const RUN_LIMIT_SEC = 30;

let count = 0, fired = 0;
let writes = 0, failures = 0;
let pipes: evutil_socket_t[];
let num_pipes = 0, num_active = 0, num_writes = 0;
let events: event[];
let base: event_base | null;

const ch = new Uint8Array(1);

function read_cb(fd: evutil_socket_t, which: number, arg: number): void {
  const idx = arg;
  let widx = idx + 1;
  let n: number;

  n = read(fd, ch, ch.length);
  if (n >= 0)
    count += n;
  else
    failures++;
  if (writes) {
    if (widx >= num_pipes)
      widx -= num_pipes;
    n = write(pipes[2 * widx + 1]!, "e", 1);
    if (n !== 1)
      failures++;
    writes--;
    fired++;
  }
}

const ts = new timeval(), te = new timeval();

function run_once(): timeval | null {
  let cp: number;
  let space: number;
  let i: number;
  let xcount = 0;

  for (cp = 0, i = 0; i < num_pipes; i++, cp += 2) {
    if (event_initialized(events[i]!))
      event_del(events[i]!);
    event_assign(events[i]!, base!, pipes[cp]!, EV_READ | EV_PERSIST, read_cb, i);
    event_add(events[i]!, null);
  }

  event_base_loop(base!, EVLOOP_ONCE | EVLOOP_NONBLOCK);

  fired = 0;
  space = Math.trunc(num_pipes / num_active);
  space = space * 2;
  for (i = 0; i < num_active; i++, fired++)
    write(pipes[i * space + 1]!, "e", 1);

  count = 0;
  writes = num_writes;
  evutil_gettimeofday(ts, null);
  do {
    event_base_loop(base!, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    xcount++;
    if ((xcount & 1023) === 0) {
      evutil_gettimeofday(te, null);
      if (te.tv_sec - ts.tv_sec > RUN_LIMIT_SEC) {
        console.error(`run did not finish in ${RUN_LIMIT_SEC} s: count ${count}, fired ${fired}`);
        return null;
      }
    }
  } while (count !== fired);
  evutil_gettimeofday(te, null);

  if (xcount !== count)
    console.error(`Xcount: ${xcount}, Rcount: ${count}`);

  evutil_timersub(te, ts, te);
  return te;
}

function main(argc: number, argv: string[]): number {
  let cfg: event_config | null;
  let methods: string[];
  let method: string | null = null;
  let tv: timeval | null;
  let cp: number;
  let i: number;
  const pair: evutil_socket_t[] = [-1, -1];

  num_pipes = 100;
  num_active = 1;
  num_writes = num_pipes;
  for (let optind = 1; optind < argc; optind++) {
    const c = argv[optind]!;
    const optarg = argv[optind + 1] ?? "";
    switch (c) {
      case "-n":
        num_pipes = Number.parseInt(optarg, 10);
        optind++;
        break;
      case "-a":
        num_active = Number.parseInt(optarg, 10);
        optind++;
        break;
      case "-w":
        num_writes = Number.parseInt(optarg, 10);
        optind++;
        break;
      case "-m":
        method = optarg;
        optind++;
        break;
      case "-l":
        methods = event_get_supported_methods();
        console.log(`Using Libevent ${event_get_version()}. Available methods are:`);
        for (i = 0; i < methods.length; i++)
          console.log(`    ${methods[i]}`);
        return 0;
      default:
        console.error(`Illegal argument "${c}"`);
        return 1;
    }
  }
  if (!(num_pipes >= 1 && num_active >= 1 && num_active <= num_pipes && num_writes >= 0)) {
    console.error("need 1 <= num_active <= num_pipes and num_writes >= 0");
    return 1;
  }

  // setrlimit(RLIMIT_NOFILE, num_pipes * 2 + 50): done by the shell that starts node (see above).

  events = Array.from({ length: num_pipes }, () => new event());
  pipes = new Array<evutil_socket_t>(num_pipes * 2).fill(-1);

  if (method !== null) {
    cfg = event_config_new();
    methods = event_get_supported_methods();
    for (i = 0; i < methods.length; i++)
      if (methods[i] !== method)
        event_config_avoid_method(cfg!, methods[i]!);
    base = event_base_new_with_config(cfg!);
    event_config_free(cfg!);
  } else {
    base = event_base_new();
  }
  if (base === null) {
    console.error(`no event base for method ${method ?? "(default)"}`);
    return 1;
  }

  for (cp = 0, i = 0; i < num_pipes; i++, cp += 2) {
    if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) === -1) {
      console.error(`socketpair: ${strerror(errno)}`);
      return 1;
    }
    pipes[cp] = pair[0]!;
    pipes[cp + 1] = pair[1]!;
  }

  for (i = 0; i < 25; i++) {
    tv = run_once();
    if (tv === null)
      return 1;
    console.log(tv.tv_sec * 1000000 + tv.tv_usec);
  }
  if (failures)
    console.error(`${failures} failed reads or writes`);

  return failures ? 1 : 0;
}

const argv = process.argv.slice(1);
process.exitCode = main(argv.length, argv);
