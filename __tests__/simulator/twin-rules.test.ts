/**
 * The twin refuses what real MAAS and LXD refuse: for each rule, the shape that breaks it gets the real
 * system's error, and the shape the substrate uses passes. Runs the simulator's logic against a world seeded
 * from the default site, without Terraform.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSite } from "../../constructs/site";
import { ObjectValue, Value } from "../../tools/simulator/src/cty";
import { selfSigned } from "../../tools/simulator/src/cert";
import { ProviderSim } from "../../tools/simulator/src/provider";
import { ProviderMeta, SchemaFile, normalizeBlock, providerSchemaOf } from "../../tools/simulator/src/schema";
import { World, readWorldFile, worldFile, writeWorldFile } from "../../tools/simulator/src/world";
import { RULE_TABLES } from "../../tools/simulator/src/twin";
import { recommissionMachine } from "../../tools/simulator/src/twin/maas";
import { activeRules } from "../../tools/simulator/src/twin/rule";
import { FACTS, seedWorlds, type TwinCredentials } from "../../tools/simulator/seed";
import { rulesTable } from "../../tools/simulator/rules-table";

const ROOT = path.join(__dirname, "..", "..");
const site = parseSite(fs.readFileSync(path.join(ROOT, "sites", "default.yaml"), "utf8"), "default.yaml");

let dir: string;
let credentials: TwinCredentials;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "twin-rules-"));
  credentials = seedWorlds(site, dir).credentials;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function sim(provider: "maas" | "lxd"): ProviderSim {
  const file = JSON.parse(fs.readFileSync(path.join(ROOT, "providers", "schemas", `${provider}.json`), "utf8")) as SchemaFile;
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, "providers", "schemas", `${provider}.meta.json`), "utf8")) as ProviderMeta;
  return new ProviderSim(providerSchemaOf(file).schema, meta, new World(dir, provider), {
    numericIds: provider === "maas",
    rules: activeRules(RULE_TABLES[provider]!, ""),
  });
}

/** Plans and applies a create of `type` from `config`; returns the new state and the diagnostics. */
function create(s: ProviderSim, type: string, config: Record<string, unknown>) {
  const proposed = normalizeBlock(config, s.resourceSchema(type).block);
  const { planned, diags } = s.planResourceChange(type, null, proposed);
  expect(diags).toEqual([]);
  return s.applyResourceChange(type, null, planned, {});
}

function update(s: ProviderSim, type: string, prior: Value, config: Record<string, unknown>, priv: { key?: string; n?: number }) {
  const proposed = normalizeBlock({ ...(prior as ObjectValue), ...config }, s.resourceSchema(type).block);
  const { planned } = s.planResourceChange(type, prior, proposed);
  return s.applyResourceChange(type, prior, planned, priv);
}

const summaries = (diags: { summary: string }[]) => diags.map((d) => d.summary);

/** The world key of the seeded VLAN with `vid` on the fabric of the controller's NIC for `segment`. */
function seededVlan(vid: number): { key: string; fabric: string } {
  const w = readWorldFile(worldFile(dir, "maas"));
  const [key, v] = Object.entries(w.objects["maas_vlan"]!).find(([, o]) => o["vid"] === vid)!;
  return { key, fabric: String(v["fabric"]) };
}

function dynamicRangeOn(s: ProviderSim, cidr: string, start: string, end: string): void {
  const w = readWorldFile(worldFile(dir, "maas"));
  const [subnet] = Object.entries(w.objects["maas_subnet"]!).find(([, o]) => o["cidr"] === cidr)!;
  expect(create(s, "maas_subnet_ip_range", { subnet, type: "dynamic", start_ip: start, end_ip: end }).diags).toEqual([]);
}

function managementDhcp(s: ProviderSim) {
  const vlan = seededVlan(20);
  dynamicRangeOn(s, "10.20.0.0/24", "10.20.0.200", "10.20.0.250");
  return create(s, "maas_vlan_dhcp", { fabric: Number(vlan.fabric), vlan: 20, primary_rack_controller: "rack01" });
}

describe("MAAS", () => {
  test("a key MAAS did not issue is refused with 401; the seeded one is accepted", () => {
    const maas = sim("maas");
    expect(summaries(maas.configure(normalizeBlock({ api_url: "http://x/MAAS", api_key: "a:b:c" }, maas.providerBlock())))).toEqual([
      expect.stringContaining("401 Unauthorized"),
    ]);
    expect(maas.configure(normalizeBlock({ api_url: "http://x/MAAS", api_key: credentials.maasApiKey }, maas.providerBlock()))).toEqual([]);
  });

  test("maas_vlan imports as FABRIC:VID with the fabric by name; a malformed ID gets the provider's error", () => {
    const maas = sim("maas");
    const vlan = seededVlan(20);
    expect(maas.importResourceState("maas_vlan", `fabric-${vlan.fabric}:20`).state).toMatchObject({ id: vlan.key, vid: 20 });
    expect(summaries(maas.importResourceState("maas_vlan", "20").diags)).toEqual(['unexpected format of ID ("20"), expected FABRIC:VLAN']);
    expect(maas.importResourceState("maas_subnet", "10.20.0.0/24").state).toMatchObject({ cidr: "10.20.0.0/24" });
  });

  test("DHCP on a VID the rack has no interface on: MAAS's 400, the rack is not one of the available choices", () => {
    const maas = sim("maas");
    const fabric = create(maas, "maas_fabric", { name: "storage" }).newState as ObjectValue;
    create(maas, "maas_vlan", { fabric: fabric["id"], vid: 40 });
    const r = create(maas, "maas_vlan_dhcp", { fabric: Number(fabric["id"]), vlan: 40, primary_rack_controller: "rack01" });
    expect(summaries(r.diags)).toEqual([
      'ServerError: 400 Bad Request ({"primary_rack":["Select a valid choice. rack01 is not one of the available choices."]})',
    ]);
    expect(r.newState).toBeNull();
  });

  test("an untagged controller NIC sits on VID 0, so its rack cannot serve DHCP on the segment's VID", () => {
    fs.rmSync(dir, { recursive: true, force: true });
    // The site rules refuse this shape before synth; the twin refuses it too, for a world cabled that way.
    const untagged = { ...site, controller: { ...site.controller, nics: site.controller.nics.map((n) => (n.segment === "management" ? { ...n, tagged: false } : n)) } };
    seedWorlds(untagged, dir);
    const maas = sim("maas");
    const w = readWorldFile(worldFile(dir, "maas"));
    const [, subnet] = Object.entries(w.objects["maas_subnet"]!).find(([, o]) => o["cidr"] === "10.20.0.0/24")!;
    expect(subnet["vid"]).toBe(0);
    const r = create(maas, "maas_vlan_dhcp", { fabric: Number(subnet["fabric"]), vlan: 20, primary_rack_controller: "rack01" });
    expect(summaries(r.diags)[0]).toContain("rack01 is not one of the available choices");
  });

  test("DHCP without a dynamic range is refused; with one it turns on", () => {
    const maas = sim("maas");
    const vlan = seededVlan(20);
    const refused = create(maas, "maas_vlan_dhcp", { fabric: Number(vlan.fabric), vlan: 20, primary_rack_controller: "rack01" });
    expect(summaries(refused.diags)).toEqual(['ServerError: 400 Bad Request ({"dhcp_on":["dhcp can only be turned on when a dynamic IP range is defined."]})']);
    expect(managementDhcp(maas).diags).toEqual([]);
  });

  test("a relay must point at an existing VLAN", () => {
    const maas = sim("maas");
    const fabric = create(maas, "maas_fabric", { name: "rack2" }).newState as ObjectValue;
    create(maas, "maas_vlan", { fabric: fabric["id"], vid: 20 });
    const r = create(maas, "maas_vlan_dhcp", { fabric: Number(fabric["id"]), vlan: 20, relay_vlan: 999 });
    expect(summaries(r.diags)[0]).toContain('"relay_vlan"');
  });

  test("a machine created before its PXE VLAN has DHCP times out in Commissioning and stays in state (tainted)", () => {
    const maas = sim("maas");
    const worker = site.workers[0]!;
    const config = { hostname: worker.hostname, pxe_mac_address: worker.pxeNic.mac, power_type: "ipmi", power_parameters: "{}", timeouts: { create: "60m" } };
    const early = create(maas, "maas_machine", config);
    expect(summaries(early.diags)).toEqual(["timeout while waiting for state to become 'Ready' (last state: 'Commissioning', timeout: 1h0m0s)"]);
    expect(early.newState).toMatchObject({ hostname: worker.hostname });
    expect(Object.keys(readWorldFile(worldFile(dir, "maas")).objects["maas_machine"] ?? {})).toHaveLength(1);

    expect(managementDhcp(maas).diags).toEqual([]);
    const later = create(maas, "maas_machine", { ...config, hostname: "worker-1b", pxe_mac_address: site.workers[1]!.pxeNic.mac });
    expect(later.diags).toEqual([]);
  });

  test("a deployed machine accepts a new MAC but not an MTU or link change", () => {
    const maas = sim("maas");
    managementDhcp(maas);
    const worker = site.workers[0]!;
    const machine = create(maas, "maas_machine", { hostname: worker.hostname, pxe_mac_address: worker.pxeNic.mac, power_type: "ipmi", power_parameters: "{}" });
    const id = String((machine.newState as ObjectValue)["id"]);
    const nic = create(maas, "maas_network_interface_physical", { machine: id, mac_address: worker.pxeNic.mac, name: "eno1", mtu: 1500 });
    const w = readWorldFile(worldFile(dir, "maas"));
    w.facts[FACTS.maas.machineStatus] = { [`maas_machine/${id}`]: "Deployed" };
    writeWorldFile(worldFile(dir, "maas"), w);
    expect(update(maas, "maas_network_interface_physical", nic.newState, { mac_address: "3c:ec:ef:10:00:99" }, nic.private).diags).toEqual([]);
    const mtu = update(maas, "maas_network_interface_physical", nic.newState, { mtu: 9000 }, nic.private);
    expect(summaries(mtu.diags)).toEqual(["ServerError: 409 Conflict (Cannot update interface interface because the machine is not New, Ready, Allocated, or Broken.)"]);
    const link = create(maas, "maas_network_interface_link", { machine: id, network_interface: "1", subnet: "1", mode: "AUTO" });
    expect(summaries(link.diags)[0]).toContain("Cannot link subnet interface because the machine is not New, Ready, Allocated, or Broken.");
  });

  test("re-commissioning a machine in MAAS drops its links: the next refresh finds them gone", () => {
    const maas = sim("maas");
    managementDhcp(maas);
    const worker = site.workers[0]!;
    const machine = create(maas, "maas_machine", { hostname: worker.hostname, pxe_mac_address: worker.pxeNic.mac, power_type: "ipmi", power_parameters: "{}" });
    const id = String((machine.newState as ObjectValue)["id"]);
    const link = create(maas, "maas_network_interface_link", { machine: id, network_interface: "1", subnet: "1", mode: "AUTO" });
    expect(maas.readResource("maas_network_interface_link", link.newState, link.private).newState).not.toBeNull();
    const w = readWorldFile(worldFile(dir, "maas"));
    recommissionMachine(w, id);
    writeWorldFile(worldFile(dir, "maas"), w);
    expect(maas.readResource("maas_network_interface_link", link.newState, link.private).newState).toBeNull();
  });

  test("a subnet created without allow_proxy/allow_dns is open to MAAS's proxy and DNS", () => {
    const maas = sim("maas");
    const open = create(maas, "maas_subnet", { cidr: "192.0.2.0/24" }).newState as ObjectValue;
    expect(open).toMatchObject({ allow_proxy: true, allow_dns: true });
    const closed = create(maas, "maas_subnet", { cidr: "198.51.100.0/24", allow_proxy: false, allow_dns: false }).newState as ObjectValue;
    expect(closed).toMatchObject({ allow_proxy: false, allow_dns: false });
  });

  describe("LXD VM host", () => {
    const vmHostConfig = () => ({
      type: "lxd",
      name: "controller",
      power_address: site.controller.lxd.address,
      certificate: credentials.maasLxd.certificate,
      key: credentials.maasLxd.key,
    });
    const vmConfig = (host: string, over: Record<string, unknown> = {}) => ({
      vm_host: host,
      hostname: "control-1",
      cores: 12,
      memory: 65536,
      storage_disks: [{ size_gigabytes: 400, pool: "vmpool" }],
      network_interfaces: [{ name: "eth0", subnet_cidr: "10.20.0.0/24" }],
      ...over,
    });
    function trustMaas(): void {
      const lxd = sim("lxd");
      lxd.configure(normalizeBlock({ remote: [{ name: "controller", address: site.controller.lxd.address, client_certificate: credentials.lxdClient.certificate, client_key: credentials.lxdClient.key, trust_token: credentials.lxdTrustToken }], default_remote: "controller" }, lxd.providerBlock()));
      expect(create(lxd, "lxd_trust_certificate", { name: "maas", type: "client", content: credentials.maasLxd.certificate }).diags).toEqual([]);
      expect(create(lxd, "lxd_storage_pool", { name: "vmpool", driver: "zfs" }).diags).toEqual([]);
    }

    test("untrusted by LXD, the host is saved with 0 cores and every compose fails with MAAS's message", () => {
      const maas = sim("maas");
      const host = create(maas, "maas_vm_host", vmHostConfig());
      expect(host.diags).toEqual([]);
      expect(host.newState).toMatchObject({ resources_cores_total: 0, resources_memory_total: 0 });
      const vm = create(maas, "maas_vm_host_machine", vmConfig(String((host.newState as ObjectValue)["id"])));
      expect(summaries(vm.diags)).toEqual([
        "ServerError: 503 Service Unavailable (Unable to compose KVM instance in 'controller'. CPU overcommit ratio is 1.0 and there are 0 available resources; 12 requested.Memory overcommit ratio is 1.0 and there are 0 available resources; 65536 requested.)",
      ]);
    });

    test("trusted, the host reports LXD's resources; compose needs the pool, room and DHCP on the first NIC's VLAN", () => {
      trustMaas();
      const maas = sim("maas");
      const host = create(maas, "maas_vm_host", vmHostConfig());
      expect(host.newState).toMatchObject({ resources_cores_total: 48, resources_memory_total: 256 * 1024, project: "default" });
      const id = String((host.newState as ObjectValue)["id"]);
      expect(summaries(create(maas, "maas_vm_host_machine", vmConfig(id, { storage_disks: [{ size_gigabytes: 10, pool: "nopool" }] })).diags)).toEqual([
        "ServerError: 503 Service Unavailable (Default storage pool 'nopool' doesn't exist.)",
      ]);
      expect(summaries(create(maas, "maas_vm_host_machine", vmConfig(id, { storage_disks: [{ size_gigabytes: 5000, pool: "vmpool" }] })).diags)).toEqual([
        "ServerError: 503 Service Unavailable (Not enough space in default storage pool: vmpool)",
      ]);
      const noDhcp = create(maas, "maas_vm_host_machine", vmConfig(id));
      expect(summaries(noDhcp.diags)[0]).toMatch(/^timeout while waiting for state to become 'Ready'/);
      expect(noDhcp.newState).not.toBeNull();
      managementDhcp(maas);
      expect(create(maas, "maas_vm_host_machine", vmConfig(id, { hostname: "control-2", cores: 40 })).diags.map((d) => d.summary)).toEqual([
        expect.stringContaining("CPU overcommit ratio is 1.0 and there are 36 available resources; 40 requested."),
      ]);
      expect(create(maas, "maas_vm_host_machine", vmConfig(id, { hostname: "control-2" })).diags).toEqual([]);
    });

    test("certificate and key read back trimmed: an untrimmed PEM would differ on every plan", () => {
      const maas = sim("maas");
      const host = create(maas, "maas_vm_host", vmHostConfig());
      expect(credentials.maasLxd.certificate.endsWith("\n")).toBe(true);
      const read = maas.readResource("maas_vm_host", host.newState, host.private).newState as ObjectValue;
      expect(read["certificate"]).toBe(credentials.maasLxd.certificate.trim());
    });
  });
});

describe("LXD", () => {
  const remote = (over: Record<string, unknown>) => ({
    remote: [{ name: "controller", address: site.controller.lxd.address, client_certificate: credentials.lxdClient.certificate, client_key: credentials.lxdClient.key, ...over }],
    default_remote: "controller",
  });
  const pool = (lxd: ProviderSim) => create(lxd, "lxd_storage_pool", { name: "vmpool", driver: "zfs" });

  test("without a trust token or a pinned fingerprint, the self-signed server certificate fails verification", () => {
    const lxd = sim("lxd");
    lxd.configure(normalizeBlock(remote({}), lxd.providerBlock()));
    expect(summaries(pool(lxd).diags)[0]).toContain("x509: certificate signed by unknown authority");
  });

  test("a wrong pinned fingerprint is a mismatch; a trust token trusts the client once; then the pin alone works", () => {
    const lxd = sim("lxd");
    lxd.configure(normalizeBlock(remote({ server_certificate_fingerprint: "0".repeat(64) }), lxd.providerBlock()));
    expect(summaries(pool(lxd).diags)[0]).toMatch(/^Server certificate fingerprint mismatch/);

    const server = readWorldFile(worldFile(dir, "lxd")).facts[FACTS.lxd.server] as { fingerprint: string };
    lxd.configure(normalizeBlock(remote({ server_certificate_fingerprint: server.fingerprint }), lxd.providerBlock()));
    expect(summaries(pool(lxd).diags)).toEqual(["Unable to authenticate with remote server: Client not trusted"]);

    lxd.configure(normalizeBlock(remote({ trust_token: credentials.lxdTrustToken }), lxd.providerBlock()));
    expect(pool(lxd).diags).toEqual([]);

    const other = selfSigned("someone-else");
    lxd.configure(normalizeBlock({ ...remote({ trust_token: credentials.lxdTrustToken }), remote: [{ ...remote({}).remote[0], client_certificate: other.certPem, client_key: other.keyPem, trust_token: credentials.lxdTrustToken }] }, lxd.providerBlock()));
    expect(summaries(create(lxd, "lxd_storage_pool", { name: "other", driver: "dir" }).diags)).toEqual(["Unable to authenticate with remote server: not authorized"]);

    lxd.configure(normalizeBlock(remote({ server_certificate_fingerprint: server.fingerprint }), lxd.providerBlock()));
    expect(create(lxd, "lxd_storage_pool", { name: "later", driver: "dir" }).diags).toEqual([]);
  });

  test("a certificate already in the trust store is refused", () => {
    const lxd = sim("lxd");
    lxd.configure(normalizeBlock(remote({ trust_token: credentials.lxdTrustToken }), lxd.providerBlock()));
    const r = create(lxd, "lxd_trust_certificate", { name: "terraform-again", type: "client", content: credentials.lxdClient.certificate });
    expect(r.diags.map((d) => d.detail)).toEqual(["Certificate already in trust store"]);
  });

  test("SIM_RULES_OFF turns a rule off by id", () => {
    expect(activeRules(RULE_TABLES["lxd"]!, "lxd.remote.server-verification").map((r) => r.id)).toEqual(["lxd.trust-certificate.duplicate"]);
    expect(activeRules(RULE_TABLES["maas"]!, "all")).toEqual([]);
  });
});

test("the README's rules table is the rule tables, generated", () => {
  const readme = fs.readFileSync(path.join(ROOT, "tools", "simulator", "README.md"), "utf8");
  expect(readme).toContain(rulesTable());
});

describe("SDKv2 plan semantics", () => {
  test("a changed disk size inside a VM's storage_disks is an in-place update; another disk replaces the VM", () => {
    const maas = sim("maas");
    const block = maas.resourceSchema("maas_vm_host_machine").block;
    const vm = (disks: object[]) => normalizeBlock({ vm_host: "1", hostname: "control-1", cores: 4, memory: 8192, storage_disks: disks }, block);
    const prior = normalizeBlock({ ...vm([{ size_gigabytes: 60, pool: "vmpool" }]), id: "1" }, block);
    const grown = maas.planResourceChange("maas_vm_host_machine", prior, { ...vm([{ size_gigabytes: 100, pool: "vmpool" }]), id: "1" });
    expect(grown.requiresReplace).toEqual([]);
    const added = maas.planResourceChange("maas_vm_host_machine", prior, { ...vm([{ size_gigabytes: 60, pool: "vmpool" }, { size_gigabytes: 10, pool: "vmpool" }]), id: "1" });
    expect(added.requiresReplace).toEqual([[{ attribute_name: "storage_disks" }]]);
  });
});
