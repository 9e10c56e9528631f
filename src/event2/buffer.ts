/**
 * `#include <event2/buffer.h>`
 * @module
 */
export {};
