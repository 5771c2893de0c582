import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Testing, TerraformStack } from "cdktf";
import { loadVendoredProviders } from "../../tools/bindings/vendored";
import { canonicalJson, vendoredPart } from "../../tools/bindings/refresh-schemas";
import { MaasProvider } from "../../.gen/providers/maas/provider";
import { Fabric } from "../../.gen/providers/maas/fabric";
import { LxdProvider } from "../../.gen/providers/lxd/provider";
import { Project } from "../../.gen/providers/lxd/project";
import { JujuProvider } from "../../.gen/providers/juju/provider";
import { Model } from "../../.gen/providers/juju/model";
import { OpenstackProvider } from "../../.gen/providers/openstack/provider";
import { ComputeFlavorV2 } from "../../.gen/providers/openstack/compute-flavor-v2";

const root = path.join(__dirname, "..", "..");
const gen = path.join(root, ".gen");

/** Terraform types with a generated class: resources as-is, data sources as "data.<type>" (their folders are data-*). */
function generatedTypes(provider: string): Set<string> {
  const types = new Set<string>();
  const dir = path.join(gen, "providers", provider);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const source = fs.readFileSync(path.join(dir, entry.name, "index.ts"), "utf8");
    for (const match of source.matchAll(/static readonly tfResourceType = "([a-z0-9_]+)"/g)) {
      types.add(entry.name.startsWith("data-") ? `data.${match[1]}` : match[1]);
    }
  }
  return types;
}

describe("offline provider bindings", () => {
  const vendored = loadVendoredProviders();

  it("vendors exactly the four providers cdktf.json names, with the same constraints cdktf get records", () => {
    const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
    const constraints = JSON.parse(fs.readFileSync(path.join(gen, "constraints.json"), "utf8"));
    expect(vendored.map((v) => v.meta.source).sort()).toEqual(["canonical/maas", "juju/juju", "terraform-lxd/lxd", "terraform-provider-openstack/openstack"]);
    expect(Object.entries(constraints.providers).map(([fqn, version]) => `${fqn}@${version}`).sort()).toEqual([...cdktfJson.terraformProviders].sort());
    expect(constraints.cdktf).toBe("0.21.0");
  });

  it.each(["maas", "lxd", "juju", "openstack"])("every resource and data source of the vendored %s schema has a binding", (name) => {
    const { schema } = vendored.find((v) => v.meta.provider === name)!;
    const provider = Object.values(schema.provider_schemas)[0];
    const expected = [
      ...Object.keys(provider.resource_schemas ?? {}),
      ...Object.keys(provider.data_source_schemas ?? {}).map((d) => `data.${d}`),
    ];
    const generated = generatedTypes(name);
    expect(expected.filter((t) => !generated.has(t))).toEqual([]);
    const { meta } = vendored.find((v) => v.meta.provider === name)!;
    if (meta.subset) {
      // A subset holds exactly the types its meta lists, no fewer and no more.
      expect(Object.keys(provider.resource_schemas ?? {}).sort()).toEqual([...meta.subset.resources].sort());
      expect(Object.keys(provider.data_source_schemas ?? {}).sort()).toEqual([...meta.subset.dataSources].sort());
    } else {
      expect(Object.keys(provider.resource_schemas ?? {}).length).toBeGreaterThan(15);
    }
  });

  it("only the openstack provider is a subset, and every type its stack uses is in it", () => {
    expect(vendored.filter((v) => v.meta.subset).map((v) => v.meta.provider)).toEqual(["openstack"]);
    const { meta } = vendored.find((v) => v.meta.provider === "openstack")!;
    for (const type of ["openstack_networking_network_v2", "openstack_networking_subnet_v2", "openstack_compute_flavor_v2", "openstack_images_image_v2"]) {
      expect(meta.subset!.resources).toContain(type);
    }
  });

  it("the refresh script keeps a subset provider's fresh schema to the listed types", () => {
    const { meta, schema } = vendored.find((v) => v.meta.provider === "openstack")!;
    const vendoredSchema = schema.provider_schemas[meta.registryAddress]!;
    const block = { block: {}, version: 0 };
    const fresh = {
      ...vendoredSchema,
      resource_schemas: { ...vendoredSchema.resource_schemas, openstack_compute_instance_v2: block },
      data_source_schemas: { ...vendoredSchema.data_source_schemas, openstack_images_image_v2: block },
    };
    expect(vendoredPart(meta, fresh)).toEqual(vendoredSchema);
    const { openstack_compute_flavor_v2: _gone, ...withoutFlavor } = vendoredSchema.resource_schemas!;
    expect(() => vendoredPart(meta, { ...vendoredSchema, resource_schemas: withoutFlavor })).toThrow(/no longer has: openstack_compute_flavor_v2/);
  });

  it("records the release and commit each schema was derived from, and its force-new attributes", () => {
    for (const { meta, schema } of vendored) {
      expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/);
      expect(meta.commit).toMatch(/^[0-9a-f]{40}$/);
      const resources = Object.values(schema.provider_schemas)[0].resource_schemas ?? {};
      for (const [type, paths] of Object.entries(meta.forceNew)) {
        expect(resources[type]).toBeDefined();
        for (const p of paths) expect(`${type}.${p}`).toMatch(/^[a-z0-9_]+\.[a-z0-9_.]+$/);
      }
    }
  });

  it("a stack with all four providers and one typed resource each synthesizes, without pinning exact versions", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "bindings");
    new MaasProvider(stack, "maas", { apiUrl: "http://10.20.0.2:5240/MAAS" });
    new LxdProvider(stack, "lxd", { remote: [{ name: "controller", address: "https://10.20.0.2:8443" }] });
    new JujuProvider(stack, "juju", {});
    new OpenstackProvider(stack, "openstack", {});
    new Fabric(stack, "fabric", { name: "management" });
    new Project(stack, "project", { name: "maas" });
    new Model(stack, "model", { name: "openstack", cloud: [{ name: "maas-cloud" }] });
    new ComputeFlavorV2(stack, "flavor", { name: "m1.small", vcpus: 1, ram: 2048, disk: 20, isPublic: true });
    const json = JSON.parse(Testing.synth(stack));
    expect(json.terraform.required_providers).toEqual({
      maas: { source: "canonical/maas", version: "~> 2.6.0" },
      lxd: { source: "terraform-lxd/lxd", version: "~> 3.0" },
      juju: { source: "juju/juju", version: "~> 2.2" },
      openstack: { source: "terraform-provider-openstack/openstack", version: "~> 3.4" },
    });
    expect(json.resource.maas_fabric.fabric).toEqual({ name: "management" });
    expect(json.resource.lxd_project.project).toEqual({ name: "maas" });
    expect(json.resource.juju_model.model).toMatchObject({ name: "openstack", cloud: [{ name: "maas-cloud" }] });
    expect(json.resource.openstack_compute_flavor_v2.flavor).toEqual({ name: "m1.small", vcpus: 1, ram: 2048, disk: 20, is_public: true });
  });
});

it("vendored schemas are in the canonical form the refresh script writes, so refresh diffs stay small", () => {
  for (const name of ["maas", "lxd", "juju", "openstack"]) {
    const file = path.join(root, "providers", "schemas", `${name}.json`);
    const text = fs.readFileSync(file, "utf8");
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  }
});

it("a fresh clone's binding generation (npm ci, npm run get) prints no error, even when terraform's CLI config is missing", () => {
  // A copy of the generator with its own root, so the project's .gen is never rewritten under other tests.
  const clone = fs.mkdtempSync(path.join(os.tmpdir(), "bindings-clone-"));
  try {
    fs.cpSync(path.join(root, "tools", "bindings"), path.join(clone, "tools", "bindings"), { recursive: true });
    fs.copyFileSync(path.join(root, "cdktf.json"), path.join(clone, "cdktf.json"));
    fs.mkdirSync(path.join(clone, "providers"));
    fs.symlinkSync(path.join(root, "providers", "schemas"), path.join(clone, "providers", "schemas"));
    fs.symlinkSync(path.join(root, "node_modules"), path.join(clone, "node_modules"));
    const generate = () =>
      spawnSync(path.join(root, "node_modules", ".bin", "tsx"), [path.join(clone, "tools", "bindings", "generate.ts")], {
        cwd: clone,
        encoding: "utf8",
        env: { ...process.env, TF_CLI_CONFIG_FILE: path.join(clone, "no-such.tfrc") },
      });
    // The first run generates everything; the second (npm ci on a clone that has .gen) finds nothing to do, and
    // finishes before cdktf's background terraform lookup does.
    for (const r of [generate(), generate()]) {
      expect({ status: r.status, stderr: r.stderr }).toEqual({ status: 0, stderr: "" });
      expect(r.stdout).toMatch(/^bindings: canonical\/maas, juju\/juju, terraform-lxd\/lxd, terraform-provider-openstack\/openstack -> \.gen\/providers \(\d+ ms\)\n$/);
    }
    expect(fs.readdirSync(path.join(clone, ".gen", "providers")).sort()).toEqual(["juju", "lxd", "maas", "openstack"]);
  } finally {
    fs.rmSync(clone, { recursive: true, force: true });
  }
});
