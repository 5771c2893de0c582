/**
 * `npm run rehearse -- --base HEAD` end to end, in a git repository of its own: a copy of this project committed as
 * the base, then a site change in its working tree. The base applies the default site from nothing (the operator's
 * first run); the change then meets that state. Real cdktf deploy and Terraform against the twin, offline.
 *
 * - adding a worker: the base creates what the site model says (tools/testbench/scenarios.ts), the change creates
 *   only the worker's objects, the plan preview after it shows no changes;
 * - pinning a wrong LXD server fingerprint (the site rules accept any 64 hex digits): the twin refuses, and the
 *   rehearsal fails naming the stack, the resource and the twin's message.
 *
 * Both run with canary secrets in the operator's environment: none reaches an output or a file, nothing is written
 * outside the rehearsal folder but the build caches, and the throwaway credentials stay out of logs and previews.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { dump, load } from "js-yaml";
import { STACKS, addWorker, expectedAdopted, expectedCreates, siteModel, type SiteData, type StackName } from "../../tools/testbench/scenarios";
import type { TwinCredentials } from "../../tools/simulator/seed";

const ROOT = path.join(__dirname, "..", "..");
const CANARIES: Record<string, string> = Object.fromEntries(
  ["TF_VAR_ipmi_password", "TF_VAR_juju_password", "TF_VAR_lxd_client_key", "MAAS_API_KEY", "JUJU_PASSWORD", "OS_PASSWORD", "OS_APPLICATION_CREDENTIAL_SECRET", "AWS_SECRET_ACCESS_KEY", "PG_CONN_STR", "TF_HTTP_PASSWORD"].map(
    (k) => [k, `canary-${k.toLowerCase()}-5e1b`],
  ),
);

let repo: string;
let home: string;
const siteFile = () => path.join(repo, "sites", "default.yaml");
const rehearsalDir = () => path.join(repo, ".rehearsal", "guia-implantacao");
const git = (...args: string[]) => spawnSync("git", ["-c", "user.name=rehearse", "-c", "user.email=rehearse@example.invalid", ...args], { cwd: repo, encoding: "utf8" });

/** Every file under `dir` (not following links) with its modification time. */
function files(dir: string, skip: string[] = []): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      // Links are the shared node_modules, .gen and build caches (and Terraform's provider links), not the run's writes.
      if (skip.includes(p) || e.isSymbolicLink()) continue;
      if (e.isDirectory()) visit(p);
      else out.set(p, fs.lstatSync(p).mtimeMs);
    }
  };
  visit(dir);
  return out;
}

function rehearse(): Promise<{ code: number; out: string; err: string }> {
  const tsx = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const env = { PATH: process.env["PATH"]!, HOME: home, TMPDIR: path.join(home, "..", "tmp"), ...CANARIES };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, "tools/rehearse/main.ts", "--base", "HEAD"], { cwd: repo, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}

/** The summary's row of a deploy step: "<prefix>deploy <stack>  1.2 s  <what>". */
function deployRow(out: string, phase: "base" | "change", stack: StackName): string {
  const m = new RegExp(`^  ${phase}: deploy ${stack}\\s+[\\d.]+ s  (.+)$`, "m").exec(out);
  if (!m) throw new Error(`no "${phase}: deploy ${stack}" row in:\n${out}`);
  return m[1]!;
}

/** Checks the folder after a run: no canary anywhere, the throwaway secrets only in the world and the state, nothing written elsewhere. */
function checkLeaksAndWrites(r: { out: string; err: string }, before: Map<string, number>): void {
  const dir = rehearsalDir();
  const credentials = JSON.parse(fs.readFileSync(path.join(dir, "world", "credentials.json"), "utf8")) as TwinCredentials;
  const throwaway = [credentials.ipmiPassword, credentials.maasApiKey.split(":")[2]!, credentials.juju.password, credentials.openstack.password];
  const leaks: string[] = [];
  for (const [text, where] of [[r.out, "stdout"], [r.err, "stderr"]] as const) {
    for (const c of Object.values(CANARIES)) if (text.includes(c)) leaks.push(`${where}: ${c}`);
    for (const t of throwaway) if (text.includes(t)) leaks.push(`${where}: a throwaway secret`);
  }
  for (const file of files(dir).keys()) {
    const text = fs.readFileSync(file, "latin1");
    for (const c of Object.values(CANARIES)) if (text.includes(c)) leaks.push(`${path.relative(dir, file)}: ${c}`);
    // The world (credentials.json, the twin's own records) and Terraform's state hold them by nature; saved plans stay in the stack folders.
    const mayHold = /^(world|state)\/|\.tfplan$|\/\.terraform\//.test(path.relative(dir, file));
    if (!mayHold) for (const t of throwaway) if (text.includes(t)) leaks.push(`${path.relative(dir, file)}: a throwaway secret`);
  }
  expect(leaks).toEqual([]);
  expect(fs.readdirSync(home)).toEqual([]);
  // Outside the rehearsal folder nothing changes (but the build caches, links here).
  const after = files(repo, [path.join(repo, ".git"), path.join(repo, ".rehearsal")]);
  const changed = [...after].filter(([f, t]) => before.get(f) !== t).map(([f]) => path.relative(repo, f));
  expect(changed.filter((f) => f !== "sites/default.yaml")).toEqual([]);
  expect(git("status", "--porcelain").stdout.trim()).toBe("M sites/default.yaml");
}

beforeAll(() => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "rehearse-e2e-"));
  repo = path.join(root, "repo");
  home = path.join(root, "home");
  fs.mkdirSync(home);
  fs.mkdirSync(path.join(root, "tmp"));
  // The project as it is now, tracked and untracked files alike; timestamps kept so that build caches stay fresh.
  const listed = spawnSync("git", ["ls-files", "-co", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" }).stdout.split("\0").filter(Boolean);
  for (const f of listed) if (fs.existsSync(path.join(ROOT, f))) fs.cpSync(path.join(ROOT, f), path.join(repo, f), { preserveTimestamps: true });
  git("init", "-q");
  git("add", "-A");
  expect(git("commit", "-qm", "base").status).toBe(0);
  // After the commit: .gitignore's "node_modules/" does not cover a link. The build caches (the app bundle in dist/,
  // the simulator's in .sim/) are shared too: with the timestamps kept, they are as fresh as this project's.
  for (const shared of ["node_modules", ".gen", "dist", ".sim"]) {
    fs.mkdirSync(path.join(ROOT, shared), { recursive: true });
    fs.symlinkSync(path.join(ROOT, shared), path.join(repo, shared), "dir");
    fs.appendFileSync(path.join(repo, ".git", "info", "exclude"), `/${shared}\n`);
  }
});

const editSite = (edit: (s: SiteData) => void): SiteData => {
  const s = load(fs.readFileSync(path.join(ROOT, "sites", "default.yaml"), "utf8")) as SiteData;
  edit(s);
  fs.writeFileSync(siteFile(), dump(s));
  return s;
};

it("a change that adds a worker: the base deploys the default site, the change creates only the worker's objects", async () => {
  const base = siteModel(load(fs.readFileSync(path.join(ROOT, "sites", "default.yaml"), "utf8")));
  const head = siteModel(editSite((s) => addWorker(s)));
  const before = files(repo, [path.join(repo, ".git")]);
  const r = await rehearse();
  expect({ code: r.code, err: r.err }).toEqual({ code: 0, err: "" });
  expect(r.out).toContain("as a change from HEAD against the twin: PASSED");

  const created = expectedCreates(base);
  const adopted = expectedAdopted(base);
  const headCreated = expectedCreates(head);
  for (const stack of STACKS) {
    expect(deployRow(r.out, "base", stack)).toBe(`${created[stack]} created, ${adopted[stack]} imported, ${adopted[stack]} changed, 0 destroyed`);
    const more = headCreated[stack] - created[stack];
    expect(deployRow(r.out, "change", stack)).toMatch(more === 0 ? /^no changes$/ : new RegExp(`^${more} created, 0 imported, \\d+ changed, 0 destroyed$`));
  }
  // The pull request's preview: every object it creates is worker-3's.
  const creates = STACKS.flatMap((stack) => {
    const plan = JSON.parse(fs.readFileSync(path.join(rehearsalDir(), "change-plans", `${stack}.json`), "utf8")) as { resource_changes?: { address: string; change: { actions: string[] } }[] };
    return (plan.resource_changes ?? []).filter((rc) => rc.change.actions.includes("create")).map((rc) => rc.address);
  });
  expect(creates.length).toBe(STACKS.reduce((n, stack) => n + headCreated[stack] - created[stack], 0));
  expect(creates.filter((a) => !/worker-3/.test(a))).toEqual([]);
  expect(r.out).toMatch(/^  plan preview\s+[\d.]+ s  no changes in any stack$/m);
  expect(fs.readFileSync(path.join(rehearsalDir(), "plans", "plan-report.md"), "utf8")).toContain("Terraform plan preview");
  expect(r.out).toContain("cabled in the twin before the change, as the operator would: worker-3");
  expect(r.out).toMatch(/^  verify\s+—  skipped offline/m);
  checkLeaksAndWrites(r, before);
}, 120_000);

it("a change the twin refuses (a wrong LXD server fingerprint) fails naming the stack, the resource and the twin's message", async () => {
  editSite((s) => (s.controller.lxd.serverFingerprint = "0123456789abcdef".repeat(4)));
  const before = files(repo, [path.join(repo, ".git")]);
  const r = await rehearse();
  expect(r.code).toBe(1);
  expect(r.out).toContain("against the twin: FAILED");
  expect(r.out).toMatch(/^FAILED: stack substrate: the twin refused the apply$/m);
  expect(r.out).toMatch(/^  lxd_storage_pool\.controller_storage-pool_\w+ \(controller\/storage-pool\): Trust token fingerprint does not match the provided server certificate fingerprint: "[0-9a-f]{64}" != "(0123456789abcdef){4}"$/m);
  expect(r.out).toContain(`full log: ${path.join(rehearsalDir(), "logs", "change-substrate.deploy.log")}`);
  expect(r.out).toMatch(/^  change: plan preview\s+[\d.]+ s  failed in substrate$/m);
  expect(r.out).not.toMatch(/^\s+at /m);
  checkLeaksAndWrites(r, before);
}, 120_000);
