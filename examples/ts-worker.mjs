// Runs a worker_threads Worker on a TypeScript module, on Node 20 as on later versions.
//
// `node --import tsx` registers tsx's module hooks in the main thread only: on Node 20 they do not
// reach worker threads, and `new Worker("x.ts")` fails with ERR_UNKNOWN_FILE_EXTENSION. This
// file, plain JavaScript, is what the Worker starts instead: it registers tsx in the worker's own
// thread through tsx's API, then imports the module named by the worker's first argument (a file
// URL or path). workerData and everything else reach that module unchanged.
//
//   new Worker(new URL("./ts-worker.mjs", import.meta.url), { argv: [import.meta.url], workerData });
//
// Hooks other than tsx's that the process was started with (`--import` of a module that calls
// `register`) are in the worker already: Node runs the `--import` modules in every worker.
import { isMainThread } from "node:worker_threads";
import { pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

if (isMainThread) throw new Error("ts-worker.mjs starts worker threads: new Worker(url of ts-worker.mjs, { argv: [module] })");
const target = process.argv[2];
if (target === undefined) throw new Error("ts-worker.mjs: no module to run (new Worker(..., { argv: [module] }))");
register();
await import(target.startsWith("file:") ? target : pathToFileURL(target).href);
