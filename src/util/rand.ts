/**
 * libevent's secure random number generator (evutil_rand.c), on the operating system's CSPRNG
 * through node:crypto (as libevent uses arc4random where the C library has it).
 * @module
 */
import { randomFillSync } from "node:crypto";
import { check_len_, check_string_ } from "./check.js";

/**
 * `void evutil_secure_rng_get_bytes(void *buf, size_t n)`: fill the first `n` bytes of `buf`
 * with cryptographically strong random bytes; the rest of `buf` is left as it was.
 * @param buf receives the random bytes
 * @param n how many bytes to fill (at most `buf.length`)
 * @see {@link evutil_secure_rng_init}
 * @category Random numbers
 */
export function evutil_secure_rng_get_bytes(buf: Uint8Array, n: number): void {
  check_len_("evutil_secure_rng_get_bytes", "n", buf, "buf", n);
  randomFillSync(buf, 0, n);
}

/**
 * `int evutil_secure_rng_init(void)`: make sure the generator is seeded. The system generator
 * always is: returns 0.
 * @returns 0
 * @see {@link evutil_secure_rng_get_bytes}
 * @category Random numbers
 */
export function evutil_secure_rng_init(): number {
  return 0;
}

/**
 * `void evutil_secure_rng_add_bytes(const char *dat, size_t datlen)`: offer extra entropy. The
 * system generator takes none from a process, so the bytes are only checked, then ignored (as
 * libevent ignores them where arc4random cannot be stirred).
 * @param dat the entropy offered
 * @param datlen the number of bytes of `dat`
 * @category Random numbers
 */
export function evutil_secure_rng_add_bytes(dat: Uint8Array, datlen: number): void {
  check_len_("evutil_secure_rng_add_bytes", "datlen", dat, "dat", datlen);
}

/**
 * `int evutil_secure_rng_set_urandom_device_file(char *fname)`: name the random device to seed
 * from. No device file is read here (as with arc4random): returns -1, as libevent does then.
 * @param fname the device's path
 * @returns -1 (no device file is used)
 * @category Random numbers
 */
export function evutil_secure_rng_set_urandom_device_file(fname: string): number {
  check_string_("evutil_secure_rng_set_urandom_device_file", "fname", fname);
  return -1;
}
