/**
 * Descriptor accounting: every test file checks, after all its tests, that the process holds
 * the same descriptors as before them (bases, events and socketpairs all released).
 */
import { readdirSync, readlinkSync } from "node:fs";
import { afterAll, beforeAll, expect } from "vitest";

/** The open descriptors of this process, each with what it refers to. */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync("/proc/self/fd")) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${name}`);
    } catch {
      continue; // the directory handle readdirSync used, already closed
    }
    out.set(Number(name), target);
  }
  return out;
}

/** Record the descriptors before the file's tests and check none were left open after them. */
export function checkFdLeaks(): void {
  let before = new Map<number, string>();
  beforeAll(() => {
    before = openFds();
  });
  afterAll(() => {
    const leaked: string[] = [];
    for (const [fd, target] of openFds()) {
      if (before.get(fd) !== target) leaked.push(`${fd} -> ${target}`);
    }
    expect(leaked, "descriptors left open by the tests").toEqual([]);
  });
}
