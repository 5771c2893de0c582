/**
 * The operator's run, rehearsed offline against the twin (tools/simulator): synth, a freshly seeded world with
 * throwaway credentials, `cdktf deploy` of every stack in dependency order, then the plan preview, which must show no
 * changes. With a base ref, the site (and the code) as they are at that ref are applied first, so the working tree's
 * change meets the state it will meet on the lab.
 *
 * Everything the run writes stays in the rehearsal folder: the world, the credentials, the synthesized output, the
 * state, Terraform's and cdktf's home and temporary files, the logs and the plan preview. The children's environment
 * is built from scratch, so none of the operator's secrets (TF_VAR_*, MAAS_API_KEY, JUJU_*, OS_*, backend
 * credentials) can reach a stack, a log or the twin.
 */
import { spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { load as loadYaml } from "js-yaml";
import { parseSite, PROJECT_ROOT, resolveSitePath, type Site } from "../../constructs/site";
import { discoverStacks, main as runStacks } from "../reports/run-stacks";
import { parsePlan } from "../reports/plan-json";
import { scrubSecrets } from "../reports/redact";
import { hasChanges, summarizePlan } from "../reports/summarize";
import { ensureSimulator, simulatorEnv } from "../simulator/build";
import { cableWorkers, credentialEnv, seedWorlds, type TwinCredentials } from "../simulator/seed";

/** A problem with the operator's input or machine: printed as is, exit 1, no stack trace. */
export class RehearsalError extends Error {}

/** The small image the rehearsal uploads in place of every site image, so nothing is downloaded. */
export const TEST_IMAGE_FILE = path.join(PROJECT_ROOT, "tools", "testbench", "fixtures", "test-image.img");

/** Marks a folder as a rehearsal's, so a later run may empty it (and never a folder that is not one). */
const MARKER = ".rehearsal";

export interface Counts {
  imported: number;
  added: number;
  changed: number;
  destroyed: number;
}

export interface Failure {
  /** Terraform's error summary: the twin's message. */
  readonly summary: string;
  /** The resource the error is about (Terraform's "with <address>"), when it names one. */
  readonly address?: string;
  /** The rest of Terraform's error block. */
  readonly detail: string;
}

export interface StepResult {
  readonly step: string;
  readonly ms: number;
  readonly counts?: Counts;
  /** What the step found, in words (a preview's outcome, why a step was skipped). */
  readonly note?: string;
  readonly log?: string;
}

/** What `cdktf deploy` reported for a stack: Terraform's "Apply complete!" line, or "No changes". */
export function applyCounts(output: string): Counts | undefined {
  const m = /Apply complete! Resources: (?:(\d+) imported, )?(\d+) added, (\d+) changed, (\d+) destroyed/.exec(output);
  if (m) return { imported: Number(m[1] ?? 0), added: Number(m[2]), changed: Number(m[3]), destroyed: Number(m[4]) };
  if (/No changes\. Your infrastructure matches the configuration/.test(output)) return { imported: 0, added: 0, changed: 0, destroyed: 0 };
  return undefined;
}

/**
 * Terraform's errors in a `cdktf deploy` log. cdktf prefixes a line with the stack's name, indents the rest of a
 * diagnostic under it, and drops Terraform's box-drawing frame (kept here in case a version prints it):
 *
 *     substrate  Error: timeout while waiting for state to become 'Ready' (last state: 'Commissioning', timeout: 1h0m0s)
 *
 *                  with maas_machine.worker-worker-3_machine_70B75884 (worker-worker-3/machine),
 *                  on cdk.tf.json line 371, in resource.maas_machine.worker-worker-3_machine_70B75884 (worker-worker-3/machine):
 *                 371:       }
 *
 *                The machine PXE boots on a VLAN MAAS does not know, where MAAS serves no DHCP,
 *                so commissioning never starts.
 */
export function terraformErrors(output: string, stack: string): Failure[] {
  const failures: Failure[] = [];
  let block: string[] | undefined;
  let blanks = 0;
  const end = () => {
    if (block) failures.push(failureOf(block));
    block = undefined;
  };
  for (const raw of output.split("\n")) {
    const line = raw
      .replace(/\x1b\[[0-9;]*m/g, "")
      .replace(new RegExp(`^${stack.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\s{2,}`), "")
      .replace(/^\s*[│╷╵]/, "")
      .trim();
    if (line.startsWith("Error: ")) {
      end();
      block = [line];
      blanks = 0;
    } else if (block) {
      blanks = line === "" ? blanks + 1 : 0;
      if (blanks >= 2 || line.startsWith("Warning: ") || /^\d+ Stacks? deploying|^Invoking Terraform CLI failed/.test(line)) end();
      else block.push(line);
    }
  }
  end();
  return failures;
}

function failureOf(lines: string[]): Failure {
  const summary = lines[0]!.replace(/^Error: /, "");
  const address = lines.map((l) => /^with (.+?),?$/.exec(l)?.[1]).find((a) => a);
  // Where it is in the JSON (the address says it better) and the source excerpt go; wrapped lines are joined.
  const detail = lines
    .slice(1)
    .filter((l) => !/^(with .+|on cdk\.tf\.json line \d+.*|\d+:.*)$/.test(l))
    .join("\n")
    .split(/\n{2,}/)
    .map((p) => p.replace(/\n/g, " ").trim())
    .filter(Boolean)
    .join("\n");
  return { summary, ...(address ? { address } : {}), detail };
}

/** `git` in the project, with an error that says what failed. */
function git(args: string[], what: string): string {
  const r = spawnSync("git", args, { cwd: PROJECT_ROOT, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.error) throw new RehearsalError(`rehearse: ${what} needs git, which could not be run (${r.error.message}); install git`);
  if (r.status !== 0) throw new RehearsalError(`rehearse: ${what} failed: git ${args.join(" ")}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Empties `dir` for a new run when it is a rehearsal folder (or new, or empty); refuses any other folder. */
export function prepareFolder(dir: string): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new RehearsalError(`rehearse: --dir ${dir} is a file; give a folder (it is created when missing)`);
    const entries = fs.readdirSync(dir);
    if (entries.length > 0 && !entries.includes(MARKER)) {
      throw new RehearsalError(`rehearse: ${dir} holds files and is not a rehearsal folder (no ${MARKER} in it); each run empties its folder, so give --dir a new or empty folder`);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, MARKER), "A rehearsal folder (npm run rehearse): emptied at the start of every run.\n");
}

/**
 * The site as the rehearsal applies it: state in the rehearsal folder (local, whatever the site's backend), images
 * read from the committed test image with its real checksum (the cloud stack's checksum step still runs), and the
 * Vault key files at absolute paths (they are relative to the site file's folder, which the copy leaves).
 */
export function rehearsalSite(text: string, source: string, stateDir: string): Record<string, unknown> {
  // Already checked by parseSite: a document the site rules accept.
  const data = loadYaml(text) as Record<string, unknown>;
  const sha256 = crypto.createHash("sha256").update(fs.readFileSync(TEST_IMAGE_FILE)).digest("hex");
  const cloud = data["cloud"] as { images?: Record<string, unknown>[] } | undefined;
  for (const image of cloud?.images ?? []) {
    delete image["url"];
    Object.assign(image, { file: TEST_IMAGE_FILE, sha256 });
  }
  const vault = data["vault"] as { pgpKeys?: string[] } | undefined;
  if (vault?.pgpKeys) vault.pgpKeys = vault.pgpKeys.map((k) => path.resolve(path.dirname(path.resolve(source)), k));
  data["state"] = { backend: "local", directory: stateDir };
  return data;
}

/** The environment every child runs under: built from nothing but PATH, so the operator's secrets stay out. */
export function childEnv(parent: NodeJS.ProcessEnv, dir: string, sim: Record<string, string>, credentials: TwinCredentials): Record<string, string> {
  const env: Record<string, string> = {
    PATH: parent["PATH"] ?? "/usr/bin:/bin",
    // cdktf, Terraform and npm write under HOME and TMPDIR: both inside the rehearsal folder.
    HOME: path.join(dir, "home"),
    TMPDIR: path.join(dir, "tmp"),
    LANG: "C.UTF-8",
    ...sim,
    // The operator's run gives the openstack stack its controller through TF_VAR_juju_*; JUJU_* stays unset, as there.
    ...Object.fromEntries(Object.entries(credentialEnv(credentials)).filter(([k]) => !k.startsWith("JUJU_"))),
    DISABLE_VERSION_CHECK: "true", // no npm registry lookup for a newer cdktf
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true", // else cdktf points TF_PLUGIN_CACHE_DIR at ~/.terraform.d/plugin-cache
    CDKTF_HOME: path.join(dir, "home", ".cdktf"),
    CI: "1",
    FORCE_COLOR: "0",
  };
  // Not secrets: which Terraform to run, and which hosts the operator allows to be destroyed.
  for (const k of ["TERRAFORM_BIN", "TERRAFORM_BINARY_NAME", "SITE_ALLOW_DESTROY"]) if (parent[k]) env[k] = parent[k]!;
  fs.mkdirSync(env["HOME"]!, { recursive: true });
  fs.mkdirSync(env["TMPDIR"]!, { recursive: true });
  return env;
}

/** One source tree the rehearsal synthesizes and deploys: the working tree, or the base ref's. */
export interface Tree {
  readonly label: string;
  readonly root: string;
  /** The site file's text and its name for messages. */
  readonly siteText: string;
  readonly siteSource: string;
}

/** A base ref, checked: its commit, and the site file as it is there. */
export interface BaseRef {
  readonly ref: string;
  readonly sha: string;
  /** The repository's top folder. */
  readonly top: string;
  readonly siteText: string;
  readonly siteSource: string;
}

/** Resolves `--base` before anything is written: the commit, and the site file at the same path in it. */
export function resolveBase(ref: string, siteFile: string): BaseRef {
  const top = git(["rev-parse", "--show-toplevel"], "--base").trim();
  const found = spawnSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], { cwd: PROJECT_ROOT, encoding: "utf8" });
  if (found.status !== 0) throw new RehearsalError(`rehearse: --base ${ref} names no commit in ${top}; give a branch, tag or commit, e.g. --base origin/main (after git fetch)`);
  const sha = found.stdout.trim();
  const rel = path.relative(top, fs.realpathSync(siteFile));
  if (rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new RehearsalError(`rehearse: --base ${ref} reads the site at that ref from git, but ${siteFile} is outside the repository ${top}; commit the site file in it, or rehearse without --base`);
  }
  const shown = spawnSync("git", ["show", `${sha}:${rel}`], { cwd: top, encoding: "utf8", maxBuffer: 1 << 30 });
  if (shown.status !== 0) {
    throw new RehearsalError(`rehearse: ${rel} does not exist at ${ref} (${sha.slice(0, 12)}), so there is no state for the change to meet; rehearse this new site without --base`);
  }
  return { ref, sha, top, siteText: shown.stdout, siteSource: `${rel}@${ref}` };
}

/** The base ref's tree, unpacked into `dest`, sharing the working tree's node_modules (and .gen when the bindings' inputs are the same). */
export function baseTree(base: BaseRef, dest: string): Tree & { notes: string[] } {
  const { ref, sha, top } = base;
  fs.mkdirSync(dest, { recursive: true });
  const archive = spawnSync("git", ["archive", "--format=tar", sha], { cwd: top, maxBuffer: 1 << 30 });
  if (archive.status !== 0) throw new RehearsalError(`rehearse: git archive ${sha} failed: ${archive.stderr.toString().trim()}`);
  const untar = spawnSync("tar", ["-x", "-C", dest], { input: archive.stdout });
  if (untar.status !== 0) throw new RehearsalError(`rehearse: unpacking the base tree failed (tar: ${untar.error?.message ?? untar.stderr.toString().trim()}); install tar`);
  const root = path.join(dest, path.relative(top, PROJECT_ROOT));
  const notes: string[] = [];
  fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  if (spawnSync("git", ["diff", "--quiet", sha, "--", "package-lock.json"], { cwd: PROJECT_ROOT }).status !== 0) {
    notes.push(`the base ${ref} has another package-lock.json; it ran with the working tree's node_modules`);
  }
  // The bindings are generated from the vendored schemas: the same inputs make the same .gen, so share it.
  if (spawnSync("git", ["diff", "--quiet", sha, "--", "providers", "tools/bindings", "cdktf.json"], { cwd: PROJECT_ROOT }).status === 0) {
    fs.symlinkSync(path.join(PROJECT_ROOT, ".gen"), path.join(root, ".gen"), "dir");
  } else {
    const get = spawnSync(process.execPath, [path.join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "tools/bindings/generate.ts"], { cwd: root, encoding: "utf8" });
    if (get.status !== 0) throw new RehearsalError(`rehearse: generating the base ${ref}'s provider bindings failed:\n${get.stdout}${get.stderr}`);
  }
  return { label: `base ${ref} (${sha.slice(0, 12)})`, root, siteText: base.siteText, siteSource: base.siteSource, notes };
}

export interface Io {
  readonly out: (s: string) => void;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

/** Runs a command, its output (secrets scrubbed) into `logFile`; `onOutput` sees it as it comes. */
function runLogged(cmd: string, args: string[], cwd: string, env: Record<string, string>, logFile: string, onOutput?: (chunk: string) => void): Promise<{ code: number; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const take = (d: Buffer) => {
      const s = d.toString();
      output += s;
      onOutput?.(s);
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", reject);
    child.on("close", (code) => {
      fs.mkdirSync(path.dirname(logFile), { recursive: true });
      fs.writeFileSync(logFile, scrubSecrets(output, env));
      resolve({ code: code ?? 1, output, ms: Date.now() - started });
    });
  });
}

/** The warnings cdktf recorded per stack at synth (manifest.json annotations), as "<stack>: <message>". */
export function synthWarnings(outDir: string): string[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, "manifest.json"), "utf8")) as {
    stacks: Record<string, { annotations?: { level: string; message: string }[] }>;
  };
  return Object.entries(manifest.stacks).flatMap(([stack, s]) => (s.annotations ?? []).filter((a) => a.level === "@cdktf/warn").map((a) => `${stack}: ${a.message}`));
}

export class StackFailed extends Error {
  constructor(readonly stack: string, readonly failures: Failure[], readonly log: string, readonly tail: string) {
    super(`stack ${stack} failed`);
  }
}

export interface RunContext {
  readonly dir: string;
  readonly stateDir: string;
  readonly env: Record<string, string>;
  readonly io: Io;
  readonly steps: StepResult[];
}

export interface Synthesized {
  readonly tree: Tree;
  readonly outDir: string;
  /** The rehearsal's copy of the site (rehearsalSite) the output was synthesized from. */
  readonly siteFile: string;
  /** Step names start with it: "base: ", "change: " or "". */
  readonly prefix: string;
}

/** Synthesizes a tree's site, as the rehearsal rewrites it, into `<dir>/<name>`, with the tree's own app. */
export async function synthTree(tree: Tree, name: string, prefix: string, ctx: RunContext): Promise<Synthesized> {
  const outDir = path.join(ctx.dir, name);
  const siteFile = path.join(ctx.dir, `${name}.site.json`);
  fs.writeFileSync(siteFile, JSON.stringify(rehearsalSite(tree.siteText, tree.siteSource, ctx.stateDir), null, 2));
  const log = path.join(ctx.dir, "logs", `${prefix}synth.log`.replace(/: /g, "-"));
  ctx.io.out(`${tree.label}: synth ${tree.siteSource}\n`);
  const r = await runLogged(process.execPath, [path.join(tree.root, "tools", "app", "run.cjs")], tree.root, { ...ctx.env, SITE: siteFile, CDKTF_OUTDIR: outDir }, log);
  if (r.code !== 0) {
    // A site the app refuses: its own message says what and how to fix it.
    throw new RehearsalError(`rehearse: synth of ${tree.label} failed (exit ${r.code}); ${prefix === "change: " ? "the base was deployed, the change was not" : "nothing was deployed"}:\n${scrubSecrets(r.output, ctx.env).trim()}\n(log: ${log})`);
  }
  ctx.steps.push({ step: `${prefix}synth`, ms: r.ms, log });
  return { tree, outDir, siteFile, prefix };
}

/** `cdktf deploy` of each synthesized stack, in dependency order, with progress; throws StackFailed at the first that fails. */
export async function deployStacks(s: Synthesized, ctx: RunContext): Promise<void> {
  const { io, env } = ctx;
  const stacks = discoverStacks(s.outDir);
  const cdktf = path.join(PROJECT_ROOT, "node_modules", ".bin", "cdktf");
  for (const [i, stack] of stacks.entries()) {
    const resources = Object.values((JSON.parse(fs.readFileSync(path.join(stack.dir, "cdk.tf.json"), "utf8")) as { resource?: Record<string, object> }).resource ?? {})
      .reduce((n, r) => n + Object.keys(r).length, 0);
    io.out(`  [${i + 1}/${stacks.length}] cdktf deploy ${stack.name} (${resources} resources) ...\n`);
    const log = path.join(ctx.dir, "logs", `${s.prefix}${stack.name}.deploy.log`.replace(/: /g, "-"));
    let done = 0;
    let lastReport = Date.now();
    // --skip-synth: the output was synthesized just before, by the same app; --skip-provider-lock: the lock
    // command asks the registry; --ignore-missing-stack-dependencies: one stack at a time, in order.
    const args = ["deploy", stack.name, "--auto-approve", "--skip-synth", "--skip-provider-lock", "--ignore-missing-stack-dependencies", "--output", s.outDir];
    const r = await runLogged(cdktf, args, s.tree.root, { ...env, SITE: s.siteFile }, log, (chunk) => {
      done += (chunk.match(/: (Creation|Modifications|Destruction|Import) complete/g) ?? []).length;
      if (Date.now() - lastReport > 15_000) {
        lastReport = Date.now();
        io.out(`        ${stack.name}: ${done} of ${resources} resources applied so far\n`);
      }
    });
    const counts = applyCounts(r.output);
    if (r.code !== 0 || !counts) throw new StackFailed(stack.name, terraformErrors(r.output, stack.name), log, scrubSecrets(r.output, env).trim().split("\n").slice(-15).join("\n"));
    io.out(`        ${describeCounts(counts)} (${seconds(r.ms)})\n`);
    ctx.steps.push({ step: `${s.prefix}deploy ${stack.name}`, ms: r.ms, counts, log });
  }
}

export function describeCounts(c: Counts): string {
  if (c.added + c.imported + c.changed + c.destroyed === 0) return "no changes";
  return `${c.added} created, ${c.imported} imported, ${c.changed} changed, ${c.destroyed} destroyed`;
}

/** The plan preview (tools/reports/run-stacks.ts preview) of a synthesized output, and which stacks it found changes in. */
export function planPreview(outDir: string, plansDir: string, env: Record<string, string>, log: string): { ms: number; report: string; changed: string[]; failed: string[] } {
  const started = Date.now();
  let text = "";
  const code = runStacks(
    ["preview", "--no-synth", "--cdktf-out", outDir, "--out-dir", plansDir],
    {
      stdout: () => undefined, // the report is in plan-report.md
      stderr: (s) => (text += s),
      writeFile: (file, content) => {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
      },
    },
    env,
  );
  fs.writeFileSync(log, scrubSecrets(text, env));
  // run-stacks writes <stack>.json for each stack it planned; one without it failed, or was skipped for want of inputs.
  const stacks = discoverStacks(outDir).map((s) => ({ name: s.name, file: path.join(plansDir, `${s.name}.json`) }));
  const changed = stacks.filter((s) => fs.existsSync(s.file) && hasChanges(summarizePlan(s.name, parsePlan(fs.readFileSync(s.file, "utf8"), s.file)))).map((s) => s.name);
  const notPlanned = stacks.filter((s) => !fs.existsSync(s.file)).map((s) => s.name);
  const failed = notPlanned.length ? notPlanned : code !== 0 ? ["run-stacks"] : [];
  return { ms: Date.now() - started, report: path.join(plansDir, "plan-report.md"), changed, failed };
}

export interface RehearseOptions {
  /** The site selection, as SITE gives it (a name in sites/ or a path). */
  readonly site: string;
  readonly dir?: string;
  readonly base?: string;
}

export interface Rehearsal {
  readonly ok: boolean;
  readonly summary: string;
}

const VERIFY_SKIPPED = "skipped offline (see below)";
const VERIFY_WHY =
  "npm run verify checks the running cloud through the juju, openstack and ping CLIs (units active, Ceph health, API endpoints, a tenant VM); " +
  "the twin stands for the providers' APIs, not for the workloads they start, and the day-one fakes (tools/dayone/fakes) script a world of their own, so a pass would prove nothing. " +
  "Run it on the lab after deploy";

/** The whole rehearsal; resolves with the summary, or throws RehearsalError for a user error. */
export async function rehearse(opts: RehearseOptions, parentEnv: NodeJS.ProcessEnv, io: Io): Promise<Rehearsal> {
  const started = Date.now();
  const terraform = parentEnv["TERRAFORM_BIN"] || "terraform";
  const version = spawnSync(terraform, ["version"], { encoding: "utf8", env: { PATH: parentEnv["PATH"] ?? "", CHECKPOINT_DISABLE: "1" } });
  if (version.error || version.status !== 0) {
    throw new RehearsalError(`rehearse: ${terraform} could not be run (${version.error?.message ?? version.stderr.trim()}); the rehearsal runs the real Terraform against the twin: install Terraform ≥ 1.6 and put it on PATH (README "Before the first plan")`);
  }
  const siteFile = resolveSitePath(opts.site, "SITE");
  const siteSource = path.relative(process.cwd(), siteFile) || siteFile;
  const headText = fs.readFileSync(siteFile, "utf8");
  const head: Site = parseSite(headText, siteSource, parentEnv["SITE_ALLOW_DESTROY"]);
  // Every check before the folder is emptied: a mistyped ref must not cost the last rehearsal.
  const baseRef = opts.base ? resolveBase(opts.base, siteFile) : undefined;
  const first: Site = baseRef ? parseSite(baseRef.siteText, baseRef.siteSource, parentEnv["SITE_ALLOW_DESTROY"]) : head;
  const dir = path.resolve(opts.dir ?? path.join(PROJECT_ROOT, ".rehearsal", head.name));
  prepareFolder(dir);
  const steps: StepResult[] = [];
  const notes: string[] = [];
  const stateDir = path.join(dir, "state");
  const worldDir = path.join(dir, "world");

  const baseStarted = Date.now();
  const base = baseRef ? baseTree(baseRef, path.join(dir, "base-tree")) : undefined;
  if (base) {
    notes.push(...base.notes);
    steps.push({ step: "unpack base tree", ms: Date.now() - baseStarted });
  }
  // The world is the lab before the first plan: as the site that gets applied first describes it.
  const seedStarted = Date.now();
  const install = ensureSimulator({ stateDir: path.join(dir, "sim"), worldDir });
  const { credentials } = seedWorlds(first, worldDir);
  const env = childEnv(parentEnv, dir, simulatorEnv(install, worldDir), credentials);
  steps.push({ step: "seed twin world", ms: Date.now() - seedStarted, note: `throwaway credentials in ${path.relative(dir, path.join(worldDir, "credentials.json"))}` });

  const summaryOf = (ok: boolean, failure?: string): Rehearsal => ({ ok, summary: renderSummary({ head, siteSource, dir, base: opts.base, steps, warnings, notes, ok, failure, ms: Date.now() - started }) });
  let warnings: string[] = [];
  let previewFailed = false;
  const ctx: RunContext = { dir, stateDir, env, io, steps };
  const working: Tree = { label: base ? "change (working tree)" : "working tree", root: PROJECT_ROOT, siteText: headText, siteSource };
  try {
    if (base) {
      await deployStacks(await synthTree(base, "base-out", "base: ", ctx), ctx);
      const cabled = cableWorkers(head, worldDir);
      if (cabled.length) notes.push(`cabled in the twin before the change, as the operator would: ${cabled.join(", ")}`);
    }
    const change = await synthTree(working, "out", base ? "change: " : "", ctx);
    warnings = synthWarnings(change.outDir);
    if (base) {
      // The preview a pull request gets: the working tree's plan against the base's state, before any of it is applied.
      io.out(`change: plan preview against the base's state\n`);
      const p = planPreview(change.outDir, path.join(dir, "change-plans"), env, path.join(dir, "logs", "change-plan-preview.log"));
      previewFailed = p.failed.length > 0;
      steps.push({ step: "change: plan preview", ms: p.ms, note: p.failed.length ? `failed in ${p.failed.join(", ")}` : p.changed.length ? `changes in ${p.changed.join(", ")}` : "no changes" });
      // A failed plan fails the deploy too, which names the stack, the resource and the twin's message: go on to it.
    }
    await deployStacks(change, ctx);
    if (base && previewFailed) return summaryOf(false, `the plan preview of the change failed but its deploy did not; see ${path.join(dir, "change-plans", "plan-report.md")}`);
  } catch (err) {
    if (!(err instanceof StackFailed)) throw err;
    const lines = err.failures.length
      ? err.failures.map((f) => `  ${f.address ?? "(no resource named)"}: ${f.summary}${f.detail ? `\n    ${f.detail.split("\n").join("\n    ")}` : ""}`)
      : [`  cdktf deploy gave no Terraform error; its last lines:\n    ${err.tail.split("\n").join("\n    ")}`];
    io.out(`        FAILED\n`);
    return summaryOf(false, `stack ${err.stack}: the twin refused the apply\n${scrubSecrets(lines.join("\n"), env)}\n  full log: ${err.log}`);
  }
  steps.push({ step: "verify", ms: 0, note: VERIFY_SKIPPED });
  notes.push(`verify: ${VERIFY_WHY}`);
  io.out(`plan preview of every stack, after deploy\n`);
  const after = planPreview(path.join(dir, "out"), path.join(dir, "plans"), env, path.join(dir, "logs", "plan-preview.log"));
  const converged = after.failed.length === 0 && after.changed.length === 0;
  steps.push({ step: "plan preview", ms: after.ms, note: after.failed.length ? `failed in ${after.failed.join(", ")}` : converged ? "no changes in any stack" : `changes left in ${after.changed.join(", ")}` });
  if (!converged) {
    return summaryOf(false, after.failed.length ? `the plan preview failed after deploy (${after.failed.join(", ")}); see ${after.report}` : `the deployed stacks still plan changes (${after.changed.join(", ")}): a second deploy would change them again; see ${after.report}`);
  }
  return summaryOf(true);
}

function renderSummary(r: {
  head: Site;
  siteSource: string;
  dir: string;
  base?: string;
  steps: StepResult[];
  warnings: string[];
  notes: string[];
  ok: boolean;
  failure?: string;
  ms: number;
}): string {
  // Relative to where the operator stands when that is shorter, else absolute.
  const rel = (p: string) => {
    const r = path.relative(process.cwd(), p);
    return r === "" ? "." : r.startsWith("..") ? p : r;
  };
  const width = Math.max(...r.steps.map((s) => s.step.length));
  const rows = r.steps.map((s) => {
    const what = s.counts ? describeCounts(s.counts) : (s.note ?? "");
    return `  ${s.step.padEnd(width)}  ${(s.note === VERIFY_SKIPPED ? "—" : seconds(s.ms)).padStart(7)}  ${what}`.trimEnd();
  });
  const lines = [
    "",
    `Rehearsal of site ${r.head.name} (${r.siteSource})${r.base ? ` as a change from ${r.base}` : ""} against the twin: ${r.ok ? "PASSED" : "FAILED"} in ${seconds(r.ms)}`,
    ...rows,
  ];
  if (r.failure) lines.push("", `FAILED: ${r.failure}`);
  if (r.warnings.length) lines.push("", `${r.warnings.length} warning${r.warnings.length === 1 ? "" : "s"} from synth:`, ...r.warnings.map((w) => `  - ${w}`));
  lines.push(
    "",
    "Offline stand-ins (what differs from the lab):",
    `  - state: local, in ${rel(path.join(r.dir, "state"))}/ (the site's own state backend is not touched)`,
    `  - images: every cloud image is ${rel(TEST_IMAGE_FILE)} with its SHA-256, so nothing is downloaded`,
    "  - the Juju controller: the twin does not bootstrap one; the openstack stack reaches the controller seeded in the world, through TF_VAR_juju_* as the operator sets them from the juju-controller stack's outputs",
    "  - credentials: throwaway, made for this run; none of your environment's secrets were passed on",
    ...r.notes.map((n) => `  - ${n}`),
    "",
    `Rehearsal folder: ${rel(r.dir)}/ (logs in ${rel(path.join(r.dir, "logs"))}/; plan preview: ${rel(path.join(r.dir, "plans", "plan-report.md"))}${r.base ? `; the change's preview, as its pull request gets it: ${rel(path.join(r.dir, "change-plans", "plan-report.md"))}` : ""})`,
  );
  return lines.join("\n") + "\n";
}
