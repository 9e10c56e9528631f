/**
 * `#include <event2/util.h>`
 * @module
 */
export {};
