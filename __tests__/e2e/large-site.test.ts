/**
 * The user's workflow at scale, with real terraform against the provider simulator: the generated 50-worker,
 * 3-zone site (as sites/scale-50.yaml, its MAAS API moved to a loopback stand-in) → synth → init → validate →
 * plan (exact create counts from the site model) → apply → a second plan with no changes, for the four stacks on
 * one reattached bench; openstack after the substrate, against Juju's rules (the twin's MAAS and LXD rules stay off
 * until the substrate is moved onto them).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { planDeployment } from "../../constructs/openstack/deployment";
import { workersWithRole, type Site } from "../../constructs/site";
import { createBench, countActions, type Bench, type TfPlanJson, type TfResourceChange } from "../../tools/testbench";
import { expectedCreates, expectedFirstPlan, expectedResources, loopbackGeneratedSite, siteModel } from "../../tools/testbench/scenarios";
import {
  STACKS, STACK_ENV, appScript, leakedSecrets, seedTwin, showJsonLeaks, startFakeMaas, synth, tempDir, type FakeMaas,
  type StackName, type Synth,
} from "./harness";

const SCALE = { workers: 50, zones: 3 };

interface StackRun {
  first: { code: number; plan: TfPlanJson };
  second: { code: number; plan: TfPlanJson };
  /** stdout and stderr of every terraform command, `terraform output` included. */
  outputs: string[];
}

/** init → validate → plan → apply → plan → output, as a user runs them in cdktf.out/stacks/<stack>. */
async function runStack(bench: Bench, dir: string, env: NodeJS.ProcessEnv = STACK_ENV): Promise<StackRun> {
  const o = { env };
  const outputs: string[] = [];
  const keep = (r: { stdout: string; stderr: string }) => void outputs.push(r.stdout, r.stderr);
  keep(await bench.init(dir));
  keep(await bench.tfOk(dir, ["validate"], [0], o));
  const first = await bench.plan(dir, ["-detailed-exitcode"], o);
  keep(first.result);
  keep(await bench.apply(dir, [], o));
  const second = await bench.plan(dir, ["-detailed-exitcode"], o);
  keep(second.result);
  keep(await bench.tfOk(dir, ["output"], [0], o));
  return { first, second, outputs };
}

const managed = (plan: TfPlanJson, type: string): TfResourceChange[] =>
  (plan.resource_changes ?? []).filter((r) => r.mode === "managed" && r.type === type);
const after = (rc: TfResourceChange) => rc.change.after as Record<string, unknown>;

describe(`generated site: ${SCALE.workers} workers over ${SCALE.zones} zones, real terraform`, () => {
  let bench: Bench;
  let maas: FakeMaas;
  let site: Site;
  let s: Synth;
  let runs: Record<StackName, StackRun>;

  beforeAll(async () => {
    maas = await startFakeMaas();
    const data = loopbackGeneratedSite(maas.port, SCALE);
    // Never apply a site whose MAAS is anything but the loopback stand-in (the DHCP provisioner curls it).
    expect(new URL(data.maas.url).hostname).toBe("127.0.0.1");
    site = siteModel(data);
    bench = createBench();
    seedTwin(bench, data);
    s = synth(appScript(), tempDir("large-site"), data);
    // Juju acquires the machines the substrate makes; the other stacks run beside them.
    const substrateThenOpenstack = async (): Promise<[StackRun, StackRun]> => {
      const substrate = await runStack(bench, s.dir("substrate"));
      return [substrate, await runStack(bench, s.dir("openstack"))];
    };
    const [[substrate, openstack], controller, cloud] = await Promise.all([
      substrateThenOpenstack(),
      runStack(bench, s.dir("juju-controller")),
      runStack(bench, s.dir("cloud")),
    ]);
    runs = { substrate, openstack, "juju-controller": controller!, cloud: cloud! } as Record<StackName, StackRun>;
  }, 120_000);
  afterAll(async () => {
    bench?.dispose();
    await maas?.close();
    if (s) fs.rmSync(path.dirname(s.out), { recursive: true, force: true });
  });

  it("the model is the scale site: 50 workers over 3 zones", () => {
    expect(site.workers).toHaveLength(SCALE.workers);
    expect(new Set(site.workers.map((w) => w.zone)).size).toBe(SCALE.zones);
  });

  it.each(STACKS.map((st) => [st]))("%s: the first plan creates exactly what the site model implies, then apply leaves no diff", (stack) => {
    const run = runs[stack as StackName];
    expect(run.first.code).toBe(2);
    expect(countActions(run.first.plan)).toEqual(expectedFirstPlan(site, stack as StackName));
    expect(run.second.code).toBe(0);
    expect(countActions(run.second.plan)).toEqual({ "no-op": expectedResources(site, stack as StackName) });
  });

  it("the expected counts are those of this scale (substrate 348 and 9 adopted, juju-controller 1, openstack 227, cloud 7)", () => {
    // Pins the derivation: a change to it (or to the generator) shows here rather than passing silently.
    expect(expectedCreates(site)).toEqual({ substrate: 348, "juju-controller": 1, openstack: 227, cloud: 7 });
  });

  it("one MAAS machine per worker, spread over the 3 zones as the site says", () => {
    const machines = managed(runs.substrate.first.plan, "maas_machine").map(after);
    expect(machines.map((m) => m.hostname).sort()).toEqual(site.workers.map((w) => w.hostname).sort());
    const perZone = (list: readonly { readonly zone?: unknown }[]) =>
      list.reduce<Record<string, number>>((acc, m) => ({ ...acc, [String(m.zone)]: (acc[String(m.zone)] ?? 0) + 1 }), {});
    expect(perZone(machines)).toEqual(perZone(site.workers));
    expect(perZone(machines)).toEqual({ "zone-1": 17, "zone-2": 17, "zone-3": 16 });
    // Each PXE MAC belongs to its own worker.
    const mac = new Map(site.workers.map((w) => [w.hostname, w.pxeNic.mac]));
    for (const m of machines) expect(m.pxe_mac_address).toBe(mac.get(String(m.hostname)));
  });

  it("MAAS serves DHCP on rack 1's management VLAN from the controller's rack, and relays the other racks' to it", () => {
    const dhcpSegments = site.segments.filter((g) => g.dhcp);
    expect(dhcpSegments.map((g) => g.name)).toEqual(["management-r1", "management-r2", "management-r3"]);
    const dhcp = Object.values(bench.world.objects("maas", "maas_vlan_dhcp"));
    expect(dhcp).toHaveLength(dhcpSegments.length);
    const served = dhcp.filter((d) => d.primary_rack_controller);
    expect(served).toHaveLength(1);
    const vlans = bench.world.objects("maas", "maas_vlan");
    const servedVlan = Object.entries(vlans).find(([, v]) => String(v.fabric) === String(served[0]!.fabric) && v.vid === 20)![0];
    expect(dhcp.filter((d) => !d.primary_rack_controller).map((d) => String(d.relay_vlan))).toEqual([servedVlan, servedVlan]);
    expect(maas.requests).toEqual([]);
  });

  it("nova-compute, ceph-osd and ovn-chassis units follow the worker roles", () => {
    const compute = workersWithRole(site, "compute").length;
    const storage = workersWithRole(site, "storage").length;
    expect([compute, storage]).toEqual([38, 50]);
    const apps = (plan: TfPlanJson) => new Map(managed(plan, "juju_application").map((r) => [String(after(r).name), after(r)]));
    // After apply every machine ID is known: one unit per machine in the set.
    const applied = apps(runs.openstack.second.plan);
    const machines = (app: string) => (applied.get(app)!.machines as string[] | null) ?? [];
    expect(machines("nova-compute")).toHaveLength(compute);
    expect(machines("ceph-osd")).toHaveLength(storage);
    // ovn-chassis is a subordinate: no machines of its own, one unit beside each nova-compute unit.
    expect(machines("ovn-chassis")).toHaveLength(0);
    const integrations = managed(runs.openstack.second.plan, "juju_integration").map((r) =>
      (after(r).application as { name: string }[]).map((a) => a.name).sort().join(" "),
    );
    expect(integrations).toContain("nova-compute ovn-chassis");
    // The same sets as planned: the worker machines of those roles.
    const juju = new Map(
      (runs.openstack.second.plan.resource_changes ?? [])
        .filter((r) => r.type === "juju_machine")
        .map((r) => [String(after(r).machine_id), String(after(r).name)]),
    );
    const hosts = (app: string) => machines(app).map((id) => juju.get(id)).sort();
    const planned = planDeployment(site).applications;
    expect(hosts("nova-compute")).toEqual([...planned.find((a) => a.name === "nova-compute")!.machines].sort());
    expect(hosts("ceph-osd")).toEqual([...planned.find((a) => a.name === "ceph-osd")!.machines].sort());
  });

  it("no secret reaches cdk.tf.json, terraform's output or the plans' show -json (prior state included)", () => {
    for (const stack of STACKS) {
      expect(leakedSecrets(fs.readFileSync(path.join(s.dir(stack), "cdk.tf.json"), "utf8"))).toEqual([]);
      const run = runs[stack];
      expect(run.outputs.flatMap(leakedSecrets)).toEqual([]);
      expect(showJsonLeaks(run.first.plan)).toEqual([]);
      expect(showJsonLeaks(run.second.plan)).toEqual([]);
    }
    // The IPMI password is in the plan, masked as sensitive: so the check above had something to find.
    const machine = managed(runs.substrate.first.plan, "maas_machine")[0]!;
    expect((machine.change as { after_sensitive?: Record<string, unknown> }).after_sensitive?.power_parameters).toBe(true);
    expect(JSON.stringify(machine.change.after)).toContain("e2e-ipmi-password-7d1f");
  });
});
