/**
 * `#include <event2/bufferevent.h>`
 * @module
 */
export {};
