import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const src = fileURLToPath(new URL("./src/", import.meta.url));

export default defineConfig({
  resolve: {
    // Tests import the package the way users do; point those imports at the sources.
    alias: [
      { find: /^libevent-ts\/event2\/(.*)$/, replacement: `${src}event2/$1.ts` },
      { find: /^libevent-ts$/, replacement: `${src}index.ts` },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    setupFiles: ["test/helpers/watchdog.ts"],
    // Real sockets, real signals, real timers: one file per process, files one after another,
    // so that a signal or a timing-sensitive case never shares the process or the CPU with another file.
    pool: "forks",
    fileParallelism: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    reporters: ["default", ["json", { outputFile: "test-results.json" }]],
  },
});
