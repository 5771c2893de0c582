/**
 * The user's workflow on our synthesized stacks, with real terraform against the provider simulator:
 * synth → init → validate → plan (exact create counts) → apply → a second plan with no changes. The substrate
 * apply runs the management segment's DHCP provisioner (curl) against a loopback stand-in for the MAAS API.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createBench, countActions, type Bench } from "../../tools/testbench";
import { expectedCreates as expectedCreatesFor } from "../../tools/testbench/scenarios";
import { siteWith } from "../helpers/sites";
import {
  STACKS, STACK_ENV, appScript, leakedSecrets, loopbackSite, resourceCounts, seedRackController, showJsonLeaks, startFakeMaas, synth,
  tempDir, type FakeMaas, type StackName, type Synth,
} from "./harness";

/** Create counts derived from the default site model. */
const expectedCreates = () => expectedCreatesFor(siteWith(() => undefined));

describe("default site, all four stacks, real terraform", () => {
  let bench: Bench;
  let maas: FakeMaas;
  let s: Synth;
  beforeAll(async () => {
    const app = appScript();
    bench = createBench();
    seedRackController(bench);
    maas = await startFakeMaas();
    s = synth(app, tempDir("workflow"), loopbackSite(maas.port));
  });
  afterAll(async () => {
    bench?.dispose();
    await maas?.close();
  });

  it("derives the create counts from the site (45 / 1 / 131 / 20 for the default site)", () => {
    const expected = expectedCreates();
    expect(expected).toEqual({ substrate: 45, "juju-controller": 1, openstack: 131, cloud: 20 });
    for (const stack of STACKS) {
      expect(Object.values(resourceCounts(s.json(stack))).reduce((a, b) => a + b, 0)).toBe(expected[stack]);
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
    expect(countActions(first.plan)).toEqual({ create: expectedCreates()[stack as StackName] });
    expect(showJsonLeaks(first.plan)).toEqual([]);
    outputs.push(first.result.stdout, first.result.stderr);

    const apply = await bench.apply(dir, [], o);
    outputs.push(apply.stdout, apply.stderr);

    const second = await bench.plan(dir, ["-detailed-exitcode"], o);
    expect(second.code).toBe(0);
    expect(countActions(second.plan)).toEqual({ "no-op": expectedCreates()[stack as StackName] });
    outputs.push(second.result.stdout, second.result.stderr);

    const state = await bench.state(dir);
    expect(showJsonLeaks(state)).toEqual([]);
    expect(outputs.flatMap(leakedSecrets)).toEqual([]);

    if (stack === "substrate") {
      // The sensitive attribute is there, and masked.
      const machine = first.plan.resource_changes!.find((r) => r.type === "maas_machine")!;
      expect((machine.change as { after_sensitive?: Record<string, unknown> }).after_sensitive?.power_parameters).toBe(true);
      expect(JSON.stringify(machine.change.after)).toContain("e2e-ipmi-password-7d1f"); // so the redaction above is tested

      // The DHCP provisioner called the (loopback) MAAS API once: PUT on the management VLAN, signed with the API key.
      const resources = state.values!.root_module!.resources!;
      const fabric = resources.find((r) => r.address === "maas_fabric.fabric-management")!.values.id;
      const vlan = resources.find((r) => r.type === "maas_vlan" && r.address.includes("segment-management"))!.values.vid;
      expect(maas.requests).toHaveLength(1);
      const [req] = maas.requests;
      expect(req).toMatchObject({ method: "PUT", url: `/MAAS/api/2.0/fabrics/${fabric}/vlans/${vlan}/` });
      expect(vlan).toBe(20);
      expect(req!.authorization).toMatch(/^OAuth .*oauth_signature_method="PLAINTEXT".*oauth_consumer_key="e2econsumer"/);
      expect(req!.body).toMatch(/name="dhcp_on"\r\n\r\nTrue/);
      expect(req!.body).toMatch(/name="primary_rack"\r\n\r\nrack-e2e/);
    }
  });
});
