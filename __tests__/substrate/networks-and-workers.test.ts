import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { parseSite, SITES_DIR } from "../../constructs/site";
import { synthSubstrate, type Body } from "./synth";

const stack = synthSubstrate();
const expr = (ref: string) => `\${${ref}}`;

describe("network segments of the default site", () => {
  test("each segment is a fabric, a VLAN, a space and a subnet", () => {
    expect(Object.values(stack.resources("maas_fabric")).map((f) => f.name).sort()).toEqual(["bmc", "external", "management"]);
    expect(Object.values(stack.resources("maas_space")).map((s) => s.name).sort()).toEqual(["bmc", "external", "management"]);
    expect(Object.keys(stack.resources("maas_subnet"))).toHaveLength(3);

    const vlans = Object.values(stack.resources("maas_vlan"));
    expect(vlans.map((v) => [v.name, v.vid, v.mtu]).sort()).toEqual([
      ["bmc", 10, 1500],
      ["external", 30, 1500],
      ["management", 20, 1500],
    ]);
    const management = stack.resource("maas_vlan", "name", "management");
    expect(management.fabric).toBe(expr(`${stack.ref("maas_fabric", "name", "management")}.id`));
    expect(management.space).toBe(expr(`${stack.ref("maas_space", "name", "management")}.name`));
  });

  test("subnets carry CIDR, gateway and DNS, and point at their fabric and VLAN", () => {
    const management = stack.resource("maas_subnet", "name", "management");
    expect(management).toMatchObject({ cidr: "10.20.0.0/24", gateway_ip: "10.20.0.1", dns_servers: ["10.20.0.2"] });
    expect(management.fabric).toBe(expr(`${stack.ref("maas_fabric", "name", "management")}.id`));
    // The provider reads a subnet's VLAN back as its VID.
    expect(management.vlan).toBe(expr(`${stack.ref("maas_vlan", "name", "management")}.vid`));
    expect(stack.resource("maas_subnet", "name", "external")).toMatchObject({ cidr: "203.0.113.0/24", gateway_ip: "203.0.113.1", dns_servers: ["203.0.113.1"] });
    expect(stack.resource("maas_subnet", "name", "bmc")).toMatchObject({ cidr: "10.10.0.0/24", gateway_ip: "10.10.0.1" });
    expect(stack.resource("maas_subnet", "name", "bmc").dns_servers).toBeUndefined();
  });

  test("reserved, dynamic and floating ranges land on their subnet with the right type", () => {
    const ranges = Object.values(stack.resources("maas_subnet_ip_range"));
    const summary = ranges.map((r) => [r.subnet, r.type, r.start_ip, r.end_ip]).sort();
    const subnet = (name: string) => expr(`${stack.ref("maas_subnet", "name", name)}.id`);
    expect(summary).toEqual(
      [
        [subnet("bmc"), "reserved", "10.10.0.1", "10.10.0.9"],
        [subnet("management"), "reserved", "10.20.0.1", "10.20.0.9"],
        [subnet("management"), "dynamic", "10.20.0.200", "10.20.0.250"],
        [subnet("external"), "reserved", "203.0.113.1", "203.0.113.9"],
        [subnet("external"), "reserved", "203.0.113.100", "203.0.113.199"],
      ].sort(),
    );
    expect(stack.resource("maas_subnet_ip_range", "start_ip", "203.0.113.100").comment).toMatch(/floating IPs for Neutron/);
  });

  test("MAAS serves DHCP on the management VLAN only, from the controller's rack, after its dynamic range exists", () => {
    const dhcp = Object.values(stack.resources("maas_vlan_dhcp"));
    expect(dhcp).toHaveLength(1);
    const [enable] = dhcp;
    const rack = stack.json.data.maas_rack_controller;
    expect(Object.values(rack)).toEqual([{ hostname: "controller" }]);
    expect(enable).toMatchObject({
      fabric: expr(`${stack.ref("maas_fabric", "name", "management")}.id`),
      vlan: 20,
      primary_rack_controller: expr(`data.maas_rack_controller.${Object.keys(rack)[0]}.id`),
    });
    expect(enable.depends_on).toEqual(
      expect.arrayContaining([stack.ref("maas_vlan", "name", "management"), stack.ref("maas_subnet_ip_range", "start_ip", "10.20.0.200")]),
    );
    // No more calls to the MAAS API outside the provider.
    for (const d of Object.values(stack.resources("terraform_data"))) expect(d.provisioner).toBeUndefined();
    for (const vlan of Object.values(stack.resources("maas_vlan"))) expect(vlan.dhcp_on).toBeUndefined();
  });

  test("adopts the fabric, VLAN and subnet MAAS discovered on the controller's NICs, found by the segment's CIDR", () => {
    const discovered = stack.json.data.maas_subnet;
    expect(Object.values(discovered).map((d) => (d as { cidr: string }).cidr).sort()).toEqual(["10.10.0.0/24", "10.20.0.0/24", "203.0.113.0/24"]);
    const imports = stack.json.import as { to: string; id: string }[];
    const found = (segment: string) => `data.maas_subnet.discovered-${segment}`;
    expect(imports).toEqual(
      expect.arrayContaining([
        { to: stack.ref("maas_fabric", "name", "management"), id: expr(`${found("management")}.fabric`) },
        { to: stack.ref("maas_vlan", "name", "management"), id: `${expr(`${found("management")}.fabric`)}:${expr(`${found("management")}.vid`)}` },
        { to: stack.ref("maas_subnet", "name", "management"), id: expr(`${found("management")}.id`) },
      ]),
    );
    expect(imports).toHaveLength(9);
  });

  test("closes MAAS's proxy and DNS resolver to the external and BMC subnets", () => {
    const open = (name: string) => {
      const subnet = stack.resource("maas_subnet", "name", name);
      return [subnet.allow_proxy, subnet.allow_dns];
    };
    expect([open("management"), open("external"), open("bmc")]).toEqual([[true, true], [false, false], [false, false]]);
  });
});

describe("workers of the default site", () => {
  const machines = stack.resources("maas_machine");

  test("are MAAS machines with IPMI power over the BMC network, PXE MAC, zone and architecture", () => {
    expect(Object.values(machines).map((m) => m.hostname).sort()).toEqual(["worker-1", "worker-2"]);
    const worker1 = stack.resource("maas_machine", "hostname", "worker-1");
    expect(worker1).toMatchObject({ power_type: "ipmi", pxe_mac_address: "3c:ec:ef:10:00:01", zone: "default", architecture: "amd64/generic" });
    expect(worker1.pool).toBeUndefined();
    expect(worker1.power_parameters).toBe(
      '${jsonencode({"power_address" = "10.10.0.21", "power_user" = "maas", ' +
        '"power_pass" = lookup(var.ipmi_passwords, "worker-1", var.ipmi_password), "power_driver" = "LAN_2_0"})}',
    );
    expect(stack.resource("maas_machine", "hostname", "worker-2").pxe_mac_address).toBe("3c:ec:ef:10:00:11");
  });

  test("the IPMI password comes from sensitive variables only", () => {
    expect(stack.json.variable.ipmi_passwords).toMatchObject({ type: "map(string)", sensitive: true, default: {} });
    expect(stack.json.variable.ipmi_password).toMatchObject({ type: "string", sensitive: true });
    expect(stack.json.variable.ipmi_password.default).toBeUndefined();
  });

  test("have their physical interfaces on the segment VLANs", () => {
    const worker1 = `\${${stack.ref("maas_machine", "hostname", "worker-1")}.id}`;
    const nics = Object.values(stack.resources("maas_network_interface_physical")).filter((n) => n.machine === worker1);
    expect(nics.map((n) => [n.name, n.mac_address, n.vlan, n.mtu]).sort()).toEqual([
      ["eno1", "3c:ec:ef:10:00:01", expr(`${stack.ref("maas_vlan", "name", "management")}.id`), 1500],
      ["eno2", "3c:ec:ef:10:00:02", expr(`${stack.ref("maas_vlan", "name", "external")}.id`), 1500],
    ]);
  });

  test("link management statically and bring the external port up for OVN", () => {
    const links = Object.values(stack.resources("maas_network_interface_link"));
    expect(links).toHaveLength(4);
    const nic = (mac: string) => expr(`${stack.ref("maas_network_interface_physical", "mac_address", mac)}.id`);
    const linkOf = (mac: string) => links.find((l) => l.network_interface === nic(mac)) as Body;
    const management = expr(`${stack.ref("maas_subnet", "name", "management")}.id`);
    const external = expr(`${stack.ref("maas_subnet", "name", "external")}.id`);
    expect(linkOf("3c:ec:ef:10:00:01")).toMatchObject({ mode: "STATIC", ip_address: "10.20.0.21", subnet: management });
    expect(linkOf("3c:ec:ef:10:00:11")).toMatchObject({ mode: "STATIC", ip_address: "10.20.0.22", subnet: management });
    for (const mac of ["3c:ec:ef:10:00:02", "3c:ec:ef:10:00:12"]) {
      expect(linkOf(mac)).toMatchObject({ mode: "LINK_UP", subnet: external });
      expect(linkOf(mac).ip_address).toBeUndefined();
    }
  });

  test("are tagged by role", () => {
    const both = ["worker-1", "worker-2"].map((h) => expr(`${stack.ref("maas_machine", "hostname", h)}.id`));
    expect(stack.resource("maas_tag", "name", "compute").machines).toEqual(both);
    expect(stack.resource("maas_tag", "name", "storage").machines).toEqual(both);
  });

  test("outside the default pool get their resource pool created, and Redfish BMCs carry no IPMI driver", () => {
    const file = parse(fs.readFileSync(path.join(SITES_DIR, "default.yaml"), "utf8"));
    file.workers[1].pool = "ceph";
    file.workers[1].bmc.powerType = "redfish";
    const custom = synthSubstrate(parseSite(stringify(file), "custom.yaml"));
    const pool = custom.resource("maas_resource_pool", "name", "ceph");
    expect(pool).toBeDefined();
    expect(Object.keys(custom.resources("maas_resource_pool"))).toHaveLength(1);
    const worker2 = custom.resource("maas_machine", "hostname", "worker-2");
    expect(worker2.pool).toBe(expr(`${custom.ref("maas_resource_pool", "name", "ceph")}.name`));
    expect(worker2.power_type).toBe("redfish");
    expect(worker2.power_parameters).not.toContain("power_driver");
    expect(worker2.power_parameters).toContain('lookup(var.ipmi_passwords, "worker-2", var.ipmi_password)');
  });
});
