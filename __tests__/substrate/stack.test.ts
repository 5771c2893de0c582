import { loadSite } from "../../constructs/site";
import { SchemaConformance } from "../helpers/schema-conformance";
import { synthSubstrate, type Body, type Synthesized } from "./synth";

const schemas = SchemaConformance.fromFiles(["maas", "lxd"]);

/** Every stateful object of the default site, as [type, attribute, value] that identifies it. */
const STATEFUL: [string, string, string][] = [
  ["maas_machine", "hostname", "worker-1"],
  ["maas_machine", "hostname", "worker-2"],
  ["maas_vm_host", "name", "controller"],
  ["lxd_storage_pool", "name", "vmpool"],
  ...["juju-controller", "control-1", "control-2", "control-3"].map((h): [string, string, string] => ["maas_vm_host_machine", "hostname", h]),
];
const prevented = (stack: Synthesized, [type, key, value]: [string, string, string]) => stack.resource(type, key, value).lifecycle?.prevent_destroy === true;

describe("destroy protection", () => {
  test("machines, the VM host, its storage pool and the VMs are prevent_destroy by default", () => {
    const stack = synthSubstrate();
    for (const object of STATEFUL) expect([object, prevented(stack, object)]).toEqual([object, true]);
  });

  test("SITE_ALLOW_DESTROY lifts it for the named hosts only", () => {
    const stack = synthSubstrate(loadSite({ site: "default", allowDestroy: "worker-1, control-3" }));
    expect(prevented(stack, ["maas_machine", "hostname", "worker-1"])).toBe(false);
    expect(prevented(stack, ["maas_vm_host_machine", "hostname", "control-3"])).toBe(false);
    expect(prevented(stack, ["maas_machine", "hostname", "worker-2"])).toBe(true);
    expect(prevented(stack, ["maas_vm_host", "name", "controller"])).toBe(true);
  });

  test("SITE_ALLOW_DESTROY='*' lifts it everywhere", () => {
    const stack = synthSubstrate(loadSite({ site: "default", allowDestroy: "*" }));
    for (const object of STATEFUL) expect([object, prevented(stack, object)]).toEqual([object, false]);
  });

  test("the removal guard covers every worker, VM and the controller", () => {
    const stack = synthSubstrate();
    expect(stack.json.output.protected_hosts.value).toEqual(["control-1", "control-2", "control-3", "controller", "juju-controller", "worker-1", "worker-2"]);
  });
});

describe("secrets", () => {
  const fake: Record<string, string> = {
    TF_VAR_ipmi_password: "fake-ipmi-Zq81",
    TF_VAR_ipmi_passwords: '{"worker-1":"fake-ipmi-map-Xw20"}',
    TF_VAR_lxd_client_certificate: "fake-lxd-cert-Pp93",
    TF_VAR_lxd_client_key: "fake-lxd-key-Lk55",
    TF_VAR_lxd_trust_token: "fake-trust-token-Tt07",
    MAAS_API_KEY: "fakeconsumer:faketoken:fakesecret-Mk42",
  };
  const saved = Object.fromEntries(Object.keys(fake).map((k) => [k, process.env[k]]));
  let stack: Synthesized;
  beforeAll(() => {
    Object.assign(process.env, fake);
    stack = synthSubstrate();
  });
  afterAll(() => {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  test("no secret value from the environment reaches cdk.tf.json", () => {
    for (const value of [...Object.values(fake), "fake-ipmi-map-Xw20", "fakesecret-Mk42"]) expect(stack.text).not.toContain(value);
  });

  test("the MAAS provider gets no api_key: it reads MAAS_API_KEY", () => {
    expect(stack.json.provider.maas).toEqual([{ api_url: "http://10.20.0.2:5240/MAAS" }]);
  });

  test("every password, key, token or certificate attribute is a reference, never a literal", () => {
    const literals: string[] = [];
    const walk = (value: unknown, where: string) => {
      if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${where}[${i}]`));
      else if (value && typeof value === "object") {
        for (const [k, v] of Object.entries(value as Body)) {
          if (/pass|secret|api_key|client_key|token|certificate|content/i.test(k) && typeof v === "string" && !v.startsWith("${")) literals.push(`${where}.${k}`);
          walk(v, `${where}.${k}`);
        }
      }
    };
    walk({ resource: stack.json.resource, provider: stack.json.provider, data: stack.json.data }, "");
    expect(literals).toEqual([]);
    // power_parameters is one jsonencode expression whose password is the variable lookup.
    for (const machine of Object.values(stack.resources("maas_machine"))) {
      expect(machine.power_parameters).toMatch(/"power_pass" = lookup\(var\.ipmi_passwords, "[^"]+", var\.ipmi_password\)/);
    }
  });
});

describe("schema conformance", () => {
  test("every resource, data source, attribute and block of the default site is in the vendored schemas", () => {
    expect(schemas.problems(synthSubstrate().json)).toEqual([]);
  });

  test("the checker flags unknown types and attributes, missing required ones and read-only ones", () => {
    const bad = {
      resource: {
        maas_vlan: { a: { vid: 10, colour: "red" } },
        maas_machine: { b: { power_type: "ipmi", power_parameters: "{}", pxe_mac_address: "x", network_interfaces: [] } },
        maas_reserved_ip: { c: { ip: "10.0.0.9" } },
        lxd_profile: { d: { name: "p", device: [{ name: "eth0", type: "nic" }] } },
        maas_vm_host_machine: { e: { vm_host: "1", cores: "many" } },
      },
      provider: { lxd: [{ remote: [{ name: "r", address: "https://x", password: "no" }] }] },
    };
    expect(schemas.problems(bad).sort()).toEqual(
      [
        "maas_vlan.a: unknown attribute or block colour",
        "maas_vlan.a: required attribute fabric is missing",
        "maas_machine.b.network_interfaces: read-only attribute is set",
        "maas_reserved_ip.c: no resource type maas_reserved_ip in the provider schemas",
        "lxd_profile.d.device[0]: required attribute properties is missing",
        'maas_vm_host_machine.e.cores: expected a number, got "many"',
        "provider.lxd[0].remote[0]: unknown attribute or block password",
      ].sort(),
    );
  });
});

describe("a generated 50-worker, 3-zone site", () => {
  const site = loadSite({ site: "scale-50" });
  const stack = synthSubstrate(site);

  test("synthesizes 50 machines across 3 zones and every segment", () => {
    const machines = Object.values(stack.resources("maas_machine"));
    expect(machines).toHaveLength(50);
    expect(new Set(machines.map((m) => m.zone)).size).toBe(3);
    expect(Object.keys(stack.resources("maas_subnet"))).toHaveLength(7);
    expect(Object.keys(stack.resources("maas_vlan"))).toHaveLength(7);
    expect(Object.keys(stack.resources("maas_network_interface_physical"))).toHaveLength(site.workers.reduce((n, w) => n + w.nics.length, 0));
    // DHCP on every management segment: rack 1's from the controller's rack, the others relayed to it.
    const dhcp = Object.values(stack.resources("maas_vlan_dhcp"));
    expect(dhcp.map((d) => (d.primary_rack_controller ? "rack" : "relay")).sort()).toEqual(["rack", "relay", "relay"]);
    const rack1 = `\${${stack.ref("maas_vlan", "name", "management-r1")}.id}`;
    for (const d of dhcp.filter((x) => x.relay_vlan)) expect(d.relay_vlan).toBe(rack1);
  });

  test("gives each rack's management segment and its BMC segment fabrics of their own (MAAS puts each controller NIC on its own)", () => {
    const fabrics = Object.values(stack.resources("maas_fabric")).map((f) => f.name).sort();
    expect(fabrics).toEqual(["external", "rack1", "rack1-bmc", "rack2", "rack2-bmc", "rack3", "rack3-bmc"]);
  });

  test("conforms to the vendored schemas", () => {
    expect(schemas.problems(stack.json)).toEqual([]);
  });
});
