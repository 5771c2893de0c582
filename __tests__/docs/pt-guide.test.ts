/**
 * The Portuguese operator guide (docs/pt-BR/guia-do-operador.md) cannot rot silently: every npm script it quotes
 * exists, every flag it passes is one the script's tool (or the cdktf CLI) accepts, every repository path and link it
 * names exists (generated ones, under cdktf.out/ or state/, must be git-ignored), and every SITE name is a site.
 * Commands announced in a `<!-- planned: a b -->` ... `<!-- /planned -->` block may be missing while they are
 * planned; once a script exists, its quotes are checked like any other.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..", "..");
const GUIDE = path.join(ROOT, "docs", "pt-BR", "guia-do-operador.md");
const text = fs.readFileSync(GUIDE, "utf8");
const scripts = (JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts;

/** Folders the project writes and git ignores: quoted paths under them need not exist. */
const GENERATED = ["cdktf.out", "state", ".gen", "dist", ".rehearsal"];
const TOP_LEVEL = new Set([...fs.readdirSync(ROOT), ...GENERATED]);
const FILE_EXTENSION = /\.(md|ts|cjs|js|ya?ml|json|tfstate|tfplan)$/;

interface Quote {
  /** The quoted text: a code span, or one line of a shell block with its comment removed. */
  readonly code: string;
  /** Scripts the enclosing planned block announces. */
  readonly planned: readonly string[];
  readonly line: number;
}

/** Code spans and shell-block lines, each with the planned block it sits in. */
function quotes(markdown: string): { spans: Quote[]; commands: Quote[] } {
  const spans: Quote[] = [];
  const commands: Quote[] = [];
  let planned: string[] = [];
  let fence: string | undefined;
  markdown.split("\n").forEach((line, i) => {
    const open = /^<!-- planned: (.+) -->$/.exec(line.trim());
    if (open) planned = open[1]!.split(/\s+/);
    if (line.trim() === "<!-- /planned -->") planned = [];
    const f = /^```(\w*)/.exec(line);
    if (f) {
      fence = fence === undefined ? f[1]! : undefined;
      return;
    }
    if (fence !== undefined) {
      if (fence === "sh" && line.trim()) commands.push({ code: line.replace(/(^|\s)#.*$/, "").trim(), planned, line: i + 1 });
      return;
    }
    for (const m of line.matchAll(/`([^`]+)`/g)) spans.push({ code: m[1]!, planned, line: i + 1 });
  });
  return { spans, commands };
}

const { spans, commands } = quotes(text);
/** Every command: the shell lines, and code spans that are commands. */
const allCommands = [...commands, ...spans.filter((s) => /^(npm|npx|eval|cd|SITE=)/.test(s.code))];

/** `npm run [-s|--silent] NAME [-- ARGS]` anywhere in a command. */
function npmRuns(code: string): { script: string; args: string[] }[] {
  return [...code.matchAll(/npm run (?:-s |--silent )?([\w:-]+)((?: -- [^|&;)"]*)?)/g)].map((m) => ({
    script: m[1]!,
    args: m[2]!.replace(/^ -- /, "").trim().split(/\s+/).filter(Boolean),
  }));
}

/** The source of a script's tool and the local modules it imports: where its flags are declared. */
function toolSources(script: string): string {
  const file = scripts[script]!.split(/\s+/).find((t) => /\.(ts|cjs|js)$/.test(t));
  if (!file) throw new Error(`npm script ${script} runs no file of this repository: "${scripts[script]}"`);
  const main = path.join(ROOT, file);
  const source = fs.readFileSync(main, "utf8");
  const imported = [...source.matchAll(/from "(\.\.?\/[^"]+)"/g)].map((m) => path.resolve(path.dirname(main), `${m[1]}.ts`)).filter((f) => fs.existsSync(f));
  return [source, ...imported.map((f) => fs.readFileSync(f, "utf8"))].join("\n");
}

function acceptsFlag(sources: string, flag: string): boolean {
  const name = flag.replace(/^-+/, "").replace(/=.*$/, "");
  const esc = name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  // A parseArgs option (`name: { type: ...` or `"name": { type: ...`), or a literal "--name" the tool compares arguments with.
  return new RegExp(`(^|[\\s{,])("${esc}"|${esc})\\s*:\\s*\\{\\s*type:`, "m").test(sources) || sources.includes(`"--${name}"`);
}

const CDKTF_BUNDLE = fs.readFileSync(path.join(ROOT, "node_modules", "cdktf-cli", "bundle", "bin", "cdktf.js"), "utf8");

const isIgnored = (rel: string) => spawnSync("git", ["check-ignore", "-q", rel.replace(/<[^>]+>/g, "x")], { cwd: ROOT }).status === 0;

/** What is wrong with a quoted repository path, or undefined. Placeholders (<stack>) match any name. */
function pathProblem(rel: string): string | undefined {
  const clean = rel.replace(/[),.:;]+$/, "");
  if (GENERATED.includes(clean.split("/")[0]!)) return isIgnored(clean) ? undefined : `${clean} is generated but git does not ignore it`;
  if (!clean.includes("<")) return fs.existsSync(path.join(ROOT, clean)) ? undefined : `no ${clean} in the repository`;
  const pattern = new RegExp(`^${clean.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/<[^>]+>/g, "[^/]+")}$`);
  const dir = path.join(ROOT, path.dirname(clean.split("<")[0]! + "x"));
  const found = fs.existsSync(dir) && fs.readdirSync(dir).some((f) => pattern.test(path.relative(ROOT, path.join(dir, f))));
  return found ? undefined : `nothing in the repository matches ${clean}`;
}

/**
 * A token names a repository path when it starts at one of its top-level entries and looks like a path (a folder
 * part, a file extension or a dotfile): the site file's `state` section is no path, `state/` is.
 */
const repoPath = (token: string): string | undefined => {
  const t = token.replace(/^["'(]+|["')]+$/g, "");
  if (/^(\.\.|\/|~)|:\/\//.test(t) || !/\/|^\.|\.[a-z]+$/.test(t)) return undefined;
  return TOP_LEVEL.has(t.split("/")[0]!) ? t : undefined;
};

describe("docs/pt-BR/guia-do-operador.md", () => {
  it("covers the quick start, the site file, the operator's run, the rehearsal and the day-one commands", () => {
    const headings = [...text.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    expect(headings).toEqual(["Início rápido", "O arquivo do site", "A execução do operador", "O ensaio", "Comandos do primeiro dia"]);
    expect(fs.readFileSync(path.join(ROOT, "README.md"), "utf8")).toContain("(docs/pt-BR/guia-do-operador.md)");
  });

  it("quotes only npm scripts that exist, except those its planned blocks announce, while they are missing", () => {
    const problems = allCommands.flatMap((q) =>
      npmRuns(q.code)
        .filter(({ script }) => !(script in scripts) && !q.planned.includes(script))
        .map(({ script }) => `line ${q.line}: npm run ${script} is no script of package.json${q.planned.length ? "" : " (announce it in a <!-- planned: ... --> block)"}`),
    );
    expect(problems).toEqual([]);
    expect(allCommands.flatMap((q) => npmRuns(q.code)).length).toBeGreaterThan(10);
  });

  it("passes every script only flags its tool declares", () => {
    const problems = allCommands.flatMap((q) =>
      npmRuns(q.code)
        .filter(({ script }) => script in scripts)
        .flatMap(({ script, args }) => {
          const flags = args.filter((a) => a.startsWith("-"));
          if (flags.length === 0) return [];
          const sources = toolSources(script);
          return flags.filter((f) => !acceptsFlag(sources, f)).map((f) => `line ${q.line}: npm run ${script} takes no ${f}`);
        }),
    );
    expect(problems).toEqual([]);
  });

  it("uses cdktf commands and flags the installed cdktf CLI has", () => {
    const problems = allCommands.flatMap((q) =>
      [...q.code.matchAll(/npx cdktf (\w+)((?: [^|&;]*)?)/g)].flatMap((m) => {
        const out: string[] = [];
        if (!CDKTF_BUNDLE.includes(`command="${m[1]} `) && !CDKTF_BUNDLE.includes(`command="${m[1]}"`)) out.push(`line ${q.line}: cdktf has no command ${m[1]}`);
        for (const flag of m[2]!.split(/\s+/).filter((a) => a.startsWith("--"))) {
          if (!CDKTF_BUNDLE.includes(`"${flag.replace(/^--/, "").replace(/=.*$/, "")}"`)) out.push(`line ${q.line}: cdktf ${m[1]} takes no ${flag}`);
        }
        return out;
      }),
    );
    expect(problems).toEqual([]);
  });

  it("names only repository paths that exist (generated ones git-ignored), and only sites that exist", () => {
    const pathSpans = spans.filter((s) => !/\s/.test(s.code)).map((s) => ({ ...s, path: repoPath(s.code) ?? (FILE_EXTENSION.test(s.code) && !/^[*.]/.test(s.code) ? s.code : undefined) }));
    const commandPaths = allCommands.flatMap((q) => q.code.split(/\s+/).map((t) => ({ ...q, path: repoPath(t) })));
    const problems = [...pathSpans, ...commandPaths]
      .filter((q) => q.path)
      .map((q) => [q.line, pathProblem(q.path!)] as const)
      .filter(([, p]) => p)
      .map(([line, p]) => `line ${line}: ${p}`);
    const sites = allCommands.flatMap((q) => [...q.code.matchAll(/\bSITE=([\w.-]+)(?=\s)/g)].map((m) => [q.line, m[1]!] as const));
    for (const [line, site] of sites) if (!fs.existsSync(path.join(ROOT, "sites", `${site}.yaml`))) problems.push(`line ${line}: SITE=${site} names no file in sites/`);
    expect(problems).toEqual([]);
    expect(pathSpans.filter((q) => q.path).length).toBeGreaterThan(10);
  });

  it("links only to files that exist", () => {
    const links = [...text.matchAll(/\]\(([^)#]+)(#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    expect(links.filter((l) => !fs.existsSync(path.resolve(path.dirname(GUIDE), l)))).toEqual([]);
  });
});
