/**
 * Real terraform (against the provider simulator serving the vendored schemas) validates and plans the
 * default site's substrate: catches what the JSON-level checks cannot, such as variable validation,
 * provisioner syntax and references. Slower than the other substrate tests (~15 s).
 */
import * as fs from "node:fs";
import { Bench, countActions, createBench, stackDir, vendoredProviders } from "../../tools/testbench";
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
    bench.world.put("maas", "maas_rack_controller", "4y3h7n", { id: "4y3h7n", hostname: "controller" });
    await bench.init(dir);
  });
  afterAll(() => {
    bench?.dispose();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const secrets = {
    TF_VAR_ipmi_password: "fake-ipmi",
    TF_VAR_lxd_client_certificate: "fake-cert",
    TF_VAR_lxd_client_key: "fake-key",
    MAAS_API_KEY: "consumer:token:secret",
  };

  test("validates", async () => {
    await bench.tfOk(dir, ["validate"], [0], { launch: true });
  });

  test("plans every substrate object of the default site", async () => {
    const env = { ...bench.env, ...secrets, TF_VAR_maas_lxd_certificate: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n" };
    const { plan } = await bench.plan(dir, [], { env });
    // Per segment fabric, space, VLAN, subnet (4 x 3) + 5 ranges + DHCP; per worker hardware identity, machine,
    // 2 NICs, 2 links (6 x 2); 4 tags; pool, project, 2 profiles, trust certificate; VM host; 4 VMs; removal guard.
    expect(resourceCount).toBe(12 + 5 + 1 + 12 + 4 + 5 + 1 + 4 + 1);
    expect(countActions(plan)).toEqual({ create: resourceCount });
  });

  test("rejects a MAAS certificate that is not PEM", async () => {
    const result = await bench.tf(dir, ["plan", "-input=false"], { env: { ...bench.env, ...secrets, TF_VAR_maas_lxd_certificate: "not a certificate" } });
    expect(result.code).not.toBe(0);
    expect(result.stderr + result.stdout).toMatch(/maas_lxd_certificate must be a PEM certificate/);
  });
});
