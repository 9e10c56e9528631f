/**
 * The package as a user gets it. `npm pack` of the working tree's tracked files (what a clean clone
 * holds, with its prepack: the prebuilt addon, and prepare: dist/), then the tarball installed into
 * an empty project twice: once with no C toolchain (CC, CXX and MAKE unusable, no compiler on the
 * PATH), once with --ignore-scripts. In both, a user's hello-world server (ESM, importing
 * `libevent-ts` and `libevent-ts/event2/*`) answers. The installs use npm's cache first
 * (--prefer-offline): the package's one runtime dependency, node-gyp-build, is there after the
 * `npm ci` that CI starts with.
 */
import { spawn, spawnSync } from "node:child_process";
import type { SpawnSyncReturns } from "node:child_process";
import {
  copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exchange, freePort, root, until } from "./helpers/children.js";

const git = spawnSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8" });
const tracked = git.status === 0 ? git.stdout.split("\0").filter((f) => f !== "") : null;

/** npm's own script, run with this node: the installs below run with a PATH that has no npm on it. */
function npmCli(): string {
  const which = spawnSync("sh", ["-c", "command -v npm"], { encoding: "utf8" });
  if (which.status !== 0) throw new Error("npm is not on the PATH");
  return realpathSync(which.stdout.trim());
}

/**
 * The environment of a user's shell: nothing of the npm run that may have started this test (its
 * npm_config_local_prefix would point the installs at this checkout), except where npm's cache,
 * configuration and registry are.
 */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const keep = /^npm_config_(cache|userconfig|globalconfig|registry)$/i;
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if ((!/^npm_/i.test(k) || keep.test(k)) && k !== "INIT_CWD") env[k] = v;
  }
  return { ...env, ...extra };
}

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, env, encoding: "utf8", timeout: 120_000 });
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A user's hello-world server: answers one connection, then leaves the loop and prints "done". */
const HELLO_MJS = `import {
  EV_WRITE, event_base_dispatch, event_base_free, event_base_loopexit, event_base_new,
} from "libevent-ts/event2/event";
import { evbuffer_get_length } from "libevent-ts/event2/buffer";
import {
  BEV_OPT_CLOSE_ON_FREE, bufferevent_enable, bufferevent_free, bufferevent_get_output, bufferevent_setcb,
  bufferevent_socket_new, bufferevent_write,
} from "libevent-ts/event2/bufferevent";
import { LEV_OPT_CLOSE_ON_FREE, LEV_OPT_REUSEABLE, evconnlistener_free, evconnlistener_new_bind } from "libevent-ts/event2/listener";
import { htons, strlen } from "libevent-ts/event2/util";
import { AF_INET, sizeof, sockaddr_in } from "libevent-ts";

const MESSAGE = "Hello, World!\\n";
const base = event_base_new();
const sin = new sockaddr_in();
sin.sin_family = AF_INET;
sin.sin_port = htons(Number(process.argv[2]));
const listener = evconnlistener_new_bind(base, (listener, fd) => {
  const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
  bufferevent_setcb(bev, null, (bev) => {
    if (evbuffer_get_length(bufferevent_get_output(bev)) === 0) {
      bufferevent_free(bev);
      event_base_loopexit(base, null);
    }
  }, null, null);
  bufferevent_enable(bev, EV_WRITE);
  bufferevent_write(bev, MESSAGE, strlen(MESSAGE));
}, null, LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_FREE, -1, sin, sizeof(sin));
if (!listener) throw new Error("Could not create a listener!");
console.log("listening");
event_base_dispatch(base);
evconnlistener_free(listener);
event_base_free(base);
console.log("done");
`;

/** The same server in TypeScript, type-checked against the installed declarations. */
const HELLO_TS = `import type { bufferevent } from "libevent-ts/event2/bufferevent";
import type { evconnlistener } from "libevent-ts/event2/listener";
import type { event_base } from "libevent-ts/event2/event";
import type { evutil_socket_t } from "libevent-ts";
${HELLO_MJS.replace("const base = event_base_new();", "const base: event_base | null = event_base_new();\nif (!base) throw new Error(\"no base\");")
    .replace("(listener, fd) => {", "(_listener: evconnlistener, fd: evutil_socket_t) => {")
    .replace("const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);",
      "const bev = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);\n  if (!bev) throw new Error(\"no bufferevent\");")
    .replace("(bev) => {", "(bev: bufferevent) => {")}`;

/** Start the server in `project`, have one client read its answer, and wait for it to exit. */
async function serveOnce(project: string, env: NodeJS.ProcessEnv): Promise<{ reply: string; stdout: string; code: number | null }> {
  const port = await freePort();
  const proc = spawn(process.execPath, ["hello.mjs", String(port)], { cwd: project, env });
  let stdout = "";
  let stderr = "";
  proc.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const exited = new Promise<number | null>((r) => proc.on("exit", (code) => r(code)));
  try {
    await until(() => stdout.includes("listening") || proc.exitCode !== null, 15_000, () => `the server to listen: ${stderr}`);
    if (!stdout.includes("listening")) throw new Error(`the server exited ${proc.exitCode}: ${stderr}`);
    const reply = (await exchange(port, null, false)).toString("latin1");
    const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
    return { reply, stdout, code };
  } finally {
    if (proc.exitCode === null) proc.kill("SIGKILL");
  }
}

/** The README's usage example: the js block of its "Use" section. */
function readmeExample(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const m = /```js\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("\n## Use\n")));
  if (!m) throw new Error("README.md: no js block in its Use section");
  return m[1]!;
}

/** Run `file` in `project` (a server on `port` that never exits by itself) and read one answer. */
async function answerOf(project: string, file: string, port: number, env: NodeJS.ProcessEnv): Promise<string> {
  const proc = spawn(process.execPath, [file], { cwd: project, env });
  let stderr = "";
  proc.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  try {
    const end = Date.now() + 15_000;
    for (;;) {
      try {
        return (await exchange(port, null, false)).toString("latin1");
      } catch (err) {
        if (proc.exitCode !== null || Date.now() > end) throw new Error(`${file}: no answer (${String(err)}): ${stderr}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  } finally {
    proc.kill("SIGKILL");
  }
}

/** Every `sources` entry of every source map under `dir` names a file that exists. */
function unresolvedSourceMaps(dir: string): string[] {
  const missing: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".map")) {
        const map = JSON.parse(readFileSync(p, "utf8")) as { sources: string[]; sourceRoot?: string };
        for (const s of map.sources) {
          const target = resolve(dirname(p), map.sourceRoot ?? "", s);
          if (!existsSync(target)) missing.push(`${p}: ${s}`);
        }
      }
    }
  };
  walk(dir);
  return missing;
}

describe.skipIf(tracked === null)("the npm package, installed from its tarball", () => {
  let tmp = "";
  let tarball = "";
  let files: string[] = [];
  const npm = npmCli();

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), "libevent-ts-pack-"));
    // A clean clone's files, as the working tree has them; the dev dependencies from this checkout.
    const clone = join(tmp, "clone");
    for (const f of tracked!) {
      if (!existsSync(join(root, f))) continue; // deleted, not yet committed
      mkdirSync(dirname(join(clone, f)), { recursive: true });
      copyFileSync(join(root, f), join(clone, f));
    }
    symlinkSync(join(root, "node_modules"), join(clone, "node_modules"));
    const out = ok(run(process.execPath, [npm, "pack", "--json", "--pack-destination", tmp], clone, userEnv()), "npm pack");
    const info = (JSON.parse(out.slice(out.indexOf("["))) as { filename: string; files: { path: string }[] }[])[0]!;
    tarball = join(tmp, info.filename);
    files = info.files.map((f) => f.path);
  }, 180_000);

  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  /** An empty ESM project with the tarball installed by `npm install <extra> <tarball>`. */
  function project(name: string, extra: string[], env: NodeJS.ProcessEnv): string {
    const dir = join(tmp, name);
    mkdirSync(dir);
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name, private: true, type: "module" }, null, 2));
    writeFileSync(join(dir, "hello.mjs"), HELLO_MJS);
    ok(run(process.execPath, [npm, "install", "--prefer-offline", "--no-audit", "--no-fund", ...extra, tarball], dir, env),
      `npm install ${extra.join(" ")}`);
    return dir;
  }

  /**
   * No compiler, no make: the PATH is a directory holding only node, sh and python3 (so that
   * node-gyp gets as far as the C toolchain, and finds it unusable).
   */
  function noToolchainEnv(): NodeJS.ProcessEnv {
    const bin = join(tmp, "bin");
    if (!existsSync(bin)) {
      mkdirSync(bin);
      symlinkSync(process.execPath, join(bin, "node"));
      symlinkSync("/bin/sh", join(bin, "sh"));
      const python = spawnSync("sh", ["-c", "command -v python3"], { encoding: "utf8" });
      if (python.status === 0) symlinkSync(python.stdout.trim(), join(bin, "python3"));
    }
    return userEnv({ PATH: bin, CC: "/bin/false", CXX: "/bin/false", MAKE: "/bin/false" });
  }

  it("holds the prebuilt addon, LICENSE, CHANGELOG, dist/ and src/; no build/, tests or scratch files", () => {
    expect(files).toContain(`prebuilds/${process.platform}-${process.arch}/libevent-ts.glibc.node`);
    for (const f of ["LICENSE", "CHANGELOG.md", "README.md", "package.json", "binding.gyp", "native/addon.c",
      "dist/index.js", "dist/index.d.ts", "dist/event2/event.js", "src/index.ts", "guide/porting.md"]) expect(files).toContain(f);
    expect(files.filter((f) => /^(build|test|bench|node_modules)\/|\.log$|\.tgz$|cpuprofile/.test(f))).toEqual([]);
    const license = readFileSync(join(root, "LICENSE"), "utf8");
    expect(license).toMatch(/Copyright \(c\) 2026 the libevent-ts authors/);
    expect(license).toMatch(/Niels Provos and Nick Mathewson/);
  });

  it("with no C toolchain: installs (the install script finds the prebuild), and the server answers", { timeout: 120_000 }, async () => {
    const env = noToolchainEnv();
    const dir = project("no-toolchain", [], env);
    const pkg = join(dir, "node_modules", "libevent-ts");
    expect(existsSync(join(pkg, "build"))).toBe(false); // nothing was compiled
    const r = await serveOnce(dir, env);
    expect(r.reply).toBe("Hello, World!\n");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("listening\ndone\n");

    // Without the prebuild the install script has to compile, and cannot here: it fails, and the
    // import says what is missing and what to do.
    rmSync(join(pkg, "prebuilds"), { recursive: true });
    const rebuild = run(process.execPath, [npm, "rebuild", "libevent-ts"], dir, env);
    expect(rebuild.status).not.toBe(0);
    const imp = run(process.execPath, ["-e", "import('libevent-ts').then(() => console.log('loaded'), (e) => { console.error(e.message); process.exitCode = 3; })"], dir, env);
    expect(imp.status).toBe(3);
    expect(imp.stderr).toContain(`libevent-ts: no native addon loads on ${process.platform}-${process.arch}`);
    expect(imp.stderr).toContain("npm rebuild libevent-ts");
  });

  it("with --ignore-scripts: the loader finds the prebuild; the servers answer (ours, the README's); the types check; source maps resolve", { timeout: 120_000 }, async () => {
    const env = userEnv();
    const dir = project("ignore-scripts", ["--ignore-scripts"], env);
    const r = await serveOnce(dir, env);
    expect(r.reply).toBe("Hello, World!\n");
    expect(r.code).toBe(0);

    // A TypeScript user of the installed declarations, lib checks on (nothing @internal that a
    // public declaration needs was stripped).
    writeFileSync(join(dir, "hello.ts"), HELLO_TS);
    writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
      compilerOptions: {
        target: "ES2022", lib: ["ES2022"], module: "NodeNext", moduleResolution: "NodeNext", strict: true,
        noEmit: true, skipLibCheck: false, types: ["node"], typeRoots: [join(root, "node_modules", "@types")],
      },
      files: ["hello.ts"],
    }));
    ok(run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", "."], dir, env), "tsc of hello.ts");

    // The README's example, as a user copies it.
    const port = await freePort();
    const example = readmeExample();
    expect(example).toContain("htons(9995)");
    writeFileSync(join(dir, "readme.mjs"), example.replace("htons(9995)", `htons(${port})`));
    expect(await answerOf(dir, "readme.mjs", port, env)).toBe("Hello, World!\n");

    expect(unresolvedSourceMaps(join(dir, "node_modules", "libevent-ts", "dist"))).toEqual([]);
  });
});
