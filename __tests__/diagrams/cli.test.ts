/**
 * `npm run diagrams` end to end (in a child process: Graphviz-in-WebAssembly is an ES module): the SVGs
 * name everything in the model, and this run writes the same bytes as the run that produced the committed
 * figures and the generated section of docs/architecture.md (deterministic, and up to date).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planDeployment } from "../../constructs/openstack/deployment";
import { loadSite, PROJECT_ROOT } from "../../constructs/site/load";
import { BEGIN, END } from "../../tools/diagrams/docs";
import { fontFiles, svgToPng } from "../../tools/diagrams/png";

const TSX = path.join(PROJECT_ROOT, "node_modules", ".bin", "tsx");
const MAIN = path.join(PROJECT_ROOT, "tools", "diagrams", "main.ts");
const DOCS = path.join(PROJECT_ROOT, "docs");
const SITES = ["default", "scale-50"];

const run = (out: string, ...args: string[]) =>
  execFileSync(TSX, [MAIN, "--out", out, ...args], { cwd: PROJECT_ROOT, encoding: "utf8", env: { ...process.env, SITE: "" } });

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "diagrams-"));
const first = path.join(tmp, "a", "diagrams");
const siteArgs = SITES.flatMap((s) => ["--site", s]);

beforeAll(() => {
  run(first, ...siteArgs, "--no-png");
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const svgText = (svg: string) => svg.replace(/&#45;/g, "-").replace(/&amp;/g, "&").replace(/&#160;/g, " ");

describe.each(SITES)("site %s", (name) => {
  const site = loadSite({ site: name });
  const dir = (root: string) => path.join(root, site.name);
  const read = (root: string, file: string) => fs.readFileSync(path.join(dir(root), file), "utf8");

  it("writes both figures as SVG and Mermaid into <out>/<site name>/", () => {
    expect(fs.readdirSync(dir(first)).sort()).toEqual(["network.mmd", "network.svg", "services.mmd", "services.svg"]);
    expect(read(first, "network.svg")).toMatch(/^<\?xml[\s\S]*<svg[\s\S]*<\/svg>\s*$/);
  });

  it("the network SVG names every segment, the controller, every VM and every worker", () => {
    const svg = svgText(read(first, "network.svg"));
    for (const s of site.segments) expect(svg).toContain(`${s.purpose} · VLAN ${s.vlan} · ${s.cidr}`);
    for (const host of [site.controller.hostname, ...site.controller.vms.map((v) => v.hostname), ...site.workers.map((w) => w.hostname)]) {
      expect(svg).toMatch(new RegExp(`\\b${host}\\b`));
    }
  });

  it("the services SVG names every application and machine of planDeployment", () => {
    const svg = svgText(read(first, "services.svg"));
    const plan = planDeployment(site);
    for (const app of plan.applications) expect(svg).toContain(app.name);
    for (const m of plan.machines.filter((x) => x.kind !== "container")) expect(svg).toMatch(new RegExp(`\\b${m.name}\\b`));
  });

  it("is deterministic and the committed figures are up to date (run npm run diagrams -- --all if this fails)", () => {
    for (const file of ["network.svg", "network.mmd", "services.svg", "services.mmd"]) {
      expect(read(path.join(DOCS, "diagrams"), file)).toBe(read(first, file));
    }
    for (const png of ["network.png", "services.png"]) {
      expect(fs.readFileSync(path.join(DOCS, "diagrams", site.name, png)).subarray(1, 4).toString()).toBe("PNG");
    }
  });
});

it("rewrites only the generated section of architecture.md, with the default site's Mermaid, and the committed one matches", () => {
  const section = (text: string) => text.slice(text.indexOf(BEGIN), text.indexOf(END) + END.length);
  const generated = fs.readFileSync(path.join(first, "..", "architecture.md"), "utf8");
  const site = loadSite({ site: "default" });
  expect(section(generated)).toContain(fs.readFileSync(path.join(first, site.name, "network.mmd"), "utf8").trimEnd());
  expect(section(generated)).toContain(fs.readFileSync(path.join(first, site.name, "services.mmd"), "utf8").trimEnd());
  const committed = fs.readFileSync(path.join(DOCS, "architecture.md"), "utf8");
  expect(committed.startsWith("# Architecture")).toBe(true);
  expect(section(committed).replace(/\[[a-z]+\.png\]\([^)]*\), /g, "")).toBe(section(generated));
});

it("renders the same PNG twice from the same SVG", () => {
  const svg = fs.readFileSync(path.join(DOCS, "diagrams", "guia-implantacao", "network.svg"), "utf8");
  const fonts = fontFiles();
  const png = svgToPng(svg, fonts);
  expect(png.subarray(1, 4).toString()).toBe("PNG");
  expect(png.readUInt32BE(16)).toBeGreaterThan(1000); // width: legible, not a thumbnail
  expect(svgToPng(svg, fonts).equals(png)).toBe(true);
});

it("fails with the fix for an unknown site, writing nothing", () => {
  const out = path.join(tmp, "c");
  const bad = spawnSync(TSX, [MAIN, "--out", out, "--site", "no-such-site"], { cwd: PROJECT_ROOT, encoding: "utf8" });
  expect(bad.status).not.toBe(0);
  expect(bad.stderr).toMatch(/no site named "no-such-site".*known: .*default\.yaml/);
  expect(fs.existsSync(out)).toBe(false);
});
