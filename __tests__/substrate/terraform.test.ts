/**
 * Real terraform (against the provider simulator serving the vendored schemas) validates and plans the
 * default site's substrate: catches what the JSON-level checks cannot, such as variable validation,
 * provisioner syntax and references. Slower than the other substrate tests (~15 s).
 */
import * as fs from "node:fs";
import { Bench, countActions, createBench, stackDir, vendoredProviders } from "../../tools/testbench";
import { STACK_ENV, expectedAdopted, expectedCreates, seedTwin, siteModel, defaultSite } from "../../tools/testbench/scenarios";
import { synthSubstrate } from "./synth";

describe("terraform with the synthesized substrate stack", () => {
  let bench: Bench;
  let dir: string;
  let resourceCount: number;

  beforeAll(async () => {
    const json = synthSubstrate().json;
    resourceCount = Object.values(json.resource as Record<string, object>).reduce((n, instances) => n + Object.keys(instances).length, 0);
    // The bench supplies its own state location.
    delete json.terraform.backend;
    bench = createBench({ providers: vendoredProviders() });
    dir = stackDir({ "main.tf.json": json });
    seedTwin(bench);
    await bench.init(dir);
  });
  afterAll(() => {
    bench?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test("validates", async () => {
    await bench.tfOk(dir, ["validate"], [0], { launch: true });
  });

  test("plans every substrate object of the default site, adopting what MAAS discovered", async () => {
    const { plan } = await bench.plan(dir, [], { env: { ...bench.env, ...STACK_ENV } });
    // Per segment a space and, adopted, its fabric, VLAN and subnet (3 + 9); 5 ranges; DHCP; per worker hardware
    // identity, machine, 2 NICs, 2 links (6 x 2); 4 tags; storage pool and trust certificate; VM host; 4 VMs and
    // their hardware records; removal guard.
    expect(resourceCount).toBe(3 + 9 + 5 + 1 + 12 + 4 + 2 + 1 + 8 + 1);
    const site = siteModel(defaultSite());
    expect(countActions(plan)).toEqual({ create: expectedCreates(site).substrate, update: expectedAdopted(site).substrate });
  });

  test("rejects a MAAS certificate that is not PEM", async () => {
    const result = await bench.tf(dir, ["plan", "-input=false"], { env: { ...bench.env, ...STACK_ENV, TF_VAR_maas_lxd_certificate: "not a certificate" } });
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/maas_lxd_certificate must be a PEM certificate/);
  });
});
