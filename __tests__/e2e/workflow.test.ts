/**
 * The user's workflow on our synthesized stacks, with real terraform against the provider simulator:
 * synth → init → validate → plan (exact create counts) → apply → a second plan with no changes. The substrate
 * apply runs the management segment's DHCP provisioner (curl) against a loopback stand-in for the MAAS API.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createBench, countActions, type Bench } from "../../tools/testbench";
import { expectedCreates as expectedCreatesFor, expectedFirstPlan, expectedResources } from "../../tools/testbench/scenarios";
import { siteWith } from "../helpers/sites";
import {
  STACKS, STACK_ENV, appScript, leakedSecrets, loopbackSite, resourceCounts, seedTwin, showJsonLeaks, startFakeMaas, synth,
  tempDir, type FakeMaas, type StackName, type Synth,
} from "./harness";

/** Create counts derived from the default site model. */
const site = () => siteWith(() => undefined);
const expectedCreates = () => expectedCreatesFor(site());

describe("default site, all four stacks, real terraform", () => {
  let bench: Bench;
  let maas: FakeMaas;
  let s: Synth;
  beforeAll(async () => {
    const app = appScript();
    bench = createBench();
    seedTwin(bench);
    maas = await startFakeMaas();
    s = synth(app, tempDir("workflow"), loopbackSite(maas.port));
  });
  afterAll(async () => {
    bench?.dispose();
    await maas?.close();
  });

  it("derives the create counts from the site (37 / 1 / 131 / 20 for the default site, and 9 adopted from MAAS)", () => {
    const expected = expectedCreates();
    expect(expected).toEqual({ substrate: 37, "juju-controller": 1, openstack: 131, cloud: 20 });
    for (const stack of STACKS) {
      expect(Object.values(resourceCounts(s.json(stack))).reduce((a, b) => a + b, 0)).toBe(expectedResources(site(), stack));
    }
  });

  it("synthesizes the four stacks in dependency order: substrate, juju-controller, openstack, cloud", () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(s.out, "manifest.json"), "utf8")) as { stacks: Record<string, { dependencies: string[] }> };
    expect(Object.fromEntries(Object.entries(manifest.stacks).map(([name, st]) => [name, st.dependencies]))).toEqual({
      substrate: [],
      "juju-controller": ["substrate"],
      openstack: ["juju-controller"],
      cloud: ["openstack"],
    });
  });

  it("no secret value reaches cdk.tf.json", () => {
    for (const stack of STACKS) expect(leakedSecrets(fs.readFileSync(path.join(s.dir(stack), "cdk.tf.json"), "utf8"))).toEqual([]);
  });

  it.each(STACKS.map((st) => [st]))("%s: init, validate, plan, apply, then no changes", async (stack) => {
    const dir = s.dir(stack as StackName);
    const o = { env: STACK_ENV };
    const outputs: string[] = [];
    outputs.push((await bench.init(dir)).stdout);
    outputs.push((await bench.tfOk(dir, ["validate"], [0], o)).stdout);

    const first = await bench.plan(dir, ["-detailed-exitcode"], o);
    expect(first.code).toBe(2);
    expect(countActions(first.plan)).toEqual(expectedFirstPlan(site(), stack as StackName));
    expect(showJsonLeaks(first.plan)).toEqual([]);
    outputs.push(first.result.stdout, first.result.stderr);

    const apply = await bench.apply(dir, [], o);
    outputs.push(apply.stdout, apply.stderr);

    const second = await bench.plan(dir, ["-detailed-exitcode"], o);
    expect(second.code).toBe(0);
    expect(countActions(second.plan)).toEqual({ "no-op": expectedResources(site(), stack as StackName) });
    outputs.push(second.result.stdout, second.result.stderr);

    const state = await bench.state(dir);
    expect(showJsonLeaks(state)).toEqual([]);
    expect(outputs.flatMap(leakedSecrets)).toEqual([]);

    if (stack === "substrate") {
      // The sensitive attribute is there, and masked.
      const machine = first.plan.resource_changes!.find((r) => r.type === "maas_machine")!;
      expect((machine.change as { after_sensitive?: Record<string, unknown> }).after_sensitive?.power_parameters).toBe(true);
      expect(JSON.stringify(machine.change.after)).toContain("e2e-ipmi-password-7d1f"); // so the redaction above is tested

      // DHCP is on in MAAS for the management VLAN, served by the controller's rack, through the provider only.
      const resources = state.values!.root_module!.resources!;
      const fabric = resources.find((r) => r.address === "maas_fabric.fabric-management")!.values.id;
      const dhcp = Object.values(bench.world.objects("maas", "maas_vlan_dhcp"));
      expect(dhcp).toEqual([expect.objectContaining({ fabric: Number(fabric), vlan: 20, primary_rack_controller: "rack01" })]);
      expect(maas.requests).toEqual([]);
      // Every machine commissioned: MAAS served DHCP where each PXE boots before it was created.
      const status = bench.world.read("maas").facts["machine_status"] as Record<string, string>;
      expect(Object.values(status)).toEqual(Array(6).fill("Ready"));
    }
  });
});
