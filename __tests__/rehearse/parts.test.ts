/**
 * The rehearsal's parts that need no deploy: reading cdktf's output (counts, Terraform's errors), the site copy it
 * applies, the environment it builds from nothing, its folder, and its user errors.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { load } from "js-yaml";
import { main } from "../../tools/rehearse/main";
import { TEST_IMAGE_FILE, applyCounts, childEnv, prepareFolder, rehearsalSite, terraformErrors } from "../../tools/rehearse/rehearse";
import { newCredentials } from "../../tools/simulator/seed";

const ROOT = path.join(__dirname, "..", "..");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "rehearse-parts-"));

/** cdktf deploy's output as it prints a plan-time and an apply-time refusal (copied from real runs). */
const PLAN_REFUSED = `substrate  Planning failed. Terraform encountered an error while generating this plan.


           Error: Trust token fingerprint does not match the provided server certificate fingerprint: "d310" != "0123"

             with lxd_storage_pool.controller_storage-pool_1CBA5E19 (controller/storage-pool),
             on cdk.tf.json line 246, in resource.lxd_storage_pool.controller_storage-pool_1CBA5E19 (controller/storage-pool):
            246:       }


0 Stacks deploying     1 Stack done     0 Stacks waiting
Invoking Terraform CLI failed with exit code 1
`;
const APPLY_REFUSED = `substrate  maas_machine.worker-worker-3_machine_70B75884 (worker-worker-3/machine): Creating...
substrate  Error: timeout while waiting for state to become 'Ready' (last state: 'Commissioning', timeout: 1h0m0s)

             with maas_machine.worker-worker-3_machine_70B75884 (worker-worker-3/machine),
             on cdk.tf.json line 371, in resource.maas_machine.worker-worker-3_machine_70B75884 (worker-worker-3/machine):
            371:       }

           The machine PXE boots on a VLAN MAAS does not know, where MAAS serves no DHCP,
           so commissioning never starts.


0 Stacks deploying     1 Stack done     0 Stacks waiting
Invoking Terraform CLI failed with exit code 1
`;

describe("reading cdktf deploy", () => {
  it("takes the counts from Terraform's last line, imports included, and 'No changes' as zeros", () => {
    expect(applyCounts("substrate  Apply complete! Resources: 9 imported, 33 added, 9 changed, 0 destroyed.")).toEqual({ imported: 9, added: 33, changed: 9, destroyed: 0 });
    expect(applyCounts("cloud  Apply complete! Resources: 20 added, 0 changed, 0 destroyed.")).toEqual({ imported: 0, added: 20, changed: 0, destroyed: 0 });
    expect(applyCounts("cloud  No changes. Your infrastructure matches the configuration.")).toEqual({ imported: 0, added: 0, changed: 0, destroyed: 0 });
    expect(applyCounts("Invoking Terraform CLI failed with exit code 1")).toBeUndefined();
  });

  it("names the resource and keeps the twin's message of a plan-time and an apply-time refusal", () => {
    expect(terraformErrors(PLAN_REFUSED, "substrate")).toEqual([
      {
        summary: 'Trust token fingerprint does not match the provided server certificate fingerprint: "d310" != "0123"',
        address: "lxd_storage_pool.controller_storage-pool_1CBA5E19 (controller/storage-pool)",
        detail: "",
      },
    ]);
    expect(terraformErrors(APPLY_REFUSED, "substrate")).toEqual([
      {
        summary: "timeout while waiting for state to become 'Ready' (last state: 'Commissioning', timeout: 1h0m0s)",
        address: "maas_machine.worker-worker-3_machine_70B75884 (worker-worker-3/machine)",
        detail: "The machine PXE boots on a VLAN MAAS does not know, where MAAS serves no DHCP, so commissioning never starts.",
      },
    ]);
    // Terraform's own framing, should cdktf pass it through.
    expect(terraformErrors("╷\n│ Error: Client Error\n│ \n│   with juju_model.model,\n│ \n│ unauthorized\n╵\n", "openstack")).toEqual([
      { summary: "Client Error", address: "juju_model.model", detail: "unauthorized" },
    ]);
  });
});

describe("what the rehearsal applies", () => {
  it("rewrites the site's state to local in the rehearsal folder and its images to the test image, nothing else", () => {
    const text = fs.readFileSync(path.join(ROOT, "sites", "default.yaml"), "utf8");
    const site = rehearsalSite(text, "sites/default.yaml", "/r/state") as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const original = load(text) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(site.state).toEqual({ backend: "local", directory: "/r/state" });
    expect(site.cloud.images.length).toBe(original.cloud.images.length);
    for (const image of site.cloud.images) {
      expect(image.url).toBeUndefined();
      expect(image.file).toBe(TEST_IMAGE_FILE);
      expect(image.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect({ ...site, state: original.state, cloud: original.cloud }).toEqual(original);
  });

  it("builds the children's environment from PATH alone: no operator secret, throwaway credentials, HOME and TMPDIR in the folder", () => {
    const dir = tmp();
    const parent = {
      PATH: "/usr/bin:/bin", HOME: "/home/operator", TF_VAR_ipmi_password: "operator-ipmi", MAAS_API_KEY: "operator:key:secret",
      JUJU_PASSWORD: "operator-juju", OS_PASSWORD: "operator-os", AWS_SECRET_ACCESS_KEY: "operator-aws", SITE_ALLOW_DESTROY: "worker-2",
    };
    const credentials = newCredentials();
    const env = childEnv(parent, dir, { SIM_WORLD_DIR: path.join(dir, "world") }, credentials);
    expect(Object.values(env).filter((v) => v.startsWith("operator"))).toEqual([]);
    expect(Object.keys(env).filter((k) => k.startsWith("JUJU_") || k.startsWith("AWS_"))).toEqual([]);
    expect(env).toMatchObject({
      PATH: "/usr/bin:/bin", HOME: path.join(dir, "home"), TMPDIR: path.join(dir, "tmp"), SITE_ALLOW_DESTROY: "worker-2",
      MAAS_API_KEY: credentials.maasApiKey, TF_VAR_juju_password: credentials.juju.password, OS_PASSWORD: credentials.openstack.password,
    });
  });

  it("empties only a rehearsal folder", () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, "notes.txt"), "mine");
    expect(() => prepareFolder(dir)).toThrow(`${dir} holds files and is not a rehearsal folder`);
    expect(fs.readdirSync(dir)).toEqual(["notes.txt"]);
    const mine = path.join(dir, "r");
    prepareFolder(mine);
    fs.writeFileSync(path.join(mine, "old-world.json"), "{}");
    prepareFolder(mine);
    expect(fs.readdirSync(mine)).toEqual([".rehearsal"]);
  });
});

describe("user errors", () => {
  const run = async (argv: string[], env: NodeJS.ProcessEnv = {}) => {
    let out = "";
    let err = "";
    const code = await main(argv, { PATH: process.env["PATH"], ...env }, { out: (s) => (out += s), err: (s) => (err += s) });
    return { code, out, err };
  };

  it.each([
    [["--frob"], {}, "rehearse: Unknown option '--frob'"],
    [[], { SITE: "nope" }, 'SITE: no site named "nope" in sites/'],
    [["--base", "no-such-ref", "--dir", "@tmp"], {}, "rehearse: --base no-such-ref names no commit in"],
    [["--base", "HEAD", "--dir", "@tmp"], { SITE: path.join(os.tmpdir(), "elsewhere.yaml") }, ""],
    [[], { PATH: "/nonexistent" }, "the rehearsal runs the real Terraform against the twin: install Terraform"],
  ])("%j %j: exit 1, a message, no stack trace", async (argv, env, message) => {
    const args = (argv as string[]).map((a) => (a === "@tmp" ? path.join(tmp(), "r") : a));
    if ((env as Record<string, string>).SITE?.endsWith("elsewhere.yaml")) fs.copyFileSync(path.join(ROOT, "sites", "default.yaml"), (env as Record<string, string>).SITE!);
    const r = await run(args, env);
    expect(r.code).toBe(1);
    expect(r.err).toContain(message || "is outside the repository");
    expect(r.err).not.toMatch(/^\s+at /m);
  });
});
