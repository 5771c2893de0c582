/**
 * Produces the scenario plans of __tests__/reports/fixtures/generated/ with real Terraform on our synthesized
 * stacks, against the provider simulator (tools/simulator). Not a test: run it by hand when the stacks or the
 * simulator change, and commit what it writes.
 *
 *   npx tsx __tests__/reports/bench/generate.ts
 *
 * It works in a temporary directory (its own site files, state and simulated world) and touches nothing else.
 * Each scenario is a site file edit followed by `run-stacks preview|drift`, the same path as the workflows:
 *   creates          first plan of the substrate stack
 *   no-changes       the same site again after the apply
 *   drift-clean      refresh-only plan of the applied substrate
 *   update           the management segment's MTU raised: in-place updates
 *   replace-machine  worker-2's machine tainted and control-1's cores raised (destroy allowed for both): the
 *                    machine is replaced (replace_because_tainted), so is the VM (replace_paths cores)
 *   drift            worker-1 and its BMC address changed in MAAS by hand: refresh-only plan
 *   site-juju-controller, site-openstack
 *                    first plans of the other two stacks of the default site (with creates: the whole site)
 *   delete-ceph-osd  openstack applied with worker-2's OSDs on other devices (a second ceph-osd application),
 *                    then the devices made equal: that application is deleted
 * The sensitive values are made-up test values: they must appear in no report.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";
import { processIo } from "../../../tools/reports/cli-io";
import { main as runStacks } from "../../../tools/reports/run-stacks";

const ROOT = resolve(__dirname, "../../..");
const OUT = join(ROOT, "__tests__/reports/fixtures/generated");
const W = mkdtempSync(join(tmpdir(), "reports-bench-"));
const WORLD = join(W, "world");

export const TEST_SECRETS = {
  TF_VAR_ipmi_password: "bench-ipmi-password-5f1c",
  TF_VAR_lxd_client_certificate: "-----BEGIN CERTIFICATE-----\nbench-client-cert-77aa\n-----END CERTIFICATE-----",
  TF_VAR_lxd_client_key: "-----BEGIN PRIVATE KEY-----\nbench-client-key-0b3e\n-----END PRIVATE KEY-----",
  TF_VAR_lxd_trust_token: "bench-trust-token-91d2",
  TF_VAR_maas_lxd_certificate: "-----BEGIN CERTIFICATE-----\nbench-maas-cert-3c4d\n-----END CERTIFICATE-----",
  TF_VAR_maas_api_key: "bench:maas-api:key-6e8f",
};

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv, what: string): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: "utf8", maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

function simulatorEnv(): NodeJS.ProcessEnv {
  const out = sh("npm", ["run", "-s", "sim:env"], { ...process.env, SIM_WORLD_DIR: WORLD }, "sim:env");
  const env: NodeJS.ProcessEnv = { ...process.env, ...TEST_SECRETS };
  for (const line of out.split("\n")) {
    const m = /^export (\w+)='(.*)'$/.exec(line);
    if (m) env[m[1]!] = m[2]!.replace(/'\\''/g, "'");
    const u = /^unset (\w+)$/.exec(line);
    if (u) delete env[u[1]!];
  }
  return env;
}

type SiteDoc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function writeSite(name: string, edit: (s: SiteDoc) => void): string {
  const site = parse(readFileSync(join(ROOT, "sites/default.yaml"), "utf8")) as SiteDoc;
  site.state = { backend: "local", directory: "state" };
  // Two ceph-osd applications to start with (worker-2's OSDs on another device), so that one can be deleted later.
  site.workers[1].osdDevices = ["/dev/sdd"];
  edit(site);
  const file = join(W, `${name}.yaml`);
  writeFileSync(file, stringify(site));
  return file;
}

function synth(site: string, env: NodeJS.ProcessEnv): string {
  const out = join(W, `out-${site.replace(/.*\//, "").replace(/\.yaml$/, "")}`);
  sh("npx", ["cdktf", "synth", "--output", out], { ...env, SITE: site }, `synth of ${site}`);
  return out;
}

let runs = 0;
function plan(mode: "preview" | "drift", cdktfOut: string, stack: string, env: NodeJS.ProcessEnv): { dir: string; rc: number } {
  const dir = join(W, `plans-${++runs}`);
  const err: string[] = [];
  const rc = runStacks([mode, "--no-synth", "--cdktf-out", cdktfOut, "--out-dir", dir, "--stack", stack], { ...processIo, stdout: () => {}, stderr: (s) => err.push(s) }, env);
  if (rc === 1) throw new Error(`${mode} of ${stack} failed:\n${err.join("")}`);
  return { dir, rc };
}

/**
 * Applies a saved plan. The substrate's local-exec provisioners call the MAAS API with curl; the simulator has no
 * HTTP side, so a stand-in curl that does nothing goes first on PATH for the apply only.
 */
function apply(cdktfOut: string, stack: string, plans: string, env: NodeJS.ProcessEnv): void {
  const bin = join(W, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "curl"), "#!/bin/sh\nexit 0\n", { mode: 0o755 });
  env = { ...env, PATH: `${bin}:${env.PATH ?? ""}`, MAAS_API_KEY: TEST_SECRETS.TF_VAR_maas_api_key };
  sh("terraform", [`-chdir=${join(cdktfOut, "stacks", stack)}`, "apply", "-input=false", "-no-color", join(plans, `${stack}.tfplan`)], env, `apply of ${stack}`);
}

function keep(name: string, plans: string, stack: string): void {
  copyFileSync(join(plans, `${stack}.json`), join(OUT, `${name}.json`));
  process.stderr.write(`bench: wrote ${name}.json\n`);
}

function editWorld(provider: string, edit: (objects: Record<string, Record<string, Record<string, unknown>>>) => void): void {
  const file = join(WORLD, `${provider}.json`);
  const world = JSON.parse(readFileSync(file, "utf8")) as { objects: Record<string, Record<string, Record<string, unknown>>> };
  edit(world.objects);
  writeFileSync(file, JSON.stringify(world, null, 2) + "\n");
}

function generate(): void {
  mkdirSync(OUT, { recursive: true });
  mkdirSync(WORLD, { recursive: true });
  writeFileSync(join(WORLD, "maas.json"), JSON.stringify({ counters: {}, objects: { maas_rack_controller: { "rack-1": { id: "rack-1", hostname: "controller" } } } }));
  const env = simulatorEnv();

  const s0 = synth(writeSite("s0", () => {}), env);
  const first = plan("preview", s0, "substrate", env);
  keep("creates", first.dir, "substrate");
  apply(s0, "substrate", first.dir, env);
  keep("no-changes", plan("preview", s0, "substrate", env).dir, "substrate");
  keep("drift-clean", plan("drift", s0, "substrate", env).dir, "substrate");

  const s1 = synth(writeSite("s1", (s) => (s.segments.find((g: SiteDoc) => g.name === "management").mtu = 9000)), env);
  keep("update", plan("preview", s1, "substrate", env).dir, "substrate");

  // maas 2.4 forces no replacement of maas_machine by any attribute: a worker is replaced when tainted (or with
  // -replace). A control-plane VM is replaced by a change of its cores, which is ForceNew.
  const s2env = { ...env, SITE_ALLOW_DESTROY: "worker-2,control-1" };
  const s2 = synth(writeSite("s2", (s) => (s.controller.vms.find((v: SiteDoc) => v.hostname === "control-1").cores = 16)), s2env);
  const substrateDir = join(s2, "stacks", "substrate");
  sh("terraform", [`-chdir=${substrateDir}`, "init", "-input=false", "-no-color"], env, "init");
  const worker2 = sh("terraform", [`-chdir=${substrateDir}`, "state", "list"], env, "state list")
    .split("\n")
    .find((a) => /^maas_machine\.worker-worker-2_/.test(a));
  if (!worker2) throw new Error("no maas_machine for worker-2 in the substrate state");
  sh("terraform", [`-chdir=${substrateDir}`, "taint", worker2], env, "taint");
  keep("replace-machine", plan("preview", s2, "substrate", s2env).dir, "substrate");
  sh("terraform", [`-chdir=${substrateDir}`, "untaint", worker2], env, "untaint");

  editWorld("maas", (objects) => {
    const machine = Object.values(objects.maas_machine ?? {}).find((m) => m.hostname === "worker-1");
    if (!machine) throw new Error(`no worker-1 among the simulated maas_machine objects: ${JSON.stringify(Object.keys(objects))}`);
    machine.zone = "rack-b";
    const power = machine.power_parameters as Record<string, string> | undefined;
    if (power) machine.power_parameters = { ...power, power_address: "10.10.0.99", power_pass: "bench-changed-by-hand-2b7a" };
  });
  const drift = plan("drift", s0, "substrate", env);
  if (drift.rc !== 2) throw new Error("the world edit made no drift");
  keep("drift", drift.dir, "substrate");

  keep("site-juju-controller", plan("preview", s0, "juju-controller", env).dir, "juju-controller");
  const os0 = plan("preview", s0, "openstack", env);
  keep("site-openstack", os0.dir, "openstack");
  apply(s0, "openstack", os0.dir, env);
  const s3env = { ...env, SITE_ALLOW_DESTROY: "*" };
  const s3 = synth(writeSite("s3", (s) => (s.workers[1].osdDevices = s.workers[0].osdDevices)), s3env);
  keep("delete-ceph-osd", plan("preview", s3, "openstack", s3env).dir, "openstack");
  process.stderr.write(`bench: done (work directory ${W})\n`);
}

generate();
