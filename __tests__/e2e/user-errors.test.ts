/**
 * Every error caused by the user's input or environment, through cdktf.json's app command as `npm run synth` and
 * `cdktf synth` run it: exit 1, a message naming the field or setting with the fix (every problem at once), no
 * JavaScript stack trace, and no output folder. After a good synth: the summary on stderr, nothing on stdout.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, appScript, defaultSite, tempDirsRemovedAfterAll, type SiteData } from "./harness";
import { expectedCreates, siteModel } from "../../tools/testbench/scenarios";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, env: NodeJS.ProcessEnv, cwd = ROOT): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn("node", [script], { cwd, env: { ...process.env, SITE: "", SITE_ALLOW_DESTROY: "", CDKTF_CONTEXT_JSON: "", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** Temporary folders, removed after the file's tests. */
const tempDir = tempDirsRemovedAfterAll();

const STACK_FRAME = /^\s+at /m;

interface Case {
  readonly name: string;
  /** The site file's text, or an edit of the default site; neither: the default site. */
  readonly site?: ((s: SiteData) => void) | string;
  readonly env?: (work: string) => NodeJS.ProcessEnv;
  /** Every field or setting the message must name, as "  - <field>: ". */
  readonly fields: readonly string[];
}

const CASES: readonly Case[] = [
  { name: "an OpenStack release outside the catalog", site: (s) => (s.openstack.release = "2023.2"), fields: ["openstack.release"] },
  { name: "a base outside the catalog", site: (s) => (s.openstack.base = "ubuntu@24.04"), fields: ["openstack.base"] },
  { name: "a channel for a charm not deployed", site: (s) => (s.openstack.channels = { valut: "1.8/stable" }), fields: ["openstack.channels.valut"] },
  { name: "a malformed channel", site: (s) => (s.openstack.channels = { vault: "1.8/stabel" }), fields: ["openstack.channels.vault"] },
  { name: "an unknown charm option", site: (s) => (s.openstack.config = { keystone: { debgu: true } }), fields: ["openstack.config.keystone.debgu"] },
  { name: "an option value of the wrong type", site: (s) => (s.openstack.config = { keystone: { "token-expiration": "two hours" } }), fields: ["openstack.config.keystone.token-expiration"] },
  { name: "an unknown application", site: (s) => (s.openstack.config = { keystone2: { debug: true } }), fields: ["openstack.config.keystone2"] },
  {
    name: "management segments in two MAAS spaces",
    site: (s) => s.segments.push({ name: "management-rack2", purpose: "management", vlan: 21, cidr: "10.21.0.0/24", space: "mgmt2", dhcp: false }),
    fields: ["segments[3].space"],
  },
  {
    name: "several problems at once, of the file and of its OpenStack settings",
    site: (s) => {
      s.workers[1].nics[0].address = "10.20.0.210";
      s.openstack.release = "2023.2";
      s.openstack.config = { keystone: { debgu: true } };
    },
    fields: ["workers[1].nics[0].address", "openstack.release", "openstack.config.keystone.debgu"],
  },
  {
    name: "a management segment without DHCP that workers PXE boot on",
    site: (s) => (s.segments.find((g: { name: string }) => g.name === "management").dhcp = false),
    fields: ["segments[1].dhcp"],
  },
  {
    name: "an untagged controller NIC on a DHCP segment",
    site: (s) => (s.controller.nics[0].tagged = false),
    fields: ["controller.nics[0].tagged"],
  },
  { name: "a secret in the site file", site: (s) => (s.workers[0].bmc.password = "hunter2"), fields: ["workers[0].bmc"] },
  { name: "malformed YAML", site: "name: [unclosed\n", fields: ["line 2"] },
  { name: "SITE naming no known site", env: () => ({ SITE: "nowhere" }), fields: ["SITE"] },
  { name: "SITE naming a missing file", env: (w) => ({ SITE: path.join(w, "missing.yaml") }), fields: ["SITE"] },
  { name: "SITE naming a folder", env: (w) => ({ SITE: w }), fields: ["SITE"] },
  { name: "a cdktf context that is not JSON", env: () => ({ CDKTF_CONTEXT_JSON: "{site:" }), fields: ["CDKTF_CONTEXT_JSON"] },
  { name: "a cdktf context site that is not a string", env: () => ({ CDKTF_CONTEXT_JSON: '{"site":["a","b"]}' }), fields: ['cdktf context "site"'] },
];

describe("a user error is a message, not a trace, and nothing is written", () => {
  const root = tempDir("user-errors");
  const results = new Map<string, { run: Run; out: string }>();

  beforeAll(async () => {
    const script = appScript();
    // Two at a time: the machine has two cores.
    const queue = CASES.map((c, i) => async () => {
      const work = path.join(root, String(i));
      fs.mkdirSync(work);
      const env: NodeJS.ProcessEnv = { CDKTF_OUTDIR: path.join(work, "out"), ...c.env?.(work) };
      if (c.site !== undefined) {
        const file = path.join(work, typeof c.site === "string" ? "site.yaml" : "site.json");
        const data = typeof c.site === "string" ? c.site : defaultSite();
        if (typeof c.site !== "string") c.site(data);
        fs.writeFileSync(file, typeof data === "string" ? data : JSON.stringify(data));
        env.SITE = file;
      }
      results.set(c.name, { run: await run(script, env), out: env.CDKTF_OUTDIR! });
    });
    const worker = async () => {
      for (let next = queue.shift(); next; next = queue.shift()) await next();
    };
    await Promise.all([worker(), worker()]);
  }, 120_000);

  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_, c) => {
    const { run: r, out } = results.get(c.name)!;
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 1, stdout: "" });
    expect(r.stderr).toMatch(new RegExp(`^\\S.*: ${c.fields.length} problems? in the site (file|selection); nothing was synthesized\\.\\n`));
    for (const field of c.fields) expect(r.stderr).toContain(`\n  - ${field}: `);
    expect(r.stderr).not.toMatch(STACK_FRAME);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("a missing tool or dependency is a message with the command that fixes it", () => {
  /** A project with only the launcher and cdktf.json: what a clone is before `npm ci`. */
  function bareProject(): string {
    const dir = tempDir("bare-project");
    fs.mkdirSync(path.join(dir, "tools", "app"), { recursive: true });
    fs.copyFileSync(path.join(ROOT, "tools", "app", "run.cjs"), path.join(dir, "tools", "app", "run.cjs"));
    fs.copyFileSync(path.join(ROOT, "cdktf.json"), path.join(dir, "cdktf.json"));
    return dir;
  }

  it("no node_modules: run npm ci", async () => {
    const dir = bareProject();
    const r = await run(path.join(dir, "tools", "app", "run.cjs"), {}, dir);
    expect(r).toEqual({ status: 1, stdout: "", stderr: "synth: the dependencies are not installed (no esbuild in node_modules); run npm ci. Nothing was synthesized.\n" });
  });

  it("no provider bindings: run npm run get", async () => {
    const dir = bareProject();
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
    const r = await run(path.join(dir, "tools", "app", "run.cjs"), {}, dir);
    expect(r).toEqual({ status: 1, stdout: "", stderr: "synth: the provider bindings are missing (.gen/providers); run npm run get (npm ci runs it too). Nothing was synthesized.\n" });
    expect(fs.existsSync(path.join(dir, "cdktf.out"))).toBe(false);
  });
});

describe("after a good synth", () => {
  it("prints what was made, where, the warnings and the next step on stderr; nothing on stdout", async () => {
    const out = path.join(tempDir("summary"), "out");
    const r = await run(appScript(), { CDKTF_OUTDIR: out });
    expect({ status: r.status, stdout: r.stdout }).toEqual({ status: 0, stdout: "" });
    const lines = r.stderr.trimEnd().split("\n");
    expect(lines[0]).toBe(`Synthesized site guia-implantacao (sites/default.yaml) into ${path.relative(ROOT, out)}/, 4 stacks in deployment order:`);
    expect(lines.slice(1, 5).map((l) => l.trim().split(/\s+/))).toEqual([
      ["1.", "substrate", "46", "resources"],
      ["2.", "juju-controller", "1", "resource"],
      ["3.", "openstack", "131", "resources"],
      ["4.", "cloud", String(expectedCreates(siteModel(defaultSite())).cloud), "resources"],
    ]);
    expect(lines[5]).toBe("3 warnings:");
    expect(lines.slice(6, 9).every((l) => /^  - openstack: all 3 \S+ units run on one physical host \(controller\)/.test(l))).toBe(true);
    expect(lines[9]).toMatch(/^Next: npm run preview plans every stack .*npx cdktf deploy <stack>, in the order above/);
    expect(lines).toHaveLength(10);
  });

  it("prints nothing under the cdktf CLI, which reports the stacks and warnings itself", async () => {
    const out = path.join(tempDir("summary-cli"), "out");
    const r = await run(appScript(), { CDKTF_OUTDIR: out, CDKTF_CONTEXT_JSON: JSON.stringify({ cdktfRelativeModules: [] }) });
    expect(r).toEqual({ status: 0, stdout: "", stderr: "" });
    expect(fs.existsSync(path.join(out, "manifest.json"))).toBe(true);
  });
});
