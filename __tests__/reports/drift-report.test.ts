import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXIT_CLEAN, EXIT_DRIFT, EXIT_ERROR, main } from "../../tools/reports/drift-report";
import { code } from "../../tools/reports/markdown";
import { kindOf } from "../../tools/reports/plan-json";
import { renderDriftReport } from "../../tools/reports/render-drift";
import { formatPath, attributeDiffs } from "../../tools/reports/values";
import { captureIo, scenarioFile, scenarioPlan, scenarioSources, secretValues, useRealPlans } from "./helpers";

useRealPlans();

describe("drift-report", () => {
  test.each(scenarioSources("drift"))("names each drifted object and attribute (%s), with sensitive values masked", (src) => {
    const plan = scenarioPlan("drift", src);
    expect(plan.resource_drift.length).toBeGreaterThan(0);
    const { drifted, markdown } = renderDriftReport("substrate", plan);
    expect(drifted).toBe(true);
    expect(markdown.split("\n")[0]).toBe("<!-- drift:substrate -->");
    expect(markdown).toContain("## Drift in stack <code>substrate</code>");
    expect(markdown).toContain(`**${plan.resource_drift.length} object`);
    for (const rc of plan.resource_drift) {
      const kind = kindOf(rc.change.actions);
      expect(markdown).toContain(`#### <code>${rc.address}</code>: ${kind === "delete" ? "deleted" : "changed"} outside Terraform`);
      if (kind !== "update") continue;
      const diffs = attributeDiffs(rc.change);
      expect(diffs.length).toBeGreaterThan(0);
      for (const d of diffs) expect(markdown).toContain(`| ${code(formatPath(d.path))} | ${d.before === undefined ? "" : code(d.before)} | ${d.after === undefined ? "" : code(d.after)} |`);
    }
    const secrets = secretValues(plan);
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(markdown).not.toContain(s);
    expect(markdown).toMatch(/<code>\((sensitive|masked)\)<\/code>/);
  });

  test("the hand-written drift masks a token the provider does not mark, by its name", () => {
    const plan = scenarioPlan("drift", "hand-written");
    expect(renderDriftReport("substrate", plan).markdown).toContain("| <code>token</code> | <code>(masked)</code> | <code>(masked)</code> |");
  });

  test.each(scenarioSources("drift-clean"))("a clean refresh-only plan (%s) says so", (src) => {
    const { drifted, markdown } = renderDriftReport("openstack", scenarioPlan("drift-clean", src));
    expect(drifted).toBe(false);
    expect(markdown).toContain("## No drift in stack <code>openstack</code>");
    expect(markdown).toContain("The real infrastructure matches Terraform's state");
  });
});

describe("drift-report CLI exit codes", () => {
  const dir = mkdtempSync(join(tmpdir(), "drift-report-"));

  test("0 when clean, with the report on stdout", () => {
    const c = captureIo();
    expect(main(["--stack", "openstack", scenarioFile("drift-clean")], c.io)).toBe(EXIT_CLEAN);
    expect(c.stdout.join("")).toContain("No drift in stack <code>openstack</code>");
  });

  test("2 on drift, the report in --out and a one-line note on stderr", () => {
    const c = captureIo();
    const out = join(dir, "substrate.drift.md");
    expect(main(["--stack", "substrate", "--out", out, scenarioFile("drift")], c.io)).toBe(EXIT_DRIFT);
    expect(c.files.get(out)).toContain("## Drift in stack <code>substrate</code>");
    expect(c.stderr.join("")).toMatch(/stack substrate: \d+ object\(s\) drifted/);
  });

  test("1 on a missing file, a file that is not JSON, a state instead of a plan, or a wrong call", () => {
    const notJson = join(dir, "bad.json");
    writeFileSync(notJson, "Error: Failed to load plugin schemas\n");
    const state = join(dir, "state.json");
    writeFileSync(state, JSON.stringify({ format_version: "1.0", terraform_version: "1.11.4", values: { root_module: {} } }));
    const empty = join(dir, "empty.json");
    writeFileSync(empty, "");
    const cases: [string[], RegExp][] = [
      [[join(dir, "missing.json")], /missing\.json: no such file/],
      [[notJson], /bad\.json: not JSON/],
      [[state], /state\.json: not a Terraform plan \(this looks like a state/],
      [[empty], /empty\.json: empty file/],
      [[], /expected exactly one plan, got 0/],
      [[scenarioFile("drift"), scenarioFile("drift-clean")], /expected exactly one plan, got 2/],
      [["--bogus", scenarioFile("drift")], /Unknown option '--bogus'/],
    ];
    for (const [args, message] of cases) {
      const c = captureIo();
      expect([args, main(args, c.io)]).toEqual([args, EXIT_ERROR]);
      expect(c.stderr.join("")).toMatch(/^drift-report: /);
      expect(c.stderr.join("")).toMatch(message);
      expect(c.stdout).toEqual([]);
    }
  });
});

describe("the CLIs as processes", () => {
  const { spawnSync } = jest.requireActual<typeof import("node:child_process")>("node:child_process");
  const tsx = join(__dirname, "../../node_modules/.bin/tsx");
  const run = (script: string, args: string[]) => spawnSync(tsx, [join(__dirname, "../../tools/reports", script), ...args], { encoding: "utf8" });

  test("drift-report exits 0, 2 and 1 and plan-report 0 and 1", () => {
    expect(run("drift-report.ts", [scenarioFile("drift-clean")]).status).toBe(0);
    const drift = run("drift-report.ts", [scenarioFile("drift")]);
    expect(drift.status).toBe(2);
    expect(drift.stdout).toContain("## Drift in stack");
    const bad = run("drift-report.ts", ["/nonexistent.json"]);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("drift-report: /nonexistent.json: no such file");
    expect(run("plan-report.ts", [scenarioFile("creates")]).status).toBe(0);
    expect(run("plan-report.ts", ["/nonexistent.json"]).status).toBe(1);
  });
});
