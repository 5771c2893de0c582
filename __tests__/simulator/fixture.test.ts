/**
 * Real terraform against the simulator serving the fixture provider
 * `example/sim` (tools/simulator/__fixtures__): the whole life cycle.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { Bench, TfPlanJson, countActions, createBench, fixtureProvider, stackDir } from "../../tools/testbench";

const config = (over: { diskSize?: number; enabled?: boolean; extra?: Record<string, unknown> } = {}): object => ({
  terraform: { required_providers: { sim: { source: "example/sim", version: "0.1.0" } } },
  provider: { sim: [{ endpoint: "https://sim.invalid", token: "not-a-real-token" }] },
  data: { sim_image: { jammy: { name: "jammy" } } },
  resource: {
    sim_server: {
      web: {
        name: "web",
        zone: "z1",
        password: "pw",
        enabled: over.enabled ?? null,
        tags: { role: "web" },
        labels: ["x", "y"],
        ports: [80, 443],
        settings: [{ key: "k", value: "v" }],
        disk: [{ size: over.diskSize ?? 10, label: "root" }, { size: 20 }],
        nic: [{ mac: "aa:bb:cc:00:00:01", vlan: 1 }],
        power: { type: "ipmi" },
      },
      ...over.extra,
    },
    sim_volume: { data: { name: "data", size: "${data.sim_image.jammy.size}", server_id: "${sim_server.web.id}" } },
  },
  output: { fingerprint: { value: "${sim_server.web.fingerprint}" } },
});

const change = (plan: TfPlanJson, address: string) => plan.resource_changes?.find((r) => r.address === address);

describe("provider simulator with the fixture provider", () => {
  let bench: Bench;
  let dir: string;

  beforeAll(() => {
    bench = createBench({ providers: [fixtureProvider()] });
    bench.world.put("sim", "sim_image", "img-1", { name: "jammy", size: 3 });
    dir = stackDir({ "main.tf.json": config() });
  });
  afterAll(() => {
    bench?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("init works offline and writes the lock file", async () => {
    await bench.init(dir);
    const lock = fs.readFileSync(path.join(dir, ".terraform.lock.hcl"), "utf8");
    expect(lock).toContain('provider "registry.terraform.io/example/sim"');
    expect(lock).toContain('version     = "0.1.0"');
    await bench.tfOk(dir, ["validate"], [0], { launch: true });
  });

  test("plan creates, apply fills computed values, second plan has no changes", async () => {
    // Terraform starts the plugins itself here; later commands reattach to long-lived ones.
    const { plan } = await bench.plan(dir, [], { launch: true });
    expect(countActions(plan)).toEqual({ create: 2 });
    const web = change(plan, "sim_server.web")!;
    expect(web.change.after_unknown).toMatchObject({ id: true, fingerprint: true, size: true });

    await bench.apply(dir);
    const servers = bench.world.objects("sim", "sim_server");
    expect(Object.keys(servers)).toEqual(["sim_server-1"]);
    expect(servers["sim_server-1"]).toMatchObject({ id: "sim_server-1", fingerprint: "sim_server-1-fingerprint", size: 0, zone: "z1" });
    // The id-less sim_volume is keyed by its name.
    expect(bench.world.objects("sim", "sim_volume")["data"]).toMatchObject({ size: 3, server_id: "sim_server-1" });

    const again = await bench.plan(dir, ["-detailed-exitcode"]);
    expect(again.code).toBe(0);
    // Refreshed values equal the stored ones (numbers included): no false drift.
    expect((await bench.plan(dir, ["-refresh-only", "-detailed-exitcode"])).code).toBe(0);
  });

  test("an attribute changed out of band is drift", async () => {
    bench.world.patch("sim", "sim_server", "sim_server-1", { tags: { role: "db" } });
    const { code, plan } = await bench.plan(dir, ["-refresh-only", "-detailed-exitcode"]);
    expect(code).toBe(2);
    const drift = plan.resource_drift?.find((r) => r.address === "sim_server.web");
    expect(drift?.change.actions).toEqual(["update"]);
    expect(drift?.change.after).toMatchObject({ tags: { role: "db" } });
    // A normal plan puts it back in place.
    const normal = await bench.plan(dir);
    expect(countActions(normal.plan)).toMatchObject({ update: 1 });
    bench.world.patch("sim", "sim_server", "sim_server-1", { tags: { role: "web" } });
    expect((await bench.plan(dir, ["-detailed-exitcode"])).code).toBe(0);
  });

  test("an object deleted out of band is planned again", async () => {
    bench.world.remove("sim", "sim_volume", "data");
    const refresh = await bench.plan(dir, ["-refresh-only", "-detailed-exitcode"]);
    expect(refresh.code).toBe(2);
    expect(refresh.plan.resource_drift?.map((r) => [r.address, r.change.actions])).toEqual([["sim_volume.data", ["delete"]]]);
    const { plan } = await bench.plan(dir);
    expect(countActions(plan)).toEqual({ create: 1, "no-op": 1 });
    expect(change(plan, "sim_volume.data")!.change.actions).toEqual(["create"]);
    await bench.apply(dir);
    expect((await bench.plan(dir, ["-detailed-exitcode"])).code).toBe(0);
  });

  test("changing a force-new attribute replaces, another attribute updates in place", async () => {
    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config({ diskSize: 11 })));
    const { plan } = await bench.plan(dir);
    const web = change(plan, "sim_server.web")!;
    expect(web.change.actions).toEqual(["delete", "create"]);
    expect(web.change.replace_paths).toEqual([["disk", 0, "size"]]);

    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config({ enabled: true })));
    const inPlace = await bench.plan(dir);
    expect(change(inPlace.plan, "sim_server.web")!.change.actions).toEqual(["update"]);

    fs.writeFileSync(path.join(dir, "main.tf.json"), JSON.stringify(config({ diskSize: 11 })));
    await bench.apply(dir);
    expect(Object.keys(bench.world.objects("sim", "sim_server"))).toEqual(["sim_server-2"]);
    expect(bench.world.objects("sim", "sim_volume")["data"]).toMatchObject({ server_id: "sim_server-2" });
    expect((await bench.plan(dir, ["-detailed-exitcode"])).code).toBe(0);
  });

  test("import takes an object from the world", async () => {
    bench.world.put("sim", "sim_server", "manual-7", { id: "manual-7", name: "manual", fingerprint: "fp", size: 2 });
    fs.writeFileSync(
      path.join(dir, "main.tf.json"),
      JSON.stringify(config({ diskSize: 11, extra: { manual: { name: "manual", size: 2 } } })),
    );
    await bench.tfOk(dir, ["import", "-input=false", "sim_server.manual", "manual-7"]);
    const state = await bench.state(dir);
    const imported = state.values?.root_module?.resources?.find((r) => r.address === "sim_server.manual");
    expect(imported?.values).toMatchObject({ id: "manual-7", fingerprint: "fp", size: 2 });
    expect((await bench.plan(dir, ["-detailed-exitcode"])).code).toBe(0);
  });

  test("destroy removes everything it created from the world", async () => {
    await bench.tfOk(dir, ["destroy", "-input=false", "-auto-approve"]);
    expect(bench.world.objects("sim", "sim_server")).toEqual({});
    expect(bench.world.objects("sim", "sim_volume")).toEqual({});
    expect(bench.world.objects("sim", "sim_image")).toEqual({ "img-1": { name: "jammy", size: 3 } });
  });

  test("a data source without a matching object fails naming it and the filter", async () => {
    const other = stackDir({
      "main.tf.json": {
        terraform: { required_providers: { sim: { source: "example/sim", version: "0.1.0" } } },
        data: { sim_image: { focal: { name: "focal" } } },
      },
    });
    try {
      await bench.init(other);
      const r = await bench.tf(other, ["plan", "-input=false"]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("sim_image");
      expect(r.stderr).toContain('{"name":"focal"}');
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });
});
