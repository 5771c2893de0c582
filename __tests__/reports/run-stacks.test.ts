/**
 * run-stacks end to end with real Terraform: synthesized-stack directories whose resources are Terraform's built-in
 * terraform_data (no provider download), planned, applied, changed and planned again. The plan JSON here is real
 * `terraform show -json` output, including Terraform's own sensitive markers.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processIo } from "../../tools/reports/cli-io";
import { loadPlanFile, parsePlan } from "../../tools/reports/plan-json";
import { scrubSecrets } from "../../tools/reports/redact";
import { discoverStacks, main, stackEnv } from "../../tools/reports/run-stacks";

const hasTerraform = spawnSync("terraform", ["version"], { encoding: "utf8" }).status === 0;
const SECRET = "tf-var-secret-0f3c9a7e";

function stackJson(generation: number) {
  return {
    terraform: { required_version: ">= 1.5" },
    variable: { db_password: { type: "string", sensitive: true } },
    resource: {
      terraform_data: {
        worker: { input: { hostname: "node03", password: "${var.db_password}" }, triggers_replace: [`pxe-${generation === 0 ? "52:54:00:00:00:03" : "52:54:00:00:01:03"}`] },
        vlan: { input: { mtu: generation === 0 ? 1500 : 9000 } },
        ...(generation === 0 ? { old: { input: "to be removed" } } : { added: { input: "new" } }),
      },
    },
    output: { summary: { value: "${terraform_data.vlan.output}" } },
  };
}

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { ...processIo, stdout: (s: string) => out.push(s), stderr: (s: string) => err.push(s) } };
}

describe("discoverStacks", () => {
  test("orders stacks by their dependencies from manifest.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "manifest-"));
    writeFileSync(
      join(dir, "manifest.json"),
      JSON.stringify({ version: "0.21.0", stacks: { openstack: { workingDirectory: "stacks/openstack", dependencies: ["substrate"] }, substrate: { workingDirectory: "stacks/substrate", dependencies: [] } } }),
    );
    expect(discoverStacks(dir).map((s) => s.name)).toEqual(["substrate", "openstack"]);
    expect(discoverStacks(dir)[0]!.dir).toBe(join(dir, "stacks/substrate"));
  });

  test("falls back to the stack directories that hold a cdk.tf.json", () => {
    const dir = mkdtempSync(join(tmpdir(), "stacks-"));
    for (const s of ["substrate", "openstack", "empty"]) mkdirSync(join(dir, "stacks", s), { recursive: true });
    for (const s of ["substrate", "openstack"]) writeFileSync(join(dir, "stacks", s, "cdk.tf.json"), "{}");
    expect(discoverStacks(dir).map((s) => s.name)).toEqual(["openstack", "substrate"]);
  });
});

test("an empty TF_VAR_ (a secret that is not set) is dropped for a variable that is not a string", () => {
  const dir = mkdtempSync(join(tmpdir(), "stackenv-"));
  writeFileSync(join(dir, "cdk.tf.json"), JSON.stringify({ variable: { ipmi_passwords: { type: "map(string)", default: {} }, ipmi_password: { type: "string" }, n: {} } }));
  const env = stackEnv({ name: "substrate", dir }, { TF_VAR_ipmi_passwords: "", TF_VAR_ipmi_password: "", TF_VAR_n: "", TF_VAR_other: "" });
  expect(env).toEqual({ TF_VAR_ipmi_password: "", TF_VAR_n: "", TF_VAR_other: "" });
  expect(stackEnv({ name: "x", dir }, { TF_VAR_ipmi_passwords: '{"worker-1":"p"}' })).toEqual({ TF_VAR_ipmi_passwords: '{"worker-1":"p"}' });
});

test("list prints the stacks as a JSON array, dependencies first", () => {
  const dir = mkdtempSync(join(tmpdir(), "list-"));
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ stacks: { openstack: { dependencies: ["juju-controller"] }, "juju-controller": { dependencies: ["substrate"] }, substrate: {} } }));
  const c = capture();
  expect(main(["list", "--no-synth", "--cdktf-out", dir], c.io)).toBe(0);
  expect(JSON.parse(c.out.join(""))).toEqual(["substrate", "juju-controller", "openstack"]);
});

test("scrubSecrets hides the values of secret-looking variables in text bound for a report", () => {
  const env = { MAAS_API_KEY: "abc:def:ghi", PG_CONN_STR: "postgres://u:p@h/db", TF_VAR_bmc_passwords: '{"node01":"pw1234"}', HOME: "/root" };
  const text = 'Error: dial postgres://u:p@h/db failed; key abc:def:ghi; home /root; var {"node01":"pw1234"}';
  expect(scrubSecrets(text, env)).toBe("Error: dial *** failed; key ***; home /root; var ***");
});

(hasTerraform ? describe : describe.skip)("run-stacks with real terraform", () => {
  const root = mkdtempSync(join(tmpdir(), "run-stacks-"));
  const out = join(root, "cdktf.out");
  const plans = join(out, "plans");
  const demo = join(out, "stacks", "demo");
  const env = { ...process.env, TF_VAR_db_password: SECRET };
  const args = (mode: string, ...more: string[]) => [mode, "--no-synth", "--cdktf-out", out, "--out-dir", plans, "--marker", "test", ...more];

  afterAll(() => rmSync(root, { recursive: true, force: true }));

  beforeAll(() => {
    mkdirSync(demo, { recursive: true });
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { demo: { workingDirectory: "stacks/demo", dependencies: [] } } }));
    writeFileSync(join(demo, "cdk.tf.json"), JSON.stringify(stackJson(0), null, 2));
  });

  test("first plan: creates only; files for the artifact; the report on stdout and in plan-report.md", () => {
    const c = capture();
    expect(main(args("preview"), c.io, env)).toBe(0);
    const md = c.out.join("");
    expect(md.startsWith("<!-- plan-preview:test -->")).toBe(true);
    expect(md).toContain("- **demo**: 3 to create, 0 to update, 0 to replace, 0 to delete; 1 output changing");
    for (const f of ["demo.json", "demo.plan.txt", "demo.init.log", "demo.plan.log", "plan-report.md"]) expect([f, existsSync(join(plans, f))]).toEqual([f, true]);
    // The saved plan holds the secret in clear: it stays in the stack's folder, out of what gets shared.
    expect(existsSync(join(demo, "plan.tfplan"))).toBe(true);
    expect(existsSync(join(plans, "demo.tfplan"))).toBe(false);
    expect(readFileSync(join(plans, "plan-report.md"), "utf8")).toBe(md);
    expect(md).not.toContain(SECRET);
  });

  test("after an apply and a change: update, replacement with its forcing attribute, delete; the secret stays hidden", () => {
    const apply = spawnSync("terraform", [`-chdir=${demo}`, "apply", "-input=false", "-no-color", "plan.tfplan"], { encoding: "utf8", env });
    expect(apply.status).toBe(0);
    writeFileSync(join(demo, "cdk.tf.json"), JSON.stringify(stackJson(1), null, 2));
    const c = capture();
    expect(main(args("preview"), c.io, env)).toBe(0);
    const md = c.out.join("");
    expect(md).toContain("- **demo**: 1 to create, 1 to update, 1 to replace, 1 to delete; 1 output changing");
    expect(md).toContain("<code>-/+</code> replace <code>terraform_data.worker</code>");
    expect(md).toContain("Replacement forced by <code>triggers_replace</code>");
    expect(md).toContain("(<code>replace_because_cannot_update</code>)");
    expect(md).toContain("<code>-</code> delete <code>terraform_data.old</code>");
    expect(md).toContain("| <code>input.mtu</code> | <code>1500</code> | <code>9000</code> |");
    // Terraform marks input.password; the copy in `output` loses the mark and is masked by its name.
    const raw = spawnSync("terraform", [`-chdir=${demo}`, "show", "-json", "plan.tfplan"], { encoding: "utf8", env });
    const rawWorker = parsePlan(raw.stdout, "raw").resource_changes.find((r) => r.address === "terraform_data.worker")!;
    expect(rawWorker.change.before_sensitive).toMatchObject({ input: { password: true } });
    expect(JSON.stringify(rawWorker.change.before)).toContain(SECRET);
    // The shared JSON keeps the markers and the shape, with the values masked.
    const worker = loadPlanFile(join(plans, "demo.json")).resource_changes.find((r) => r.address === "terraform_data.worker")!;
    expect(worker.change.before_sensitive).toEqual(rawWorker.change.before_sensitive);
    expect(worker.change.before).toMatchObject({ input: { hostname: "node03", password: "(sensitive)" } });
    expect(md).not.toContain(SECRET);
    for (const f of readdirSync(plans)) expect([f, readFileSync(join(plans, f), "utf8").includes(SECRET)]).toEqual([f, false]);
  });

  test("drift mode on an untouched state: exit 0 and a clean report", () => {
    const c = capture();
    expect(main(args("drift"), c.io, env)).toBe(0);
    expect(readFileSync(join(plans, "demo.drift.md"), "utf8")).toContain("## No drift in stack <code>demo</code>");
  });

  test("a stack that cannot be planned: exit 1, the others still reported, Terraform's error in the report", () => {
    const broken = join(out, "stacks", "broken");
    mkdirSync(broken, { recursive: true });
    writeFileSync(join(broken, "cdk.tf.json"), JSON.stringify({ resource: { terraform_data: { x: { input: "${var.missing}" } } } }));
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { demo: { workingDirectory: "stacks/demo" }, broken: { workingDirectory: "stacks/broken" } } }));
    const c = capture();
    expect(main(args("preview"), c.io, env)).toBe(1);
    const md = c.out.join("");
    expect(md).toContain("- **broken**: ❌ plan failed");
    expect(md).toContain("Reference to undeclared input variable");
    expect(md).toMatch(/- \*\*demo\*\*: 1 to create/);
    expect(c.err.join("")).toContain("stack broken: terraform plan failed");
    const d = capture();
    expect(main(args("drift"), d.io, env)).toBe(1);
    expect(main(args("drift", "--stack", "demo"), capture().io, env)).toBe(0);
    const e = capture();
    expect(main(args("drift", "--stack", "nope"), e.io, env)).toBe(1);
    expect(e.err.join("")).toContain("no such stack");
  });
});

test("a stack whose inputs are another stack's outputs, not set yet, is reported as skipped with what to deploy first", () => {
  const root = mkdtempSync(join(tmpdir(), "run-stacks-skip-"));
  try {
    const out = join(root, "cdktf.out");
    const dir = join(out, "stacks", "openstack");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(out, "manifest.json"), JSON.stringify({ version: "0.21.0", stacks: { openstack: { workingDirectory: "stacks/openstack", dependencies: [] } } }));
    writeFileSync(
      join(dir, "cdk.tf.json"),
      JSON.stringify({
        variable: {
          juju_controller_addresses: { type: "string", nullable: false, description: "Juju controller connection: output api_addresses (joined with commas) of the juju-controller stack; set TF_VAR_juju_controller_addresses." },
          juju_password: { type: "string", sensitive: true, description: "Juju controller connection: output password of the juju-controller stack; set TF_VAR_juju_password." },
        },
      }),
    );
    const c = capture();
    // No terraform runs for it: the controller its provider would dial does not exist yet.
    expect(main(["preview", "--no-synth", "--cdktf-out", out, "--marker", "t"], c.io, { PATH: "/nonexistent" })).toBe(0);
    const md = c.out.join("");
    expect(md).toContain("- **openstack**: ⏭️ not planned yet");
    expect(md).toContain("deploy the `juju-controller` stack first, then set `TF_VAR_juju_controller_addresses`, `TF_VAR_juju_password` from its outputs");
    expect(existsSync(join(out, "plans", "openstack.init.log"))).toBe(false);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
