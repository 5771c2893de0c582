/** The cloud stack's synthesized JSON on the default site and its variants. */
import { spawn } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { Testing } from "cdktf";
import { CloudStack } from "../../constructs/cloud/cloud-stack";
import { planDeployment } from "../../constructs/openstack/deployment";
import { SiteError, type Site } from "../../constructs/site";
import { SchemaConformance } from "../helpers/schema-conformance";
import { siteWith, type SiteData } from "../helpers/sites";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const schemas = SchemaConformance.fromFiles(["openstack"]);

function synthCloud(site: Site = siteWith(() => undefined)) {
  const text = Testing.synth(new CloudStack(Testing.app(), "cloud", { site }));
  const json = JSON.parse(text) as Body;
  const resources = (type: string): Record<string, Body> => json.resource?.[type] ?? {};
  const one = (type: string, name: string): [string, Body] => {
    const found = Object.entries(resources(type)).filter(([, b]) => b.name === name);
    if (found.length !== 1) throw new Error(`expected one ${type} named ${name}, found ${found.length}`);
    return found[0]!;
  };
  return {
    json,
    text,
    resources,
    named: (type: string, name: string) => one(type, name)[1],
    ref: (type: string, name: string, attr = "id") => `\${${type}.${one(type, name)[0]}.${attr}}`,
  };
}

const base = synthCloud();

describe("cloud stack on the default site", () => {
  test("every resource and attribute is in the vendored OpenStack schema", () => {
    expect(schemas.problems(base.json)).toEqual([]);
  });

  test("the provider block is empty: authentication comes from OS_* or clouds.yaml, never from the JSON", () => {
    expect(base.json.provider).toEqual({ openstack: [{}] });
    expect(base.json.terraform.required_providers).toEqual({ openstack: { source: "terraform-provider-openstack/openstack", version: "~> 3.4" } });
    expect(base.json.variable ?? {}).toEqual({});
    expect(base.text).not.toMatch(/OS_(PASSWORD|TOKEN|APPLICATION_CREDENTIAL)|password|secret/i);
    expect(base.json.terraform.backend.local.path).toBe("../../../state/guia-implantacao/cloud.tfstate");
  });

  test("the external network is flat on the site's OVN physnet, external, and protected", () => {
    expect(base.named("openstack_networking_network_v2", "external")).toMatchObject({
      external: true,
      shared: false,
      mtu: 1500,
      segments: [{ physical_network: "physnet1", network_type: "flat" }],
      lifecycle: { prevent_destroy: true },
    });
    expect(base.named("openstack_networking_network_v2", "external").segments[0]).not.toHaveProperty("segmentation_id");
  });

  test("its subnet is the external segment: CIDR, gateway, the floating range as the only allocation pool, no DHCP", () => {
    expect(base.named("openstack_networking_subnet_v2", "external-subnet")).toMatchObject({
      network_id: base.ref("openstack_networking_network_v2", "external"),
      cidr: "203.0.113.0/24",
      gateway_ip: "203.0.113.1",
      ip_version: 4,
      enable_dhcp: false,
      allocation_pool: [{ start: "203.0.113.100", end: "203.0.113.199" }],
      dns_nameservers: ["203.0.113.1"],
      lifecycle: { prevent_destroy: true },
    });
  });

  test("the default flavors, all public", () => {
    const flavors = Object.values(base.resources("openstack_compute_flavor_v2")).map(({ name, vcpus, ram, disk, is_public }) => [name, vcpus, ram, disk, is_public]);
    // cdktf writes resources sorted by logical id; the site's order is by size.
    expect(flavors.sort((a, b) => a[2] - b[2])).toEqual([
      ["m1.tiny", 1, 512, 1, true],
      ["m1.small", 1, 2048, 20, true],
      ["m1.medium", 2, 4096, 40, true],
      ["m1.large", 4, 8192, 80, true],
    ]);
  });

  test("the Ubuntu image uploads the file the verify step checked, is public, and is replaced when that step is", () => {
    const [[verifyAddress, verify]] = Object.entries(base.resources("terraform_data")).filter(([k]) => k.startsWith("image-"));
    const file = "../../../.cache/images/ubuntu-22.04-5da0b3d37d02ca6c.img";
    const url = "https://cloud-images.ubuntu.com/releases/22.04/release-20240912/ubuntu-22.04-server-cloudimg-amd64.img";
    expect(verify.triggers_replace).toEqual({
      url,
      file,
      sha256: "5da0b3d37d02ca6c6760caa4041b4df14e08abc7bc9b2db39133eef8ee145f6d",
      disk_format: "qcow2",
      container_format: "bare",
    });
    expect(verify.provisioner[0]["local-exec"].environment).toEqual({
      IMAGE_NAME: "ubuntu-22.04",
      IMAGE_URL: url,
      IMAGE_FILE: file,
      IMAGE_SHA256: "5da0b3d37d02ca6c6760caa4041b4df14e08abc7bc9b2db39133eef8ee145f6d",
    });
    // No ${ in the script: Terraform would interpolate it.
    expect(verify.provisioner[0]["local-exec"].command).not.toContain("${");
    expect(base.named("openstack_images_image_v2", "ubuntu-22.04")).toMatchObject({
      local_file_path: file,
      image_cache_path: "../../../.cache/images",
      disk_format: "qcow2",
      container_format: "bare",
      visibility: "public",
      verify_checksum: true,
      properties: { os_distro: "ubuntu", os_version: "22.04" },
      depends_on: [`terraform_data.${verifyAddress}`],
      lifecycle: { create_before_destroy: true, replace_triggered_by: [`terraform_data.${verifyAddress}`] },
    });
    expect(base.named("openstack_images_image_v2", "ubuntu-22.04")).not.toHaveProperty("image_source_url");
  });

  test("the demo project: quotas per service, a private network behind a router on the external network, remote access", () => {
    const project = base.ref("openstack_identity_project_v3", "demo");
    expect(base.named("openstack_identity_project_v3", "demo")).toMatchObject({ enabled: true, lifecycle: { prevent_destroy: true } });
    const quota = (type: string) => Object.values(base.resources(type)).map(({ "//": _, ...q }) => q);
    expect(quota("openstack_compute_quotaset_v2")).toEqual([{ project_id: project, instances: 10, cores: 20, ram: 51200 }]);
    expect(quota("openstack_blockstorage_quotaset_v3")).toEqual([{ project_id: project, volumes: 10, gigabytes: 500 }]);
    expect(quota("openstack_networking_quota_v2")).toEqual([{ project_id: project, floatingip: 5 }]);

    expect(base.named("openstack_networking_network_v2", "demo-net")).toMatchObject({ tenant_id: project, lifecycle: { prevent_destroy: true } });
    expect(base.named("openstack_networking_subnet_v2", "demo-subnet")).toMatchObject({
      tenant_id: project,
      network_id: base.ref("openstack_networking_network_v2", "demo-net"),
      cidr: "192.168.100.0/24",
      enable_dhcp: true,
      dns_nameservers: ["203.0.113.1"],
      lifecycle: { prevent_destroy: true },
    });
    expect(base.named("openstack_networking_router_v2", "demo-router")).toMatchObject({
      tenant_id: project,
      external_network_id: base.ref("openstack_networking_network_v2", "external"),
    });
    expect(Object.values(base.resources("openstack_networking_router_interface_v2"))).toMatchObject([
      { router_id: base.ref("openstack_networking_router_v2", "demo-router"), subnet_id: base.ref("openstack_networking_subnet_v2", "demo-subnet") },
    ]);
    const group = base.ref("openstack_networking_secgroup_v2", "remote-access");
    const rules = Object.values(base.resources("openstack_networking_secgroup_rule_v2")).map(({ "//": _, ...r }) => r);
    expect(rules.sort((a, b) => (a.protocol < b.protocol ? 1 : -1))).toEqual([
      { tenant_id: project, security_group_id: group, direction: "ingress", ethertype: "IPv4", protocol: "tcp", port_range_min: 22, port_range_max: 22, remote_ip_prefix: "0.0.0.0/0" },
      { tenant_id: project, security_group_id: group, direction: "ingress", ethertype: "IPv4", protocol: "icmp", remote_ip_prefix: "0.0.0.0/0" },
    ]);
    // No members: no lookups, no assignments.
    expect(base.json.data?.openstack_identity_user_v3).toBeUndefined();
    expect(base.resources("openstack_identity_role_assignment_v3")).toEqual({});
  });

  test("the removal guard records the tenant projects it protects", () => {
    expect(base.json.output.protected_hosts.value).toEqual(["project/demo"]);
    const [guard] = Object.values(base.resources("terraform_data")).filter((b) => b.lifecycle?.precondition);
    expect(guard.lifecycle.precondition[0].error_message).toMatch(/^These tenant projects were removed from the site/);
  });
});

describe("cloud stack variants", () => {
  const variant = (edit: (s: SiteData) => void, allowDestroy?: string) => synthCloud(siteWith(edit, allowDestroy));

  test("a tagged external segment: a VLAN network with the segment's VLAN ID, and neutron-api accepts VLANs on that physnet", () => {
    const edit = (s: SiteData) => {
      s.cloud.external.switchPort = "tagged";
      s.segments[2].vlan = 301;
    };
    expect(variant(edit).named("openstack_networking_network_v2", "external").segments).toEqual([
      { physical_network: "physnet1", network_type: "vlan", segmentation_id: 301 },
    ]);
    const neutron = (site: Site) => planDeployment(site).applications.find((a) => a.name === "neutron-api")!.config;
    expect(neutron(siteWith(edit))).toMatchObject({ "flat-network-providers": "physnet1", "vlan-ranges": "physnet1" });
    expect(neutron(siteWith(() => undefined))).not.toHaveProperty("vlan-ranges");
  });

  test("the site's flavors replace the defaults", () => {
    const c = variant((s) => (s.cloud.flavors = [{ name: "g1.large", vcpus: 8, ramMiB: 32768, diskGiB: 100, ephemeralGiB: 50, extraSpecs: { "hw:cpu_policy": "dedicated" } }]));
    expect(Object.values(c.resources("openstack_compute_flavor_v2")).map(({ "//": _, ...f }) => f)).toEqual([
      { name: "g1.large", vcpus: 8, ram: 32768, disk: 100, ephemeral: 50, is_public: true, extra_specs: { "hw:cpu_policy": "dedicated" } },
    ]);
  });

  test("a file image is uploaded from where the site says, checked in place", () => {
    const c = variant((s) => (s.cloud.images = [{ name: "cirros", file: "images/cirros.img", sha256: "b".repeat(64), diskFormat: "raw" }]));
    expect(c.named("openstack_images_image_v2", "cirros")).toMatchObject({ local_file_path: "../../../images/cirros.img", disk_format: "raw" });
    const [verify] = Object.values(c.resources("terraform_data")).filter((b) => b.provisioner);
    expect(verify.provisioner[0]["local-exec"].environment).toMatchObject({ IMAGE_URL: "", IMAGE_FILE: "../../../images/cirros.img" });
    const absolute = variant((s) => (s.cloud.images = [{ name: "cirros", file: "/srv/cirros.img", sha256: "b".repeat(64) }]));
    expect(absolute.named("openstack_images_image_v2", "cirros").local_file_path).toBe("/srv/cirros.img");
  });

  test("members get the project's role; each user and role is looked up once for every project", () => {
    const c = variant((s) => {
      s.cloud.projects[0].members = ["alice", "bob"];
      s.cloud.projects.push({ name: "lab", members: ["alice"], role: "reader", network: { cidr: "192.168.101.0/24" } });
    });
    expect(schemas.problems(c.json)).toEqual([]);
    expect(Object.values(c.json.data.openstack_identity_user_v3).map((u) => (u as Body).name)).toEqual(["alice", "bob"]);
    expect(Object.values(c.json.data.openstack_identity_role_v3).map((r) => (r as Body).name)).toEqual(["member", "reader"]);
    const id = (kind: string, name: string) => {
      const [key] = Object.entries(c.json.data[kind]).find(([, b]) => (b as Body).name === name)!;
      return `\${data.${kind}.${key}.id}`;
    };
    const assignments = Object.values(c.resources("openstack_identity_role_assignment_v3")).map(({ "//": _, ...a }) => a);
    expect(assignments).toEqual([
      { project_id: c.ref("openstack_identity_project_v3", "demo"), user_id: id("openstack_identity_user_v3", "alice"), role_id: id("openstack_identity_role_v3", "member") },
      { project_id: c.ref("openstack_identity_project_v3", "demo"), user_id: id("openstack_identity_user_v3", "bob"), role_id: id("openstack_identity_role_v3", "member") },
      { project_id: c.ref("openstack_identity_project_v3", "lab"), user_id: id("openstack_identity_user_v3", "alice"), role_id: id("openstack_identity_role_v3", "reader") },
    ]);
    // The lab project sets no quota: OpenStack's defaults stay.
    expect(Object.values(c.resources("openstack_compute_quotaset_v2"))).toHaveLength(1);
  });

  test("SITE_ALLOW_DESTROY=project/demo lifts the project's protection only; '*' lifts the external network's too", () => {
    const c = variant(() => undefined, "project/demo");
    for (const [type, name] of [["openstack_identity_project_v3", "demo"], ["openstack_networking_network_v2", "demo-net"], ["openstack_networking_subnet_v2", "demo-subnet"]]) {
      expect(c.named(type!, name!)).not.toHaveProperty("lifecycle");
    }
    expect(c.named("openstack_networking_network_v2", "external").lifecycle).toEqual({ prevent_destroy: true });
    expect(variant(() => undefined, "*").named("openstack_networking_network_v2", "external")).not.toHaveProperty("lifecycle");
  });

  test("a site without a cloud section still gets the external network and the flavors", () => {
    const c = variant((s) => delete s.cloud);
    expect(Object.keys(c.json.resource).sort()).toEqual(["openstack_compute_flavor_v2", "openstack_networking_network_v2", "openstack_networking_subnet_v2", "terraform_data"]);
  });

  test("bad cloud input stops before anything is synthesized, naming the field", () => {
    expect(() => siteWith((s) => (s.cloud.external.switchPort = "trunk"))).toThrow(SiteError);
    expect(() => siteWith((s) => delete s.segments[2].floating)).toThrow(/segments\[2\]\.floating: the cloud's external network takes its allocation pool/);
  });
});

describe("the image verify step, run as apply runs it", () => {
  const [verify] = Object.values(base.resources("terraform_data")).filter((b) => b.provisioner);
  const script: string = verify.provisioner[0]["local-exec"].command;
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "verify-image-"));
  const bytes = Buffer.from("not a real image: the verify step only hashes it\n");
  const sha = crypto.createHash("sha256").update(bytes).digest("hex");
  const run = (env: Record<string, string>) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      // Async, so the loopback server below can answer curl.
      const child = spawn("/bin/sh", ["-c", script], { cwd: work, env: { PATH: process.env.PATH, IMAGE_NAME: "tiny", IMAGE_URL: "", ...env } });
      let stderr = "";
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("close", (code) => resolve({ code: code ?? -1, stderr }));
    });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test("a file with the right SHA-256 passes; a wrong one stops apply with both checksums", async () => {
    fs.writeFileSync(path.join(work, "tiny.img"), bytes);
    expect((await run({ IMAGE_FILE: "tiny.img", IMAGE_SHA256: sha })).code).toBe(0);
    const bad = await run({ IMAGE_FILE: "tiny.img", IMAGE_SHA256: "0".repeat(64) });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain(`image tiny: tiny.img has SHA-256 ${sha} but the site file says ${"0".repeat(64)}; nothing was uploaded.`);
    expect(fs.existsSync(path.join(work, "tiny.img"))).toBe(true); // the operator's file is never removed
    expect((await run({ IMAGE_FILE: "missing.img", IMAGE_SHA256: sha })).stderr).toContain("image tiny: missing.img is not on this machine");
  });

  test("a URL is downloaded once into the cache; a download with the wrong checksum is removed", async () => {
    let requests = 0;
    const server = http.createServer((_, res) => {
      requests += 1;
      res.end(bytes);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/tiny.img`;
    try {
      const env = { IMAGE_URL: url, IMAGE_FILE: "cache/images/tiny.img", IMAGE_SHA256: sha };
      expect(await run(env)).toMatchObject({ code: 0 });
      expect(await run(env)).toMatchObject({ code: 0 });
      expect(requests).toBe(1);
      const bad = await run({ ...env, IMAGE_FILE: "cache/images/other.img", IMAGE_SHA256: "f".repeat(64) });
      expect(bad.code).toBe(1);
      expect(fs.existsSync(path.join(work, "cache/images/other.img"))).toBe(false);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
