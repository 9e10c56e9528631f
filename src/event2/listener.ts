/**
 * `#include <event2/listener.h>`
 * @module
 */
export {};
