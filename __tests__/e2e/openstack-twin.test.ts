/**
 * The openstack stack against Juju as it behaves (the twin's Juju rules on), in the operator's order: the substrate
 * applied first (MAAS then has the workers and VMs Juju acquires by hostname, with their NICs in the management and
 * external spaces), then the openstack stack planned, applied and planned again.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createBench, countActions, type Bench, type TfPlanJson } from "../../tools/testbench";
import { expectedCreates, seedTwin, siteModel } from "../../tools/testbench/scenarios";
import { STACK_ENV, appScript, loopbackSite, startFakeMaas, synth, tempDir, type FakeMaas, type Synth } from "./harness";

describe("openstack stack on the default site, Juju's rules on", () => {
  let bench: Bench;
  let maas: FakeMaas;
  let s: Synth;
  let env: NodeJS.ProcessEnv;
  let first: TfPlanJson;
  let second: { code: number; plan: TfPlanJson };
  let site: ReturnType<typeof siteModel>;

  beforeAll(async () => {
    maas = await startFakeMaas();
    const data = loopbackSite(maas.port);
    site = siteModel(data);
    bench = createBench();
    seedTwin(bench, data);
    env = STACK_ENV;
    s = synth(appScript(), tempDir("openstack-twin"), data);
    await Promise.all([bench.init(s.dir("substrate")), bench.init(s.dir("openstack"))]);
    await bench.apply(s.dir("substrate"), [], { env: STACK_ENV });
    first = (await bench.plan(s.dir("openstack"), [], { env })).plan;
    await bench.apply(s.dir("openstack"), [], { env });
    second = await bench.plan(s.dir("openstack"), ["-detailed-exitcode"], { env });
  }, 120_000);
  afterAll(async () => {
    bench?.dispose();
    await maas?.close();
    if (s) fs.rmSync(path.dirname(s.out), { recursive: true, force: true });
  });

  it("plans what the site implies, applies (every machine running, every container in its spaces) and then plans nothing", () => {
    expect(countActions(first)).toEqual({ create: expectedCreates(site).openstack });
    expect(second.code).toBe(0);
    const juju = bench.world.read("juju");
    const status = juju.facts["machine_status"] as Record<string, string>;
    expect(Object.values(status).every((st) => st === "running")).toBe(true);
    expect(Object.keys(status)).toHaveLength(24);
    expect((juju.facts["machine_spaces"] as Record<string, string[]>)["0"]).toBeUndefined();
    const spaces = juju.facts["machine_spaces"] as Record<string, string[]>;
    expect(Object.keys(spaces)).toHaveLength(19);
    expect(Object.values(spaces)).toContainEqual(["external", "management"]);
  });

  it("without the controller's connection the plan fails on the variables, never reaching another controller", async () => {
    const { TF_VAR_juju_controller_addresses: _a, ...missing } = env;
    const r = await bench.tf(s.dir("openstack"), ["plan", "-input=false"], { env: missing });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/No value for required variable[\s\S]*juju_controller_addresses/);
  });

  it("a wrong controller address fails the plan with the provider's connection error", async () => {
    const r = await bench.tf(s.dir("openstack"), ["plan", "-input=false"], { env: { ...env, TF_VAR_juju_controller_addresses: "10.9.9.9:17070" } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("dial tcp 10.9.9.9:17070: connect: connection refused");
  });
});
