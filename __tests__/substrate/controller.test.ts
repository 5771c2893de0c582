import { siteWith } from "../helpers/sites";
import { synthSubstrate } from "./synth";

const stack = synthSubstrate();
const expr = (ref: string) => `\${${ref}}`;
const only = (type: string) => {
  const all = Object.entries(stack.resources(type));
  expect(all).toHaveLength(1);
  return { ref: `${type}.${all[0][0]}`, body: all[0][1] };
};

describe("the controller's LXD", () => {
  test("is reached through a remote named after the controller, with trust material from sensitive variables", () => {
    expect(stack.json.provider.lxd).toEqual([
      {
        default_remote: "controller",
        remote: [
          {
            name: "controller",
            address: "https://10.20.0.2:8443",
            client_certificate: "${var.lxd_client_certificate}",
            client_key: "${var.lxd_client_key}",
            trust_token: "${var.lxd_trust_token}",
          },
        ],
      },
    ]);
    for (const name of ["lxd_client_certificate", "lxd_client_key", "lxd_trust_token"]) expect(stack.json.variable[name].sensitive).toBe(true);
    // The trust token is only for the first run, so it is optional.
    expect(stack.json.variable.lxd_trust_token).toMatchObject({ nullable: true, default: null });
  });

  test("pins LXD's server certificate by the fingerprint the site gives, so plans verify it after the token is spent", () => {
    const fingerprint = "ab".repeat(32);
    const pinned = synthSubstrate(siteWith((s) => (s.controller.lxd.serverFingerprint = fingerprint)));
    expect(pinned.json.provider.lxd[0].remote[0].server_certificate_fingerprint).toBe(fingerprint);
  });

  test("has the site's storage pool, and neither a project nor profiles: MAAS creates the project it is told and uses only a profile named maas", () => {
    expect(only("lxd_storage_pool").body).toMatchObject({ name: "vmpool", driver: "zfs", config: { source: "/dev/nvme1n1" } });
    expect(stack.resources("lxd_project")).toEqual({});
    expect(stack.resources("lxd_profile")).toEqual({});
  });

  test("trusts exactly the certificate MAAS is given, trimmed as the provider reads it back", () => {
    expect(only("lxd_trust_certificate").body).toEqual({ name: "maas", type: "client", content: "${trimspace(var.maas_lxd_certificate)}" });
    const variable = stack.json.variable.maas_lxd_certificate;
    expect(variable.sensitive).toBeUndefined();
    expect(variable.validation[0].condition).toContain("BEGIN CERTIFICATE");
    expect(stack.json.variable.maas_lxd_key).toMatchObject({ sensitive: true });
  });

  test("is registered in MAAS as an LXD VM host with that certificate and key, in the site's project, once LXD is ready", () => {
    const host = only("maas_vm_host").body;
    expect(host).toMatchObject({
      type: "lxd",
      name: "controller",
      power_address: "https://10.20.0.2:8443",
      certificate: "${trimspace(var.maas_lxd_certificate)}",
      key: "${trimspace(var.maas_lxd_key)}",
      project: "maas",
    });
    expect(host.power_pass).toBeUndefined();
    expect(host.depends_on).toEqual(expect.arrayContaining([only("lxd_trust_certificate").ref, only("lxd_storage_pool").ref]));
  });
});

describe("the controller VMs", () => {
  const vmHost = expr(`${only("maas_vm_host").ref}.id`);
  const pool = expr(`${only("lxd_storage_pool").ref}.name`);
  const cidr = (segment: string) => expr(`${stack.ref("maas_subnet", "name", segment)}.cidr`);

  test("are composed by MAAS on the VM host with the site's cores, memory, disk and NICs", () => {
    const vms = stack.resources("maas_vm_host_machine");
    expect(Object.values(vms).map((v) => v.hostname).sort()).toEqual(["control-1", "control-2", "control-3", "juju-controller"]);
    expect(stack.resource("maas_vm_host_machine", "hostname", "juju-controller")).toMatchObject({
      vm_host: vmHost,
      cores: 4,
      memory: 8192,
      storage_disks: [{ size_gigabytes: 60, pool }],
      network_interfaces: [{ name: "eth0", subnet_cidr: cidr("management"), ip_address: "10.20.0.10" }],
    });
    expect(stack.resource("maas_vm_host_machine", "hostname", "control-2")).toMatchObject({
      vm_host: vmHost,
      cores: 12,
      memory: 65536,
      storage_disks: [{ size_gigabytes: 400, pool }],
      network_interfaces: [
        { name: "eth0", subnet_cidr: cidr("management"), ip_address: "10.20.0.12" },
        { name: "eth1", subnet_cidr: cidr("external"), ip_address: "203.0.113.12" },
      ],
    });
  });

  test("are tagged by role so Juju can place them with tag constraints", () => {
    const id = (h: string) => expr(`${stack.ref("maas_vm_host_machine", "hostname", h)}.id`);
    expect(stack.resource("maas_tag", "name", "juju-controller").machines).toEqual([id("juju-controller")]);
    expect(stack.resource("maas_tag", "name", "control-plane").machines).toEqual(["control-1", "control-2", "control-3"].map(id));
  });

  test("outputs expose the VM host, machine and subnet IDs", () => {
    const outputs = stack.json.output;
    expect(outputs.vm_host_id.value).toBe(vmHost);
    expect(Object.keys(outputs.machine_ids.value).sort()).toEqual(["control-1", "control-2", "control-3", "juju-controller", "worker-1", "worker-2"]);
    expect(outputs.subnet_ids.value.management).toBe(expr(`${stack.ref("maas_subnet", "name", "management")}.id`));
    for (const name of ["vm_host_id", "machine_ids", "subnet_ids"]) expect(outputs[name].sensitive).toBeUndefined();
  });
});

describe("a controller VM's disk or NICs", () => {
  // The provider's ForceNew on storage_disks/network_interfaces reaches only their count (twin rule
  // maas.sdkv2.parent-force-new), and MAAS cannot resize or re-cable a composed VM.
  test("are its hardware identity: a change replaces the VM instead of an update MAAS would never apply", () => {
    const vm = (s: ReturnType<typeof synthSubstrate>) => s.resource("maas_vm_host_machine", "hostname", "control-1");
    const record = (s: ReturnType<typeof synthSubstrate>) => {
      const ref = String((vm(s).lifecycle as { replace_triggered_by: string[] }).replace_triggered_by[0]);
      return (s.json.resource.terraform_data as Record<string, { input: unknown }>)[ref.split(".")[1]!]!.input;
    };
    expect(record(stack)).toEqual({ disk: "400GiB", nics: "management=10.20.0.11,external=203.0.113.11" });
    const bigger = synthSubstrate(siteWith((s) => (s.controller.vms.find((v: { hostname: string }) => v.hostname === "control-1").diskGiB = 500)));
    expect(record(bigger)).toEqual({ disk: "500GiB", nics: "management=10.20.0.11,external=203.0.113.11" });
  });
});
