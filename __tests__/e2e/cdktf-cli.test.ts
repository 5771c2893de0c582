/**
 * The user's own commands: `npx cdktf diff <stack>` and `npx cdktf deploy <stack> --auto-approve`, each stack in
 * dependency order, against the simulator with Terraform launching the plugins itself (no reattach), offline.
 * The flags and environment an offline run needs are documented in docs/testing.md.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { createBench, type Bench } from "../../tools/testbench";
import {
  ROOT, STACKS, STACK_ENV, leakedSecrets, loopbackSite, seedTwin, startFakeMaas, tempDir, type FakeMaas,
} from "./harness";

let bench: Bench;
let maas: FakeMaas;
let work: string;
let env: NodeJS.ProcessEnv;
beforeAll(async () => {
  bench = createBench();
  seedTwin(bench);
  maas = await startFakeMaas();
  work = tempDir("cdktf-cli");
  fs.writeFileSync(path.join(work, "site.json"), JSON.stringify(loopbackSite(maas.port)));
  env = {
    ...(await bench.toolEnv({ launch: true })), // TF_CLI_CONFIG_FILE (filesystem mirror), SIM_WORLD_DIR, CHECKPOINT_DISABLE
    ...STACK_ENV,
    SITE: path.join(work, "site.json"),
    DISABLE_VERSION_CHECK: "true", // no npm registry lookup for a newer cdktf
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "true", // cdktf would point TF_PLUGIN_CACHE_DIR at ~/.terraform.d/plugin-cache
    CDKTF_HOME: path.join(work, "cdktf-home"), // cdktf's own files, not ~/.cdktf
    CI: "1",
    FORCE_COLOR: "0",
  };
});
afterAll(async () => {
  bench?.dispose();
  await maas?.close();
});

function cdktf(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "cdktf"), args, { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, out }));
  });
}

it("cdktf diff then cdktf deploy --auto-approve, stack by stack, offline", async () => {
  const out = path.join(work, "out"); // keeps the project's cdktf.out untouched; state lands in <work>/state
  // --skip-provider-lock: cdktf otherwise runs `terraform providers lock`, which asks the registry.
  // --ignore-missing-stack-dependencies: one stack at a time, its dependencies deployed just before.
  const common = ["--output", out, "--skip-provider-lock"];
  // The substrate also adopts what MAAS discovered on the controller: 9 imports, each updated in place.
  const plans = {
    substrate: { imported: 9, added: 37, changed: 9 },
    "juju-controller": { imported: 0, added: 1, changed: 0 },
    openstack: { imported: 0, added: 131, changed: 0 },
    cloud: { imported: 0, added: 20, changed: 0 },
  };
  const logs: string[] = [];
  for (const stack of STACKS) {
    const diff = await cdktf(["diff", stack, ...common]);
    logs.push(diff.out);
    expect({ stack, code: diff.code, tail: diff.code ? diff.out.slice(-2000) : "" }).toEqual({ stack, code: 0, tail: "" });
    const p = plans[stack];
    expect(diff.out).toContain(`Plan: ${p.imported ? `${p.imported} to import, ` : ""}${p.added} to add, ${p.changed} to change, 0 to destroy.`);

    const deploy = await cdktf(["deploy", stack, "--auto-approve", "--ignore-missing-stack-dependencies", ...common]);
    logs.push(deploy.out);
    expect({ stack, code: deploy.code, tail: deploy.code ? deploy.out.slice(-2000) : "" }).toEqual({ stack, code: 0, tail: "" });
    expect(deploy.out).toContain(`Apply complete! Resources: ${p.imported ? `${p.imported} imported, ` : ""}${p.added} added, ${p.changed} changed, 0 destroyed.`);
  }
  expect(fs.readdirSync(path.join(work, "state", "guia-implantacao")).sort()).toEqual(["cloud.tfstate", "juju-controller.tfstate", "openstack.tfstate", "substrate.tfstate"]);
  // DHCP goes through the provider (maas_vlan_dhcp): nothing calls MAAS behind Terraform's back.
  expect(maas.requests).toEqual([]);
  expect(logs.flatMap(leakedSecrets)).toEqual([]);
}, 120_000);
