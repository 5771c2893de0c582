/** The simulator's logic without Terraform: wire format, planning, world, certificate. */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { decode, encode, ExtData } from "@msgpack/msgpack";
import { ObjectValue, UNKNOWN, fromMsgpack, toMsgpack } from "../../tools/simulator/src/cty";
import { selfSignedLocalhost } from "../../tools/simulator/src/cert";
import { ProviderSim } from "../../tools/simulator/src/provider";
import { JsonBlock, ProviderMeta, SchemaFile, blockType, normalizeBlock, providerSchemaOf } from "../../tools/simulator/src/schema";
import { World } from "../../tools/simulator/src/world";

const fixtures = path.join(__dirname, "..", "..", "tools", "simulator", "__fixtures__");
const schemaFile = JSON.parse(fs.readFileSync(path.join(fixtures, "sim.json"), "utf8")) as SchemaFile;
const meta = JSON.parse(fs.readFileSync(path.join(fixtures, "sim.meta.json"), "utf8")) as ProviderMeta;
const schema = providerSchemaOf(schemaFile).schema;
const server = schema.resource_schemas!["sim_server"]!.block;

let worldDir: string;
let sim: ProviderSim;
beforeEach(() => {
  worldDir = fs.mkdtempSync(path.join(os.tmpdir(), "sim-unit-"));
  sim = new ProviderSim(schema, meta, new World(worldDir, "sim"));
});
afterEach(() => fs.rmSync(worldDir, { recursive: true, force: true }));

const serverConfig = (over: Record<string, unknown> = {}) =>
  normalizeBlock({ name: "web", zone: "z1", ports: [80], disk: [{ size: 10 }], nic: [{ mac: "aa" }], ...over }, server);

describe("wire format", () => {
  test("objects carry every attribute; blocks default to empty; numbers go out as strings", () => {
    const v = normalizeBlock({ name: "a", size: 3, extra: "dropped" }, server);
    expect(Object.keys(v).sort()).toEqual(
      ["disk", "enabled", "fingerprint", "id", "labels", "name", "nic", "password", "ports", "power", "settings", "size", "tags", "zone"].sort(),
    );
    expect(v).toMatchObject({ disk: [], nic: [], power: null, id: null });
    const raw = decode(toMsgpack(v, blockType(server))) as Record<string, unknown>;
    expect(raw["size"]).toBe("3");
    expect(fromMsgpack(toMsgpack(v, blockType(server)), blockType(server))).toEqual(v);
  });

  test("unknown values (extension 0 and refined extension 12) decode and encode", () => {
    const t = blockType(server);
    const bytes = encode({ ...serverConfig(), id: new ExtData(0, new Uint8Array([0])), fingerprint: new ExtData(12, new Uint8Array([1, 2])) });
    const v = fromMsgpack(bytes, t) as Record<string, unknown>;
    expect(v["id"]).toBe(UNKNOWN);
    expect(v["fingerprint"]).toBe(UNKNOWN);
    const again = decode(toMsgpack(v as never, t)) as Record<string, unknown>;
    expect(again["id"]).toEqual(new ExtData(0, new Uint8Array([0])));
  });
});

describe("planning and applying", () => {
  test("create: computed attributes not configured become unknown", () => {
    const { planned, requiresReplace } = sim.planResourceChange("sim_server", null, serverConfig());
    expect(planned).toMatchObject({ id: UNKNOWN, fingerprint: UNKNOWN, size: UNKNOWN, zone: "z1", disk: [{ size: 10, serial: UNKNOWN }] });
    expect(requiresReplace).toEqual([]);
  });

  test("apply fills unknowns deterministically and stores the object; read returns it", () => {
    const { planned } = sim.planResourceChange("sim_server", null, serverConfig());
    const applied = sim.applyResourceChange("sim_server", null, planned, {});
    expect(applied.newState).toMatchObject({ id: "sim_server-1", fingerprint: "sim_server-1-fingerprint", size: 0, disk: [{ serial: "sim_server-1-disk.0.serial" }] });
    expect(sim.world.read().objects["sim_server"]!["sim_server-1"]).toMatchObject({ zone: "z1", ports: [80] });
    expect(sim.readResource("sim_server", applied.newState, applied.private).newState).toEqual(applied.newState);
  });

  test("unchanged update plans the prior state; force-new paths are precise", () => {
    const { planned } = sim.planResourceChange("sim_server", null, serverConfig());
    const prior = sim.applyResourceChange("sim_server", null, planned, {}).newState as ObjectValue;
    expect(sim.planResourceChange("sim_server", prior, prior).planned).toEqual(prior);
    const disk = sim.planResourceChange("sim_server", prior, { ...prior, disk: [{ size: 11, label: null, serial: "s" }] });
    expect(disk.requiresReplace).toEqual([[{ attribute_name: "disk" }, { element_key_int: 0 }, { attribute_name: "size" }]]);
    const nic = sim.planResourceChange("sim_server", prior, { ...prior, nic: [{ mac: "bb", vlan: null }] });
    expect(nic.requiresReplace).toEqual([[{ attribute_name: "nic" }]]);
    const zone = sim.planResourceChange("sim_server", prior, { ...prior, zone: "z2", ports: [81] });
    expect(zone.requiresReplace).toEqual([[{ attribute_name: "zone" }]]);
    const ports = sim.planResourceChange("sim_server", prior, { ...prior, ports: [81] });
    expect(ports.requiresReplace).toEqual([]);
  });

  test("a resource without id is keyed by name; deleted out of band reads as gone", () => {
    const vol = normalizeBlock({ name: "v", size: 1 }, schema.resource_schemas!["sim_volume"]!.block);
    const { planned } = sim.planResourceChange("sim_volume", null, vol);
    const applied = sim.applyResourceChange("sim_volume", null, planned, {});
    expect(Object.keys(sim.world.read().objects["sim_volume"]!)).toEqual(["v"]);
    sim.world.update((w) => void delete w.objects["sim_volume"]!["v"]);
    expect(sim.readResource("sim_volume", applied.newState, applied.private).newState).toBeNull();
  });

  test("import finds an object by id or unique name", () => {
    sim.world.update((w) => void (w.objects["sim_server"] = { "srv-9": { name: "nine", id: "srv-9" } }));
    expect(sim.importResourceState("sim_server", "srv-9").state).toMatchObject({ id: "srv-9", name: "nine", disk: [] });
    expect(sim.importResourceState("sim_server", "nine").state).toMatchObject({ id: "srv-9" });
    expect(sim.importResourceState("sim_server", "nope").diags[0]!.summary).toMatch(/non-existent/);
  });

  test("validation reports missing required attributes at any depth", () => {
    const diags = sim.validate(server, normalizeBlock({ disk: [{ label: "x" }] }, server));
    expect(diags.map((d) => d.attribute?.steps)).toEqual([
      [{ attribute_name: "name" }],
      [{ attribute_name: "disk" }, { element_key_int: 0 }, { attribute_name: "size" }],
    ]);
  });
});

describe("data sources", () => {
  const ds = (): JsonBlock => schema.data_source_schemas!["sim_server"]!.block;
  test("exactly one matching object is returned; none or several is an error naming the filter", () => {
    sim.world.update((w) => {
      w.objects["sim_server"] = { a: { id: "a", name: "x", zone: "z1" }, b: { id: "b", name: "x", zone: "z2" }, c: { id: "c", name: "y" } };
    });
    expect(sim.readDataSource("sim_server", normalizeBlock({ name: "y" }, ds())).state).toMatchObject({ id: "c", name: "y", zone: null });
    expect(sim.readDataSource("sim_server", normalizeBlock({ id: "b" }, ds())).state).toMatchObject({ name: "x", zone: "z2" });
    const many = sim.readDataSource("sim_server", normalizeBlock({ name: "x" }, ds()));
    expect(many.diags[0]!.summary).toContain('2 objects match (a, b) the filter {"name":"x"}');
    const none = sim.readDataSource("sim_server", normalizeBlock({ name: "q" }, ds()));
    expect(none.diags[0]!.summary).toContain('sim_server: no object matches the filter {"name":"q"}');
  });
});

test("the TLS certificate is a P-256 CA for localhost with server and client auth", () => {
  const c = selfSignedLocalhost();
  const x = new crypto.X509Certificate(c.der);
  expect(x.ca).toBe(true);
  expect(x.checkHost("localhost")).toBe("localhost");
  expect(x.keyUsage).toEqual(expect.arrayContaining(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]));
  expect(x.verify(x.publicKey)).toBe(true);
  expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
});
