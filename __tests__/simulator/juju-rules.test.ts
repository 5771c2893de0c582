/**
 * The twin refuses what real Juju, terraform-provider-juju and the charms refuse: for each rule, the shape that
 * breaks it gets the real system's error, and the shape the OpenStack layer uses passes. Runs the simulator's logic
 * against a world seeded from the default site, without Terraform.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSite } from "../../constructs/site";
import { ObjectValue, Value, isUnknown } from "../../tools/simulator/src/cty";
import { ProviderSim } from "../../tools/simulator/src/provider";
import { ProviderMeta, SchemaFile, normalizeBlock, providerSchemaOf } from "../../tools/simulator/src/schema";
import { World, WorldData, readWorldFile, worldFile, writeWorldFile } from "../../tools/simulator/src/world";
import { RULE_TABLES } from "../../tools/simulator/src/twin";
import { activeRules } from "../../tools/simulator/src/twin/rule";
import { FACTS, seedWorlds, type TwinCredentials } from "../../tools/simulator/seed";

const ROOT = path.join(__dirname, "..", "..");
const site = parseSite(fs.readFileSync(path.join(ROOT, "sites", "default.yaml"), "utf8"), "default.yaml");
const JUJU_ENV = ["JUJU_CONTROLLER_ADDRESSES", "JUJU_USERNAME", "JUJU_PASSWORD", "JUJU_CA_CERT"];

let dir: string;
let credentials: TwinCredentials;
const savedEnv: Record<string, string | undefined> = {};
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "juju-rules-"));
  credentials = seedWorlds(site, dir).credentials;
  // The simulator reads JUJU_* from its own environment, as the real provider reads Terraform's.
  for (const k of JUJU_ENV) {
    savedEnv[k] = process.env[k];
    delete process.env[k];
  }
});
afterEach(() => {
  for (const k of JUJU_ENV) if (savedEnv[k] === undefined) delete process.env[k]; else process.env[k] = savedEnv[k];
  fs.rmSync(dir, { recursive: true, force: true });
});

function sim(): ProviderSim {
  const file = JSON.parse(fs.readFileSync(path.join(ROOT, "providers", "schemas", "juju.json"), "utf8")) as SchemaFile;
  const meta = JSON.parse(fs.readFileSync(path.join(ROOT, "providers", "schemas", "juju.meta.json"), "utf8")) as ProviderMeta;
  return new ProviderSim(providerSchemaOf(file).schema, meta, new World(dir, "juju"), { rules: activeRules(RULE_TABLES["juju"]!, "") });
}

function edit(provider: string, fn: (w: WorldData) => void): void {
  const w = readWorldFile(worldFile(dir, provider));
  fn(w);
  writeWorldFile(worldFile(dir, provider), w);
}
const facts = (provider = "juju") => readWorldFile(worldFile(dir, provider)).facts;

const explicit = () => ({
  controller_addresses: credentials.juju.addresses,
  username: credentials.juju.username,
  password: credentials.juju.password,
  ca_certificate: credentials.juju.caCert,
});
const configure = (s: ProviderSim, config: Record<string, unknown>) => s.configure(normalizeBlock(config, s.providerBlock()));

function create(s: ProviderSim, type: string, config: Record<string, unknown>) {
  const proposed = normalizeBlock(config, s.resourceSchema(type).block);
  const { planned, diags } = s.planResourceChange(type, null, proposed);
  expect(diags).toEqual([]);
  return s.applyResourceChange(type, null, planned, {});
}

function plan(s: ProviderSim, type: string, prior: Value, config: Record<string, unknown>) {
  return s.planResourceChange(type, prior, normalizeBlock({ ...(prior as ObjectValue), ...config }, s.resourceSchema(type).block));
}

const details = (diags: { summary: string; detail?: string }[]) => diags.map((d) => `${d.summary}: ${d.detail ?? ""}`);

/** A connected provider and the site's model, as the openstack stack has them. */
function model(s: ProviderSim): string {
  expect(configure(s, explicit())).toEqual([]);
  const m = create(s, "juju_model", { name: "openstack", cloud: [{ name: "maas" }], config: { "default-space": "management" } });
  return String((m.newState as ObjectValue)["uuid"]);
}

/** MAAS as the substrate leaves it: the management and external VLANs in their spaces, a worker and a control-plane VM Ready. */
function substrateDone(): void {
  edit("maas", (w) => {
    const put = (type: string, key: string, obj: Record<string, unknown>) => ((w.objects[type] ??= {})[key] = obj);
    put("maas_vlan", "v-mgmt", { id: "v-mgmt", fabric: "f1", vid: 20, space: "management" });
    put("maas_vlan", "v-ext", { id: "v-ext", fabric: "f1", vid: 30, space: "external" });
    put("maas_subnet", "s-mgmt", { id: "s-mgmt", cidr: "10.20.0.0/24", fabric: "f1", vlan: "20" });
    put("maas_subnet", "s-ext", { id: "s-ext", cidr: "192.168.30.0/24", fabric: "f1", vlan: "30" });
    put("maas_machine", "m1", { id: "m1", hostname: "worker-1" });
    put("maas_network_interface_link", "l1", { id: "l1", machine: "m1", subnet: "s-mgmt" });
    put("maas_vm_host_machine", "vm1", {
      id: "vm1",
      hostname: "control-1",
      network_interfaces: [{ name: "eth0", subnet_cidr: "10.20.0.0/24" }, { name: "eth1", subnet_cidr: "192.168.30.0/24" }],
    });
  });
}

describe("provider configuration", () => {
  test("no block, no JUJU_* and no juju CLI: the provider's own error; the seeded controller's details connect", () => {
    const s = sim();
    expect(details(configure(s, {}))).toEqual([expect.stringMatching(/^Username and password or client id and client secret must be set/)]);
    expect(configure(s, explicit())).toEqual([]);
    Object.assign(process.env, { JUJU_CONTROLLER_ADDRESSES: credentials.juju.addresses, JUJU_USERNAME: "admin", JUJU_PASSWORD: credentials.juju.password, JUJU_CA_CERT: credentials.juju.caCert });
    expect(configure(s, {})).toEqual([]);
  });

  test("details that do not match the controller fail as checkClientErr reports them", () => {
    const s = sim();
    expect(details(configure(s, { ...explicit(), controller_addresses: "10.9.9.9:17070" }))).toEqual([
      "dial tcp 10.9.9.9:17070: connect: connection refused: Connection error, please check the controller_addresses property set on the provider",
    ]);
    expect(details(configure(s, { ...explicit(), ca_certificate: null }))).toEqual([
      "x509: certificate signed by unknown authority: The ca_certificate provider property is not set and the Juju certificate authority is not trusted by your system",
    ]);
    expect(details(configure(s, { ...explicit(), password: "wrong" }))).toEqual(["Client Error: invalid entity name or password (unauthorized access)"]);
  });

  test("with nothing given, the local juju CLI's current controller is used: a stray one is dialled silently", () => {
    const s = sim();
    edit("juju", (w) => (w.facts[FACTS.juju.cli] = { addresses: "10.50.0.9:17070", username: "admin", password: "x", caCert: "y" }));
    expect(details(configure(s, {}))).toEqual([
      "dial tcp 10.50.0.9:17070: connect: connection refused: Connection error, please check the controller_addresses property set on the provider (taken from the local juju CLI's current controller)",
    ]);
    // An explicit block never reaches the CLI's controller.
    expect(configure(s, explicit())).toEqual([]);
  });

  test("a site whose controller does not exist yet: planning fails to connect; controller mode needs none", () => {
    edit("juju", (w) => delete w.facts[FACTS.juju.controller]);
    const s = sim();
    expect(details(configure(s, explicit()))[0]).toMatch(/^dial tcp 127\.0\.0\.1:17070: connect: connection refused/);
    expect(configure(s, { controller_mode: true })).toEqual([]);
  });
});

describe("machines", () => {
  test("a hostname MAAS does not have (or not Ready) is stored, waits out its timeout and fails; every read then fails", () => {
    const s = sim();
    const uuid = model(s);
    const r = create(s, "juju_machine", { model_uuid: uuid, name: "worker-1", placement: "worker-1", timeouts: { create: "60m" } });
    expect(details(r.diags)).toEqual([expect.stringMatching(/^Client Error: Unable to wait for machine "0" readiness, got error: waiting for machine to be in running state \(after 1h0m0s; .*failed to acquire node: No available machine matches constraints: \[\('name', \['worker-1'\]\)\] \(MAAS has no node of that name\)/)]);
    expect(r.newState).toMatchObject({ machine_id: "0", placement: "worker-1" });
    expect(facts()[FACTS.juju.machineStatus]).toEqual({ "0": "provisioning error" });
    expect(details(s.readResource("juju_machine", r.newState, r.private).diags)[0]).toMatch(/^Client Error: Unable to read machine, got error: waiting for machine to be in running state/);

    substrateDone();
    edit("maas", (w) => (w.facts[FACTS.maas.machineStatus] = { "maas_machine/m1": "Commissioning" }));
    expect(details(create(s, "juju_machine", { model_uuid: uuid, placement: "worker-1" }).diags)[0]).toContain("the node is Commissioning, not Ready");
  });

  test("a Ready MAAS node is acquired once: a second machine on the same hostname never starts", () => {
    substrateDone();
    const s = sim();
    const uuid = model(s);
    const first = create(s, "juju_machine", { model_uuid: uuid, placement: "worker-1" });
    expect(first.diags).toEqual([]);
    expect(s.readResource("juju_machine", first.newState, first.private).diags).toEqual([]);
    expect(details(create(s, "juju_machine", { model_uuid: uuid, placement: "worker-1" }).diags)[0]).toContain("the node is already allocated to another machine");
  });

  test("an in-place update plans machine_id unknown; a changed placement replaces", () => {
    substrateDone();
    const s = sim();
    const uuid = model(s);
    const m = create(s, "juju_machine", { model_uuid: uuid, name: "worker-1", placement: "worker-1" }).newState as ObjectValue;
    const renamed = plan(s, "juju_machine", m, { name: "worker-1b" });
    expect(renamed.requiresReplace).toEqual([]);
    expect(isUnknown(renamed.planned && (renamed.planned as ObjectValue)["machine_id"])).toBe(true);
    const applied = s.applyResourceChange("juju_machine", m, renamed.planned, {});
    expect(applied.newState).toMatchObject({ machine_id: "0", name: "worker-1b" });
    expect(plan(s, "juju_machine", m, { placement: "control-1" }).requiresReplace).toEqual([[{ attribute_name: "placement" }]]);
  });
});

describe("containers and spaces", () => {
  test("on a host in two spaces, a container without spaces constraints has no obvious space; with them it starts", () => {
    substrateDone();
    const s = sim();
    const uuid = model(s);
    const host = create(s, "juju_machine", { model_uuid: uuid, placement: "control-1" }).newState as ObjectValue;
    const bare = create(s, "juju_machine", { model_uuid: uuid, placement: `lxd:${String(host["machine_id"])}` });
    expect(details(bare.diags)[0]).toContain('no obvious space for container "0/lxd/0", host machine has spaces: "external", "management"');
    expect(bare.newState).not.toBeNull();

    const elsewhere = create(s, "juju_machine", { model_uuid: uuid, placement: "lxd:0", constraints: "spaces=storage" });
    expect(details(elsewhere.diags)[0]).toContain('host machine "0" has no available device in space(s) "storage"');

    const spaced = create(s, "juju_machine", { model_uuid: uuid, placement: "lxd:0", constraints: "spaces=management,external" });
    expect(spaced.diags).toEqual([]);
    expect(spaced.newState).toMatchObject({ machine_id: "0/lxd/2" });
    expect((facts()[FACTS.juju.machineSpaces] as Record<string, string[]>)["0/lxd/2"]).toEqual(["management", "external"]);
  });

  test("a unit placed on an existing container adds no space from its application's bindings", () => {
    substrateDone();
    const s = sim();
    const uuid = model(s);
    create(s, "juju_machine", { model_uuid: uuid, placement: "control-1" });
    const c = create(s, "juju_machine", { model_uuid: uuid, placement: "lxd:0", constraints: "spaces=management" });
    expect(c.diags).toEqual([]);
    const app = create(s, "juju_application", {
      model_uuid: uuid,
      name: "keystone",
      charm: [{ name: "keystone" }],
      machines: ["0/lxd/0"],
      endpoint_bindings: [{ endpoint: "public", space: "external" }],
    });
    expect(app.diags).toEqual([]);
    expect((facts()[FACTS.juju.machineSpaces] as Record<string, string[]>)["0/lxd/0"]).toEqual(["management"]);
  });
});

describe("applications and integrations", () => {
  test("bindings equal to the model's or the application's default space are dropped on read", () => {
    const s = sim();
    const uuid = model(s);
    const app = (name: string, bindings: Record<string, unknown>[]) =>
      create(s, "juju_application", { model_uuid: uuid, name, charm: [{ name: "keystone" }], endpoint_bindings: bindings });
    const everything = app("keystone", [{ space: "management" }, { endpoint: "admin", space: "management" }, { endpoint: "public", space: "external" }]);
    const read = s.readResource("juju_application", everything.newState, everything.private).newState as ObjectValue;
    expect(read["endpoint_bindings"]).toEqual([{ endpoint: "public", space: "external" }]);

    const onlyDifferences = app("glance", [{ endpoint: "public", space: "external" }]);
    const again = s.readResource("juju_application", onlyDifferences.newState, onlyDifferences.private).newState as ObjectValue;
    expect(again["endpoint_bindings"]).toEqual([{ endpoint: "public", space: "external" }]);

    // Everything dropped: the state keeps what it had.
    const defaults = app("vault", [{ space: "management" }]);
    expect((s.readResource("juju_application", defaults.newState, defaults.private).newState as ObjectValue)["endpoint_bindings"]).toEqual([{ endpoint: null, space: "management" }]);
  });

  test("destroying an application (as a replace does) removes its relations; the integration then reads as gone", () => {
    const s = sim();
    const uuid = model(s);
    const keystone = create(s, "juju_application", { model_uuid: uuid, name: "keystone", charm: [{ name: "keystone" }] });
    create(s, "juju_application", { model_uuid: uuid, name: "glance", charm: [{ name: "glance" }] });
    const rel = create(s, "juju_integration", { model_uuid: uuid, application: [{ name: "keystone", endpoint: "identity-service" }, { name: "glance", endpoint: "identity-service" }] });
    expect(s.readResource("juju_integration", rel.newState, rel.private).newState).not.toBeNull();
    s.applyResourceChange("juju_application", keystone.newState, null, keystone.private);
    expect(s.readResource("juju_integration", rel.newState, rel.private).newState).toBeNull();
  });

  test("a changed ceph-osd-replication-count plans with a warning: existing pools keep the size they were created with", () => {
    const s = sim();
    const uuid = model(s);
    const glance = create(s, "juju_application", { model_uuid: uuid, name: "glance", charm: [{ name: "glance" }], config: { "ceph-osd-replication-count": "2" } });
    expect(facts()[FACTS.juju.cephPoolSize]).toEqual({ glance: "2" });
    const changed = plan(s, "juju_application", glance.newState, { config: { "ceph-osd-replication-count": "3" } });
    expect(changed.diags.map((d) => [d.severity, d.summary])).toEqual([["WARNING", "glance: ceph-osd-replication-count 2 → 3 does not resize its existing Ceph pools"]]);
    expect(changed.diags[0]!.detail).toContain(`juju run ceph-mon/leader pool-set name=<pool> key=size value="'3'"`);
    expect(plan(s, "juju_application", glance.newState, { config: { "ceph-osd-replication-count": "2", debug: "true" } }).diags).toEqual([]);
  });
});
