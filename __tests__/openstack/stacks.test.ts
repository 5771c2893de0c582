import { App, Testing } from "cdktf";
import { loadSite, type Site } from "../../constructs/site";
import { JujuControllerStack } from "../../constructs/openstack/controller-stack";
import { planDeployment } from "../../constructs/openstack/deployment";
import { OpenStackStack } from "../../constructs/openstack/openstack-stack";
import { SchemaConformance } from "../helpers/schema-conformance";
import { generatedSite } from "../helpers/sites";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = Record<string, any>;

const site = loadSite({ site: "default" });
const schemas = SchemaConformance.fromFiles(["juju"]);

function synthOpenStack(s: Site = site): { json: Body; text: string; stack: OpenStackStack } {
  const stack = new OpenStackStack(Testing.app(), "openstack", { site: s });
  const text = Testing.synth(stack);
  return { json: JSON.parse(text) as Body, text, stack };
}

function synthController(s: Site = site): { json: Body; text: string } {
  const text = Testing.synth(new JujuControllerStack(Testing.app(), "juju-controller", { site: s }));
  return { json: JSON.parse(text) as Body, text };
}

const { json, text, stack } = synthOpenStack();
const resources = (type: string): Body[] => Object.values(json.resource[type] ?? {});
/** Terraform address (without ${}) of the resource of `type` whose `name` is `name`. */
const addressOf = (type: string, name: string): string => {
  const entries = Object.entries(json.resource[type] as Body).filter(([, body]) => body.name === name);
  expect(entries).toHaveLength(1);
  return `${type}.${entries[0][0]}`;
};
const application = (name: string): Body => resources("juju_application").find((a) => a.name === name)!;

describe("OpenStack stack on the default site", () => {
  test("every resource and attribute is in the vendored Juju schema", () => {
    expect(schemas.problems(json)).toEqual([]);
  });

  test("holds one model, 24 machines, 26 applications and 58 integrations", () => {
    const counts = Object.fromEntries(Object.entries(json.resource as Body).map(([type, instances]) => [type, Object.keys(instances).length]));
    // terraform_data: the removal guard, one hardware identity per worker and one host identity per container.
    expect(counts).toEqual({ juju_model: 1, juju_machine: 24, juju_application: 26, juju_integration: 58, terraform_data: 3 + 19 });
    expect(resources("juju_model")[0]).toEqual({
      name: "openstack",
      cloud: [{ name: "maas-cloud" }],
      credential: "maas-credential",
      config: { "default-space": "management" },
    });
  });

  test("places workers and control-plane VMs by hostname and API containers inside the VMs", () => {
    const model = `\${${addressOf("juju_model", "openstack")}.uuid}`;
    for (const host of ["worker-1", "worker-2", "control-1", "control-2", "control-3"]) {
      expect(resources("juju_machine").find((m) => m.name === host)).toMatchObject({ placement: host, base: "ubuntu@22.04", model_uuid: model });
    }
    expect(resources("juju_machine").find((m) => m.name === "keystone-on-control-1")).toMatchObject({
      placement: `lxd:\${${addressOf("juju_machine", "control-1")}.machine_id}`,
    });
    expect(application("nova-compute").machines).toEqual(["worker-1", "worker-2"].map((h) => `\${${addressOf("juju_machine", h)}.machine_id}`));
    expect(application("ceph-mon").machines).toEqual(
      ["control-1", "control-2", "control-3"].map((vm) => `\${${addressOf("juju_machine", `ceph-mon-on-${vm}`)}.machine_id}`),
    );
  });

  test("applications carry charm, channel, base, config (as strings) and bindings; subordinates have no units", () => {
    expect(application("keystone")).toMatchObject({
      charm: [{ name: "keystone", channel: "2024.1/stable", base: "ubuntu@22.04" }],
      config: { "openstack-origin": "cloud:jammy-caracal" },
      endpoint_bindings: [{ endpoint: "public", space: "external" }],
    });
    // Everything on the model's default-space is left out (Juju would read it back as nothing).
    expect(application("ceph-mon")).not.toHaveProperty("endpoint_bindings");
    expect(application("ceph-osd").config).toEqual({ source: "cloud:jammy-caracal", "osd-devices": "/dev/sdb /dev/sdc" });
    for (const sub of ["ovn-chassis", "cinder-ceph", "neutron-api-plugin-ovn", "keystone-mysql-router"]) {
      expect(application(sub)).not.toHaveProperty("units");
      expect(application(sub)).not.toHaveProperty("machines");
    }
    for (const a of resources("juju_application")) {
      for (const value of Object.values(a.config ?? {})) expect(typeof value).toBe("string");
    }
  });

  test("ovn-chassis maps the provider bridge to the gateways' external NICs only: both workers here, 3 of 38 compute workers at 50", () => {
    const mappedMacs = (body: Body) =>
      (Object.values(body.resource.juju_application as Body).find((a) => a.name === "ovn-chassis")!.config["bridge-interface-mappings"] as string).split(" ");
    const externalMacs = (s: Site, hostnames: readonly string[]) => hostnames.map((h) => `br-ex:${s.workers.find((w) => w.hostname === h)!.nics.find((n) => n.segment === "external")!.mac}`);
    expect(mappedMacs(json)).toEqual(externalMacs(site, ["worker-1", "worker-2"]));
    const big = generatedSite({ workers: 50, zones: 3 });
    expect(big.workers.filter((w) => w.roles.includes("compute"))).toHaveLength(38);
    expect(mappedMacs(synthOpenStack(big).json)).toEqual(externalMacs(big, ["worker-1", "worker-2", "worker-3"]));
  });

  test("every integration names both applications and endpoints of the plan", () => {
    const plan = planDeployment(site);
    const synthesized = resources("juju_integration")
      .map((i) => (i.application as Body[]).map((end) => `${end.name}:${end.endpoint}`).join(" "))
      .sort();
    const expected = plan.relations
      .map((r) => [r.a, r.b].map((end) => `\${${addressOf("juju_application", end.app)}.name}:${end.endpoint}`).join(" "))
      .sort();
    expect(synthesized).toEqual(expected);
  });

  test("workers, VMs, stateful containers and stateful applications are protected from destroy", () => {
    const protectedNames = (type: string) => resources(type).filter((r) => r.lifecycle?.prevent_destroy).map((r) => r.name).sort();
    expect(protectedNames("juju_application")).toEqual(["ceph-mon", "ceph-osd", "mysql-innodb-cluster", "rabbitmq-server", "vault"]);
    expect(protectedNames("juju_machine")).toEqual(
      expect.arrayContaining(["worker-1", "worker-2", "control-1", "ceph-mon-on-control-2", "mysql-innodb-cluster-on-control-3", "vault-on-control-1"]),
    );
    expect(protectedNames("juju_machine")).not.toContain("keystone-on-control-1");
    expect(json.output.protected_hosts.value).toEqual(["control-1", "control-2", "control-3", "worker-1", "worker-2"]);

    const allowed = synthOpenStack(loadSite({ site: "default", allowDestroy: "worker-2" })).json;
    const worker2 = Object.values(allowed.resource.juju_machine as Body).find((m) => m.name === "worker-2")!;
    expect(worker2.lifecycle).toEqual({ replace_triggered_by: [expect.stringMatching(/^terraform_data\.worker-2_hardware_/)] });
  });

  test("a worker's Juju machine is replaced when its PXE MAC (its hardware) changes; VMs are not tied", () => {
    const hardware = json.resource.terraform_data as Body;
    const byName = (name: string) => Object.values(json.resource.juju_machine as Body).find((m) => m.name === name)!;
    const trigger = byName("worker-1").lifecycle.replace_triggered_by[0] as string;
    expect(hardware[trigger.replace(/^terraform_data\./, "")].input).toEqual({ pxe_mac_address: "3c:ec:ef:10:00:01" });
    expect(byName("control-1").lifecycle.replace_triggered_by).toBeUndefined();
    expect(byName("worker-1").timeouts).toEqual({ create: "90m" });
    expect(byName("control-1").timeouts).toEqual({ create: "45m" });
  });

  test("a container ignores its host's in-place changes but is replaced when it moves or its host is replaced", () => {
    const hardware = json.resource.terraform_data as Body;
    const keystone = Object.values(json.resource.juju_machine as Body).find((m) => m.name === "keystone-on-control-1")!;
    expect(keystone.constraints).toBe("spaces=external,management");
    expect(keystone.lifecycle.ignore_changes).toEqual(["placement"]);
    const [identity, host] = keystone.lifecycle.replace_triggered_by as string[];
    expect(hardware[identity!.replace(/^terraform_data\./, "")].input).toEqual({ host: "control-1" });
    expect(host).toBe(`${addressOf("juju_machine", "control-1")}.id`);
  });

  test("an integration is replaced together with either application it relates", () => {
    const rel = resources("juju_integration").find((i) => (i.application as Body[]).some((e) => e.endpoint === "identity-service" && String(e.name).includes("glance")))!;
    expect(rel.lifecycle.replace_triggered_by).toEqual(
      expect.arrayContaining([`${addressOf("juju_application", "glance")}.id`, `${addressOf("juju_application", "keystone")}.id`]),
    );
  });

  test("the Juju provider's connection is explicit, from variables (never the local CLI's controller), and it uses the site's state key", () => {
    expect(json.provider.juju).toEqual([
      { controller_addresses: "${var.juju_controller_addresses}", username: "${var.juju_username}", password: "${var.juju_password}", ca_certificate: "${var.juju_ca_certificate}" },
    ]);
    expect(json.variable.juju_password).toMatchObject({ type: "string", sensitive: true, nullable: false });
    expect(json.variable.juju_controller_addresses.description).toMatch(/output api_addresses .* of the juju-controller stack/);
    expect(json.terraform.backend.local.path).toBe("../../../state/guia-implantacao/openstack.tfstate");
  });

  test("quorum caveats are reported as synth warnings", () => {
    const warnings = stack.node.metadata.filter((m) => m.type.includes("warn")).map((m) => String(m.data));
    expect(warnings).toHaveLength(3);
    expect(warnings[0]).toMatch(/all 3 ceph-mon units run on one physical host \(controller\)/);
  });
});

describe("OpenStack stack on the 50-worker site", () => {
  test("conforms to the schema and only adds worker machines", () => {
    const big = synthOpenStack(loadSite({ site: "scale-50" })).json;
    expect(schemas.problems(big)).toEqual([]);
    const count = (j: Body, type: string) => Object.keys(j.resource[type]).length;
    expect(count(big, "juju_application")).toBe(count(json, "juju_application"));
    expect(count(big, "juju_integration")).toBe(count(json, "juju_integration"));
    expect(count(big, "juju_machine") - count(json, "juju_machine")).toBe(50 - 2);
    const nova = Object.values(big.resource.juju_application as Body).find((a) => a.name === "nova-compute")!;
    expect(nova.machines).toHaveLength(loadSite({ site: "scale-50" }).workers.filter((w) => w.roles.includes("compute")).length);
  });
});

describe("Juju controller stack", () => {
  const controller = synthController();

  test("bootstraps onto the MAAS node tagged juju-controller with the site's cloud, base and binary", () => {
    expect(schemas.problems(controller.json)).toEqual([]);
    expect(controller.json.provider.juju).toEqual([{ controller_mode: true }]);
    expect(controller.json.resource.juju_controller.controller).toEqual({
      name: "maas-controller",
      juju_binary: "/snap/juju/current/bin/juju",
      bootstrap_base: "ubuntu@22.04",
      bootstrap_constraints: { tags: "juju-controller" },
      cloud: { name: "maas-cloud", type: "maas", endpoint: "http://10.20.0.2:5240/MAAS", auth_types: ["oauth1"] },
      cloud_credential: { name: "maas-credential", auth_type: "oauth1", attributes: { "maas-oauth": "${var.maas_api_key}" } },
      lifecycle: { prevent_destroy: true },
    });
    expect(controller.json.variable.maas_api_key).toMatchObject({ sensitive: true, type: "string" });
    expect(controller.json.output.password.sensitive).toBe(true);
    expect(controller.json.terraform.backend.local.path).toBe("../../../state/guia-implantacao/juju-controller.tfstate");
  });
});

describe("secrets", () => {
  const markers = {
    JUJU_PASSWORD: "juju-password-MARKER-1",
    JUJU_USERNAME: "juju-user-MARKER-2",
    JUJU_CA_CERT: "-----BEGIN CERTIFICATE----- MARKER-3",
    JUJU_CONTROLLER_ADDRESSES: "10.99.99.99:17070",
    TF_VAR_maas_api_key: "consumer:token:MARKER-4",
  };
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [k, v] of Object.entries(markers)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test("no credential from the environment reaches either stack's JSON", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const texts = [
      Testing.synth(new OpenStackStack(app, "openstack", { site })),
      Testing.synth(new JujuControllerStack(app, "juju-controller", { site })),
    ];
    for (const t of texts) {
      for (const value of Object.values(markers)) expect(t).not.toContain(value);
      expect(t).not.toMatch(/"password"\s*:\s*"[^$]/);
    }
    expect(text).not.toMatch(/maas-oauth|api_key/);
  });
});
