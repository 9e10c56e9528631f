/**
 * `#include <event2/event.h>`
 * @module
 */
export {};
