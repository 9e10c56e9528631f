/**
 * The integer typedefs of `<event2/util.h>`. In TypeScript they are all `number` (safe integers);
 * they keep their C names so that signatures read as in C.
 * @module
 */

/** `evutil_socket_t`: a socket or other file descriptor (an `int` on POSIX). @category Types */
export type evutil_socket_t = number;
/** `ev_ssize_t`: a signed size (`ssize_t`). @category Types */
export type ev_ssize_t = number;
/** `ev_off_t`: a file offset (`off_t`). @category Types */
export type ev_off_t = number;
/** `ev_socklen_t`: the length of a socket address (`socklen_t`). @category Types */
export type ev_socklen_t = number;
/** `ev_uint8_t` ... `ev_uint64_t`, `ev_int*_t`: fixed-width integers; here plain numbers. @category Types */
export type ev_uint32_t = number;
