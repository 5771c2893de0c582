/**
 * Real terraform against the simulator serving the vendored schemas of
 * canonical/maas, terraform-lxd/lxd and juju/juju: one hand-written resource
 * (or two) of each validates, plans, applies and then shows no diff.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Bench, countActions, createBench, stackDir, vendoredProviders } from "../../tools/testbench";
import { providerIdentity } from "../../tools/simulator/build";

describe("provider simulator with the vendored provider schemas", () => {
  let bench: Bench;
  let dir: string;

  beforeAll(() => {
    const providers = vendoredProviders();
    const names = providers.map((p) => providerIdentity(p).address).sort();
    // Fails (never skips) when the vendored schemas are missing.
    expect(names).toEqual(["registry.terraform.io/canonical/maas", "registry.terraform.io/juju/juju", "registry.terraform.io/terraform-lxd/lxd"]);
    const versions = Object.fromEntries(providers.map((p) => [providerIdentity(p).name, providerIdentity(p).version]));
    bench = createBench({ providers });
    dir = stackDir({
      "main.tf.json": {
        terraform: {
          required_providers: {
            maas: { source: "canonical/maas", version: versions["maas"] },
            lxd: { source: "terraform-lxd/lxd", version: versions["lxd"] },
            juju: { source: "juju/juju", version: versions["juju"] },
          },
        },
        provider: {
          maas: [{ api_url: "http://maas.invalid:5240/MAAS", api_key: "consumer:token:secret" }],
          lxd: [{ remote: [{ name: "host1", address: "https://10.0.0.5:8443" }], default_remote: "host1" }],
          juju: [{ controller_addresses: "10.0.0.9:17070", username: "admin", password: "pw" }],
        },
        resource: {
          maas_fabric: { storage: { name: "storage" } },
          lxd_project: { openstack: { name: "openstack", config: { "features.images": "false" } } },
          lxd_storage_pool: { default: { name: "pool1", driver: "dir", project: "${lxd_project.openstack.name}" } },
          juju_model: { openstack: { name: "openstack", cloud: [{ name: "maas-cloud" }], config: { "logging-config": "<root>=INFO" } } },
        },
      },
    });
  });
  afterAll(() => {
    bench?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("init, validate, plan, apply, no diff", async () => {
    await bench.init(dir);
    const lock = fs.readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8");
    for (const p of ["canonical/maas", "terraform-lxd/lxd", "juju/juju"]) expect(lock).toContain(`registry.terraform.io/${p}`);
    await bench.tfOk(dir, ["validate"], [0], { launch: true });
    const { plan } = await bench.plan(dir);
    expect(countActions(plan)).toEqual({ create: 4 });
    await bench.apply(dir);
    // MAAS ids are numbers (tools/simulator/settings.json).
    expect(Object.keys(bench.world.objects("maas", "maas_fabric"))).toEqual(["1"]);
    expect(Object.keys(bench.world.objects("lxd", "lxd_project"))).toEqual(["openstack"]);
    expect(Object.keys(bench.world.objects("lxd", "lxd_storage_pool"))).toEqual(["openstack/pool1"]);
    expect(bench.world.objects("juju", "juju_model")["juju_model-1"]).toMatchObject({ name: "openstack", uuid: "juju_model-1-uuid" });
    expect((await bench.plan(dir, ["-detailed-exitcode"])).code).toBe(0);
  });

  test("terraform sees exactly the vendored schemas", async () => {
    const served = JSON.parse((await bench.tfOk(dir, ["providers", "schema", "-json"])).stdout) as { provider_schemas: Record<string, unknown> };
    for (const p of vendoredProviders()) {
      const vendored = JSON.parse(fs.readFileSync(p.schemaFile, "utf8")) as { provider_schemas: Record<string, unknown> };
      for (const [address, schema] of Object.entries(vendored.provider_schemas)) {
        expect(withoutDefaults(served.provider_schemas[address])).toEqual(withoutDefaults(schema));
      }
    }
  });
});

/** Drops false/empty/zero fields and description kinds, which Terraform prints or omits at will. */
function withoutDefaults(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutDefaults);
  if (v && typeof v === "object") {
    return Object.fromEntries(
      Object.entries(v)
        .filter(([k, x]) => k === "version" || (k !== "description_kind" && x !== false && x !== null && x !== "" && x !== 0))
        .map(([k, x]) => [k, withoutDefaults(x)]),
    );
  }
  return v;
}
