/**
 * Real terraform against the simulator serving the vendored schemas of
 * canonical/maas, terraform-lxd/lxd, juju/juju and terraform-provider-openstack/openstack: one hand-written resource
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
    expect(names).toEqual([
      "registry.terraform.io/canonical/maas",
      "registry.terraform.io/juju/juju",
      "registry.terraform.io/terraform-lxd/lxd",
      "registry.terraform.io/terraform-provider-openstack/openstack",
    ]);
    const versions = Object.fromEntries(providers.map((p) => [providerIdentity(p).name, providerIdentity(p).version]));
    bench = createBench({ providers });
    // The Juju provider dials its controller while planning (the twin's juju.provider.controller): this world has one.
    bench.world.update("juju", (w) => void (w.facts["controller"] = { addresses: "10.0.0.9:17070", username: "admin", password: "pw", caCert: "" }));
    dir = stackDir({
      "main.tf.json": {
        terraform: {
          required_providers: {
            maas: { source: "canonical/maas", version: versions["maas"] },
            lxd: { source: "terraform-lxd/lxd", version: versions["lxd"] },
            juju: { source: "juju/juju", version: versions["juju"] },
            openstack: { source: "terraform-provider-openstack/openstack", version: versions["openstack"] },
          },
        },
        provider: {
          maas: [{ api_url: "http://maas.invalid:5240/MAAS", api_key: "consumer:token:secret" }],
          lxd: [{ remote: [{ name: "host1", address: "https://10.0.0.5:8443" }], default_remote: "host1" }],
          juju: [{ controller_addresses: "10.0.0.9:17070", username: "admin", password: "pw" }],
          openstack: [{ auth_url: "https://10.0.0.20:5000/v3", cloud: "site" }],
        },
        resource: {
          maas_fabric: { storage: { name: "storage" } },
          lxd_project: { openstack: { name: "openstack", config: { "features.images": "false" } } },
          lxd_storage_pool: { default: { name: "pool1", driver: "dir", project: "${lxd_project.openstack.name}" } },
          juju_model: { openstack: { name: "openstack", cloud: [{ name: "maas-cloud" }], config: { "logging-config": "<root>=INFO" } } },
          openstack_networking_network_v2: {
            external: { name: "external", external: true, segments: [{ physical_network: "physnet1", network_type: "flat" }] },
          },
          openstack_networking_subnet_v2: {
            external: {
              network_id: "${openstack_networking_network_v2.external.id}",
              cidr: "203.0.113.0/24",
              enable_dhcp: false,
              allocation_pool: [{ start: "203.0.113.100", end: "203.0.113.199" }],
            },
          },
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
    for (const p of ["canonical/maas", "terraform-lxd/lxd", "juju/juju", "terraform-provider-openstack/openstack"]) expect(lock).toContain(`registry.terraform.io/${p}`);
    await bench.tfOk(dir, ["validate"], [0], { launch: true });
    const { plan } = await bench.plan(dir);
    expect(countActions(plan)).toEqual({ create: 6 });
    await bench.apply(dir);
    // MAAS ids are numbers (tools/simulator/settings.json).
    expect(Object.keys(bench.world.objects("maas", "maas_fabric"))).toEqual(["1"]);
    expect(Object.keys(bench.world.objects("lxd", "lxd_project"))).toEqual(["openstack"]);
    expect(Object.keys(bench.world.objects("lxd", "lxd_storage_pool"))).toEqual(["openstack/pool1"]);
    expect(bench.world.objects("juju", "juju_model")["juju_model-1"]).toMatchObject({ name: "openstack", uuid: "juju_model-1-uuid" });
    expect(bench.world.objects("openstack", "openstack_networking_subnet_v2")["openstack_networking_subnet_v2-1"]).toMatchObject({
      network_id: "openstack_networking_network_v2-1",
      allocation_pool: [{ start: "203.0.113.100", end: "203.0.113.199" }],
    });
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
