/**
 * The integer limits of `<event2/util.h>`.
 *
 * The limits of the fixed-width integer types are exact: numbers up to 32 bits, bigints for
 * `ev_uint64_t` and `ev_int64_t` (`evutil_strtoll` also returns a bigint and saturates at
 * `EV_INT64_MAX`). Sizes (`size_t`, `ev_ssize_t`) are numbers throughout the API, so their limits
 * are numbers too: C's values rounded to the nearest double (2^64 and 2^63), larger than any size a
 * number can hold exactly, so `n < EV_SSIZE_MAX` and `limit === EV_SSIZE_MAX` read as in C. Where the
 * API takes a size, C's `(size_t)-1` is written `-1` (see API-MAPPING).
 * @module
 */

/** Largest `ev_uint64_t`: 2^64 - 1 (a bigint). @category Integer limits */ export const EV_UINT64_MAX = 0xffffffffffffffffn;
/** Largest `ev_int64_t`: 2^63 - 1 (a bigint). @category Integer limits */ export const EV_INT64_MAX = 0x7fffffffffffffffn;
/** Smallest `ev_int64_t`: -2^63 (a bigint). @category Integer limits */ export const EV_INT64_MIN = -0x8000000000000000n;
/** Largest `ev_uint32_t`: 4294967295. @category Integer limits */ export const EV_UINT32_MAX = 0xffffffff;
/** Largest `ev_int32_t`: 2147483647. @category Integer limits */ export const EV_INT32_MAX = 0x7fffffff;
/** Smallest `ev_int32_t`: -2147483648. @category Integer limits */ export const EV_INT32_MIN = -0x80000000;
/** Largest `ev_uint16_t`: 65535. @category Integer limits */ export const EV_UINT16_MAX = 0xffff;
/** Largest `ev_int16_t`: 32767. @category Integer limits */ export const EV_INT16_MAX = 0x7fff;
/** Smallest `ev_int16_t`: -32768. @category Integer limits */ export const EV_INT16_MIN = -0x8000;
/** Largest `ev_uint8_t`: 255. @category Integer limits */ export const EV_UINT8_MAX = 0xff;
/** Largest `ev_int8_t`: 127. @category Integer limits */ export const EV_INT8_MAX = 0x7f;
/** Smallest `ev_int8_t`: -128. @category Integer limits */ export const EV_INT8_MIN = -0x80;
/** Largest `size_t`: C's 2^64 - 1 as the nearest number, 2^64 (as a size argument, C's SIZE_MAX is written `-1`). @category Integer limits */ export const EV_SIZE_MAX = 2 ** 64;
/** Largest `ev_ssize_t`: C's 2^63 - 1 as the nearest number, 2^63. @category Integer limits */ export const EV_SSIZE_MAX = 2 ** 63;
/** Smallest `ev_ssize_t`: -2^63. @category Integer limits */ export const EV_SSIZE_MIN = -(2 ** 63);
