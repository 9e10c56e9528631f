/**
 * The API reference as a user reads it: every public function of the header modules
 * (src/event2/*.ts) opens with its C prototype (or says it is a libevent-ts extension), documents
 * every parameter and what it returns, and the `@example` blocks type-check against the API as a
 * user imports it (`libevent-ts/event2/...`), and those that are whole programs on their own (no
 * network, no exported fragment) run to completion. typedoc itself (`npm run docs`, warnings as errors)
 * checks that parameters are documented and that links resolve; it does not check `@returns` or
 * compile or run examples, which is what this file adds.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const headers = readdirSync(join(root, "src/event2")).filter((f) => f.endsWith(".ts"));

/** The functions a newcomer starts with: each must show an example. */
const withExample = [
  "event_base_new", "event_new", "event_add", "event_base_dispatch",
  "evbuffer_add", "evbuffer_remove", "evbuffer_readln",
  "bufferevent_socket_new", "bufferevent_setcb", "bufferevent_enable", "bufferevent_write",
  "evconnlistener_new_bind",
];

interface documented {
  name: string;
  header: string;
  params: string[];
  returnsValue: boolean;
  doc: string;
  tags: ts.JSDocTag[];
}

/** Every function the header modules export, with its doc comment, as the compiler sees it. */
function publicFunctions(): documented[] {
  const options = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.build.json"), {}, {
    ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {},
  })!;
  const program = ts.createProgram(headers.map((h) => join(root, "src/event2", h)), options.options);
  const checker = program.getTypeChecker();
  const out: documented[] = [];
  const seen = new Set<ts.Node>();
  for (const h of headers) {
    const sf = program.getSourceFile(join(root, "src/event2", h))!;
    for (let sym of checker.getExportsOfModule(checker.getSymbolAtLocation(sf)!)) {
      if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      for (const d of sym.declarations ?? []) {
        let fn: ts.SignatureDeclaration;
        let docNode: ts.Node;
        if (ts.isFunctionDeclaration(d) && d.body) {
          fn = d;
          docNode = d;
        } else if (ts.isVariableDeclaration(d) && d.initializer
          && (ts.isArrowFunction(d.initializer) || ts.isFunctionExpression(d.initializer))) {
          fn = d.initializer;
          docNode = d.parent.parent;
        } else continue;
        if (seen.has(d)) continue;
        seen.add(d);
        const ret = checker.typeToString(checker.getReturnTypeOfSignature(checker.getSignatureFromDeclaration(fn)!));
        const jsdoc = ts.getJSDocCommentsAndTags(docNode).filter(ts.isJSDoc);
        const last = jsdoc[jsdoc.length - 1];
        out.push({
          name: sym.name, header: h, params: fn.parameters.map((p) => p.name.getText()),
          returnsValue: !/^(void|undefined|never)$/.test(ret),
          doc: last ? ts.getTextOfJSDocComment(last.comment) ?? "" : "",
          tags: last ? [...(last.tags ?? [])] : [],
        });
      }
    }
  }
  return out;
}

const fns = publicFunctions();

describe("doc comments of the public functions", () => {
  it("finds the whole API", () => {
    expect(fns.length).toBeGreaterThan(270);
  });

  it("each opens with its C prototype, or says it is a libevent-ts extension", () => {
    const bad = fns.filter((f) => !/^(`|libevent-ts extension)/.test(f.doc.trimStart())).map((f) => f.name);
    expect(bad).toEqual([]);
  });

  it("each documents every parameter (and no parameter it does not have)", () => {
    const bad: string[] = [];
    for (const f of fns) {
      const named = f.tags.filter(ts.isJSDocParameterTag).map((t) => t.name.getText());
      for (const p of f.params) if (!named.includes(p)) bad.push(`${f.name}: no @param ${p}`);
      for (const n of named) if (!f.params.includes(n)) bad.push(`${f.name}: @param ${n} is not a parameter`);
      for (const t of f.tags.filter(ts.isJSDocParameterTag)) {
        if (!ts.getTextOfJSDocComment(t.comment)?.trim()) bad.push(`${f.name}: @param ${t.name.getText()} is empty`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("each that returns a value says what it returns", () => {
    const bad = fns.filter((f) => f.returnsValue && !f.tags.some((t) => t.tagName.text === "returns"
      && ts.getTextOfJSDocComment(t.comment)?.trim())).map((f) => f.name);
    expect(bad).toEqual([]);
  });

  it("the functions a newcomer starts with show an example", () => {
    const missing = withExample.filter((n) => !fns.find((f) => f.name === n)?.tags.some((t) => t.tagName.text === "example"));
    expect(missing).toEqual([]);
  });
});

/** The ```ts blocks of every `@example` in src/, with where they come from. */
function examples(): { where: string; code: string }[] {
  const out: { where: string; code: string }[] = [];
  const files = (readdirSync(join(root, "src"), { recursive: true }) as string[]).filter((f) => f.endsWith(".ts"));
  for (const f of files) {
    const text = readFileSync(join(root, "src", f), "utf8");
    for (const m of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
      const body = m[0].split("\n").map((l) => l.replace(/^\s*(\/\*\*|\*\/|\* ?)/, "")).join("\n");
      const parts = body.split(/^@example\b/m).slice(1);
      for (const part of parts) {
        const untilNextTag = part.split(/^@\w+/m)[0]!;
        for (const code of untilNextTag.matchAll(/```ts\n([\s\S]*?)```/g)) {
          const line = text.slice(0, m.index).split("\n").length;
          out.push({ where: `src/${f}:${line}`, code: code[1]! });
        }
      }
    }
  }
  return out;
}

describe("@example blocks", () => {
  const dir = mkdtempSync(join(tmpdir(), "libevent-ts-examples-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("type-check against the package's public modules", () => {
    const list = examples();
    expect(list.length).toBeGreaterThanOrEqual(5);
    const files = list.map((e, i) => {
      const file = join(dir, `example${i}.ts`);
      // Each example is a module of its own, as a user's file would be.
      writeFileSync(file, `${e.code}\nexport {};\n`);
      return { file, where: e.where };
    });
    const program = ts.createProgram(files.map((f) => f.file), {
      target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts"], module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext, strict: true, noEmit: true, skipLibCheck: true,
      types: ["node"], typeRoots: [join(root, "node_modules/@types")],
      paths: {
        "libevent-ts": [join(root, "src/index.ts")],
        "libevent-ts/event2/*": [join(root, "src/event2/*.ts")],
      },
    });
    const errors = files.flatMap(({ file, where }) => ts.getPreEmitDiagnostics(program, program.getSourceFile(file))
      .map((d) => `${where} (example line ${d.file ? d.file.getLineAndCharacterOfPosition(d.start!).line + 1 : "?"}): `
        + ts.flattenDiagnosticMessageText(d.messageText, "\n")));
    expect(errors).toEqual([]);
  });

  it("that are whole programs run to completion", () => {
    // Fragments (they export a callback) and network examples (a fixed port, another program
    // needed at the other end) are only type-checked.
    const programs = examples().filter((e) => !/^export /m.test(e.code) && !/\bhtons\(/.test(e.code));
    expect(programs.length).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    programs.forEach((e, i) => {
      const file = join(dir, `program${i}.ts`);
      const code = e.code.replace(/"libevent-ts\/event2\/(\w+)"/g,
        (_, h: string) => JSON.stringify(pathToFileURL(join(root, "src/event2", `${h}.ts`)).href));
      writeFileSync(file, code);
      const r = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8", timeout: 20_000 });
      if (r.status !== 0 || r.stdout.trim() === "") failures.push(`${e.where}: exit ${r.status} ${r.signal ?? ""}\n${r.stderr}`);
    });
    expect(failures).toEqual([]);
  }, 120_000);
});
