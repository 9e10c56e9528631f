/**
 * libevent-ts: libevent 2.1 for Node.js. This module re-exports every header module
 * (`libevent-ts/event2/event`, `buffer`, `bufferevent`, `listener`, `util`, `thread`), so that
 * `import * as ev from "libevent-ts"` gives the whole API.
 * @module
 */
export * from "./event2/event.js";
export * from "./event2/buffer.js";
export * from "./event2/bufferevent.js";
export * from "./event2/listener.js";
export * from "./event2/util.js";
export * from "./event2/thread.js";
