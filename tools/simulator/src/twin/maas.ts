/**
 * MAAS's behaviour behind `canonical/maas`, as rules. Facts from MAAS's source (canonical/maas at tag
 * 3.6.5, 46ca46d; MAAS master has since dropped VM hosts) and the provider's (upstream master squash-merged into
 * tobiasdemendonca/terraform-provider-maas at 3225657, 2026-04). Messages are MAAS's own; the provider
 * wraps MAAS's HTTP answers as "ServerError: <status> (<body>)" (gomaasclient's wrapping: unverified).
 */
import { isUnknown, type ObjectValue } from "../cty";
import { FACTS, type RackInterface } from "../../seed";
import type { WorldData, WorldObject } from "../world";
import { lxdTrusts } from "./lxd";
import { error, fact, goDuration, objectsOf, type Citation, type Rule } from "./rule";

const MAAS = "canonical/maas";
const MAAS_AT = "46ca46d65354f84c6dc556f1f86ee4ecf82db1a9";
const PROVIDER = "tobiasdemendonca/terraform-provider-maas (upstream master)";
const PROVIDER_AT = "3225657aa6d69cae57d54ca55ba38907ba855ac6";
const SDK = "hashicorp/terraform-plugin-sdk";
const SDK_AT = "9e601691167da9f8b2d7e3909a1d55a1c4777dea";

const maas = (path: string, symbol: string, note?: string): Citation => ({ repo: MAAS, commit: MAAS_AT, path, symbol, note });
const provider = (path: string, symbol: string, note?: string): Citation => ({ repo: PROVIDER, commit: PROVIDER_AT, path, symbol, note });

/** MAAS's answer to an invalid form, as the provider reports it. */
function badRequest(field: string, message: string) {
  return error(`ServerError: 400 Bad Request (${JSON.stringify({ [field]: [message] })})`);
}

/** The VLAN world key the DHCP resource names (fabric id + VID). */
function vlanOf(w: WorldData, fabric: unknown, vid: unknown): [string, WorldObject] | undefined {
  return objectsOf(w, "maas_vlan").find(([, v]) => String(v["fabric"]) === String(fabric) && Number(v["vid"]) === Number(vid));
}

/** Subnets of a VLAN: the provider stores them with the fabric ID and the VID. */
function subnetsOf(w: WorldData, vlan: WorldObject): [string, WorldObject][] {
  return objectsOf(w, "maas_subnet").filter(([, s]) => String(s["fabric"]) === String(vlan["fabric"]) && Number(s["vlan"]) === Number(vlan["vid"]));
}

function hasDynamicRange(w: WorldData, vlan: WorldObject): boolean {
  const subnets = new Set(subnetsOf(w, vlan).map(([k]) => k));
  return objectsOf(w, "maas_subnet_ip_range").some(([, r]) => r["type"] === "dynamic" && subnets.has(String(r["subnet"])));
}

/** Whether MAAS serves DHCP on a VLAN: a maas_vlan_dhcp with a primary rack, or relayed to a VLAN that has one. */
export function dhcpServes(w: WorldData, vlanKey: string): boolean {
  const dhcp = objectsOf(w, "maas_vlan_dhcp").map(([, d]) => d);
  const on = (key: string) => dhcp.find((d) => vlanOf(w, d["fabric"], d["vlan"])?.[0] === key);
  const own = on(vlanKey);
  if (!own) return false;
  if (own["primary_rack_controller"]) return true;
  const relay = own["relay_vlan"];
  return relay !== null && relay !== undefined && relay !== 0 && !!on(String(relay))?.["primary_rack_controller"];
}

/** The VLAN key a cable ends on: the VLAN holding the subnet of the segment's CIDR. */
function vlanOfCidr(w: WorldData, cidr: string): string | undefined {
  const subnet = objectsOf(w, "maas_subnet").find(([, s]) => s["cidr"] === cidr)?.[1];
  if (!subnet) return undefined;
  return vlanOf(w, subnet["fabric"], subnet["vlan"])?.[0];
}

/**
 * A machine's status, keyed `<type>/<id>`: MAAS's system IDs are unique across machines and VMs, the
 * simulator's IDs only per resource type.
 */
export function machineStatus(w: WorldData, type: "maas_machine" | "maas_vm_host_machine", id: string): string {
  return fact<Record<string, string>>(w, FACTS.maas.machineStatus, {})[`${type}/${id}`] ?? "Ready";
}

function setMachineStatus(w: WorldData, type: "maas_machine" | "maas_vm_host_machine", id: string, status: string): void {
  const all = fact<Record<string, string>>(w, FACTS.maas.machineStatus, {});
  w.facts[FACTS.maas.machineStatus] = { ...all, [`${type}/${id}`]: status };
}

/** The fields of a physical interface MAAS still accepts on a deployed machine. */
const DEPLOYED_INTERFACE_FIELDS = ["mac_address", "name", "id", "machine"];

const str = (v: unknown): string => (v === null || v === undefined ? "" : String(v));

interface HostResources {
  cores: number;
  memoryMiB: number;
  diskGiB: number;
}

/** What the VMs composed on a host already use. */
function usedOn(w: WorldData, host: string): HostResources {
  const vms = objectsOf(w, "maas_vm_host_machine").filter(([, m]) => str(m["vm_host"]) === host);
  const disks = (m: WorldObject) => (Array.isArray(m["storage_disks"]) ? (m["storage_disks"] as WorldObject[]) : []);
  return {
    cores: vms.reduce((n, [, m]) => n + Number(m["cores"] ?? 0), 0),
    memoryMiB: vms.reduce((n, [, m]) => n + Number(m["memory"] ?? 0), 0),
    diskGiB: vms.reduce((n, [, m]) => n + disks(m).reduce((d, x) => d + Number(x["size_gigabytes"] ?? 0), 0), 0),
  };
}

/** A list or set block's value: an array of objects. */
const isBlockList = (v: unknown): v is unknown[] => Array.isArray(v) && v.every((e) => e !== null && typeof e === "object" && !Array.isArray(e));

export const MAAS_RULES: readonly Rule[] = [
  {
    id: "maas.sdkv2.parent-force-new",
    fact:
      "In SDKv2, ForceNew on a list or set of blocks reaches only its element count: changing a field inside an element (a VM's disk size, a NIC's subnet) plans an in-place update, which the provider's Update then does not send to MAAS.",
    cites: [
      { repo: SDK, commit: "e6c7dc4", path: "helper/schema/schema.go", symbol: "schemaMap.diffList / diffSet (parent ForceNew copied only to the .# count)" },
      { repo: SDK, commit: "e6c7dc4", path: "helper/schema/schema.go", symbol: "Schema.finalizeDiff (RequiresNew only for the attribute's own ForceNew)" },
      provider("maas/resource_maas_vm_host_machine.go", "resourceMAASVMHostMachine (ForceNew on network_interfaces and storage_disks, not on their fields)"),
    ],
    plan({ prior, planned, requiresReplace }) {
      if (!prior) return undefined;
      for (let i = requiresReplace.length - 1; i >= 0; i--) {
        const path = requiresReplace[i]!;
        const head = path[0];
        if (path.length !== 1 || !head || !("attribute_name" in head)) continue;
        const before = prior[head.attribute_name];
        const after = planned[head.attribute_name];
        if (isBlockList(before) && isBlockList(after) && before.length === after.length) requiresReplace.splice(i, 1);
      }
      return undefined;
    },
  },
  {
    id: "maas.api-key",
    fact:
      "The provider signs every request with api_key, or MAAS_API_KEY when the attribute is unset; MAAS refuses a key it did not issue with 401.",
    cites: [
      provider("maas/provider.go", "Provider (api_key DefaultFunc: schema.EnvDefaultFunc(\"MAAS_API_KEY\"))", "env fallback read in the provider"),
      maas("src/maasserver/api/auth.py", "MAASAPIAuthentication.is_authenticated", "401 body text unverified"),
    ],
    configure({ config, worlds }) {
      const key = str(config["api_key"]) || process.env["MAAS_API_KEY"] || "";
      const accepted = fact<string[]>(worlds.own, FACTS.maas.apiKeys, []);
      if (accepted.length === 0 || accepted.includes(key)) return undefined;
      return error(
        "ServerError: 401 Unauthorized (Authorization Error: invalid or missing API key)",
        key ? "MAAS does not know this API key (MAAS_API_KEY)." : "No API key: set MAAS_API_KEY (consumer:token:secret).",
      );
    },
  },
  {
    id: "maas.vlan.import-id",
    fact: "maas_vlan imports from FABRIC:VID, the fabric by ID or name; maas_subnet imports from its ID or CIDR.",
    cites: [provider("maas/resource_maas_vlan.go", "resourceMAASVLAN Importer"), provider("maas/resource_maas_subnet.go", "resourceMAASSubnet Importer (getSubnet)")],
    types: ["maas_vlan", "maas_subnet"],
    importKey({ type, id, worlds }) {
      const w = worlds.own;
      if (type === "maas_subnet") return objectsOf(w, "maas_subnet").find(([k, s]) => k === id || s["cidr"] === id)?.[0];
      const [fabricRef, vid] = id.split(":");
      if (!fabricRef || !vid) return error(`unexpected format of ID ("${id}"), expected FABRIC:VLAN`);
      const fabric = objectsOf(w, "maas_fabric").find(([k, f]) => k === fabricRef || f["name"] === fabricRef)?.[0];
      return fabric === undefined ? undefined : vlanOf(w, fabric, vid)?.[0];
    },
  },
  {
    id: "maas.subnet.proxy-and-dns-default-on",
    fact: "allow_proxy and allow_dns default to true in the provider's schema, so a subnet that does not set them is open to MAAS's proxy and DNS resolver.",
    cites: [provider("maas/resource_maas_subnet.go", "resourceMAASSubnet (allow_dns, allow_proxy: Default true)")],
    types: ["maas_subnet"],
    plan({ planned }) {
      for (const field of ["allow_proxy", "allow_dns"]) if (planned[field] === null) planned[field] = true;
      return undefined;
    },
  },
  {
    id: "maas.vlan-dhcp.primary-rack-on-vid",
    fact:
      "DHCP needs a primary rack controller chosen among the racks with an interface on a VLAN of the same VID; any other rack is not one of the available choices.",
    cites: [maas("src/maasserver/forms/vlan.py", "VLANForm._set_up_rack_fields"), maas("src/maasserver/models/node.py", "NodeQueriesMixin.filter_by_vids"), maas("src/maasserver/fields.py", "NodeChoiceField.clean")],
    types: ["maas_vlan_dhcp"],
    apply({ state, worlds }) {
      const rack = str(state["primary_rack_controller"]);
      if (!rack) return undefined;
      const w = worlds.own;
      const vid = Number(state["vlan"]);
      const interfaces = fact<Record<string, RackInterface[]>>(w, FACTS.maas.rackInterfaces, {})[rack] ?? [];
      const onVid = interfaces.some((i) => Number(w.objects["maas_vlan"]?.[i.vlan]?.["vid"]) === vid);
      if (onVid) return undefined;
      return { error: badRequest("primary_rack", `Select a valid choice. ${rack} is not one of the available choices.`) };
    },
  },
  {
    id: "maas.vlan-dhcp.dynamic-range",
    fact: "DHCP turns on only when a subnet of the VLAN has a dynamic IP range.",
    cites: [maas("src/maasserver/forms/vlan.py", "VLANForm.clean_dhcp_on")],
    types: ["maas_vlan_dhcp"],
    apply({ state, worlds }) {
      if (!state["primary_rack_controller"]) return undefined;
      const vlan = vlanOf(worlds.own, state["fabric"], state["vlan"]);
      if (vlan && hasDynamicRange(worlds.own, vlan[1])) return undefined;
      return { error: badRequest("dhcp_on", "dhcp can only be turned on when a dynamic IP range is defined.") };
    },
  },
  {
    id: "maas.vlan-dhcp.relay-target",
    fact: "relay_vlan must name an existing VLAN that is not itself relayed; DHCP for the relayed VLAN is served by that VLAN's rack.",
    cites: [maas("src/maasserver/forms/vlan.py", "VLANForm._set_up_relay_vlan"), provider("maas/resource_maas_vlan_dhcp.go", "resourceMAASVLANDHCP (relay_vlan: database ID of the VLAN)")],
    types: ["maas_vlan_dhcp"],
    apply({ state, worlds }) {
      const relay = state["relay_vlan"];
      if (relay === null || relay === undefined || relay === 0) return undefined;
      const target = worlds.own.objects["maas_vlan"]?.[String(relay)];
      const relayed = objectsOf(worlds.own, "maas_vlan_dhcp").some(([, d]) => vlanOf(worlds.own, d["fabric"], d["vlan"])?.[0] === String(relay) && d["relay_vlan"]);
      if (target && !relayed) return undefined;
      return { error: badRequest("relay_vlan", "Select a valid choice. That choice is not one of the available choices.") };
    },
  },
  {
    id: "maas.machine.commissioning-needs-dhcp",
    fact:
      "Creating a machine starts commissioning: it PXE boots, which works only where MAAS serves DHCP (or a relay) on its NIC's VLAN. The provider saves the ID, then waits for Ready until its create timeout (30m by default); on timeout the resource is left in state, and Terraform taints it.",
    cites: [
      provider("maas/resource_maas_machine.go", "resourceMachineCreate (d.SetId before waitForMachineStatus; Timeouts.Create 30m)"),
      { repo: SDK, commit: SDK_AT, path: "helper/retry/error.go", symbol: "TimeoutError.Error" },
    ],
    types: ["maas_machine"],
    apply({ prior, state, worlds, key }) {
      if (prior !== null) return undefined;
      const w = worlds.own;
      const cabledTo = fact<Record<string, string>>(w, FACTS.maas.cabling, {})[str(state["pxe_mac_address"]).toLowerCase()];
      const vlan = cabledTo ? vlanOfCidr(w, cabledTo) : undefined;
      if (vlan && dhcpServes(w, vlan)) {
        setMachineStatus(w, "maas_machine", key, "Ready");
        return undefined;
      }
      setMachineStatus(w, "maas_machine", key, "Commissioning");
      const timeout = timeoutOf(state, "create", "30m0s");
      return {
        keep: true,
        error: error(
          `timeout while waiting for state to become 'Ready' (last state: 'Commissioning', timeout: ${timeout})`,
          `The machine PXE boots on ${cabledTo ? `the VLAN of ${cabledTo}` : "a VLAN MAAS does not know"}, where MAAS serves no DHCP, so commissioning never starts.`,
        ),
      };
    },
  },
  {
    id: "maas.interface.deployed-machine",
    fact:
      "On a deployed machine MAAS accepts only the name, MAC address and link state of a physical interface; other interface edits, and link changes, need the machine released (Ready, Allocated or Broken).",
    cites: [maas("src/maasserver/api/interfaces.py", "ALLOWED_STATES, raise_error_for_invalid_state_on_allocated_operations (NodeStateViolation, 409); InterfaceHandler.update (Deployed: mac_address, name, link_connected only)")],
    types: ["maas_network_interface_physical", "maas_network_interface_link"],
    apply({ type, prior, state, worlds }) {
      const machine = str(state["machine"] ?? prior?.["machine"]);
      if (machineStatus(worlds.own, "maas_machine", machine) !== "Deployed") return undefined;
      if (type === "maas_network_interface_physical" && prior !== null) {
        const changed = Object.keys(state).filter((k) => !DEPLOYED_INTERFACE_FIELDS.includes(k) && JSON.stringify(state[k]) !== JSON.stringify(prior[k]));
        if (changed.length === 0) return undefined;
      }
      const operation = type === "maas_network_interface_link" ? "link subnet" : "update interface";
      return {
        error: error(
          `ServerError: 409 Conflict (Cannot ${operation} interface because the machine is not New, Ready, Allocated, or Broken.)`,
          `Machine ${machine} is Deployed: release it in MAAS (it returns to Ready) before changing its NICs or links, then deploy it again.`,
        ),
      };
    },
  },
  {
    id: "maas.vm-host.lxd-trust",
    fact:
      "Registering an LXD VM host, MAAS connects with the certificate and key it is given (else its own); when LXD does not trust that certificate, discovery returns nothing and MAAS saves the host with 0 cores, 0 memory and 0 storage.",
    cites: [
      maas("src/provisioningserver/drivers/pod/lxd.py", "LXDPodDriver._discover (client not trusted → empty DiscoveredPod)"),
      maas("src/provisioningserver/drivers/pod/lxd.py", "LXDPodDriver._get_client (project = context project, else \"default\")"),
    ],
    types: ["maas_vm_host"],
    apply({ planned, state, worlds }) {
      if (state["type"] !== "lxd") return undefined;
      const lxd = worlds.other("lxd");
      const resources = fact<HostResources | undefined>(lxd, FACTS.lxd.resources, undefined);
      const trusted = lxdTrusts(lxd, str(state["certificate"]));
      state["resources_cores_total"] = trusted && resources ? resources.cores : 0;
      state["resources_memory_total"] = trusted && resources ? resources.memoryMiB : 0;
      state["resources_local_storage_total"] = trusted && resources ? resources.diskGiB * 1024 ** 3 : 0;
      // MAAS connects to the project it is told, else "default".
      if (isUnknown(planned["project"] ?? null)) state["project"] = "default";
      return undefined;
    },
  },
  {
    id: "maas.vm-host.certificate-read-back",
    fact: "The provider reads certificate and key back with surrounding whitespace trimmed, and the schema has no diff suppression: a PEM with its final newline differs on every plan.",
    cites: [provider("maas/resource_maas_vm_host.go", "addVMParametersToState (stripWhitespace)"), provider("maas/utils.go", "stripWhitespace (strings.TrimSpace)")],
    types: ["maas_vm_host"],
    read({ state }) {
      for (const field of ["certificate", "key"]) if (typeof state[field] === "string") state[field] = (state[field] as string).trim();
      return undefined;
    },
  },
  {
    id: "maas.vm-host-machine.compose-capacity",
    fact:
      "Compose first checks the host's free cores and memory against its overcommit ratios (a host saved with 0 cores refuses every VM), then the storage pool: the one named must exist in LXD and have room.",
    cites: [
      maas("src/maasserver/forms/pods.py", "ComposeMachineForm.compose (db_work: check_over_commit_ratios → \"Unable to compose KVM instance in '%s'. %s\")"),
      maas("src/maasserver/models/bmc.py", "Pod.check_over_commit_ratios"),
      maas("src/provisioningserver/drivers/pod/lxd.py", "LXDPodDriver._get_usable_storage_pool"),
    ],
    types: ["maas_vm_host_machine"],
    apply({ prior, state, worlds, key }) {
      if (prior !== null) return undefined;
      const w = worlds.own;
      const hostKey = str(state["vm_host"]);
      const host = w.objects["maas_vm_host"]?.[hostKey] ?? objectsOf(w, "maas_vm_host").find(([, h]) => h["name"] === hostKey)?.[1];
      if (!host) return { error: error(`ServerError: 404 Not Found (No VM host matches the given query: ${hostKey})`) };
      const used = usedOn(w, hostKey);
      const cores = Number(host["resources_cores_total"] ?? 0);
      const memory = Number(host["resources_memory_total"] ?? 0);
      const ratio = (v: unknown) => (typeof v === "number" && v > 0 ? v : 1);
      const wantCores = Number(state["cores"] ?? 1);
      const wantMemory = Number(state["memory"] ?? 2048);
      let message = "";
      if (cores * ratio(host["cpu_over_commit_ratio"]) - (used.cores + wantCores) < 0) {
        message = `CPU overcommit ratio is ${ratio(host["cpu_over_commit_ratio"]).toFixed(1)} and there are ${cores - used.cores} available resources; ${wantCores} requested.`;
      }
      if (memory * ratio(host["memory_over_commit_ratio"]) - (used.memoryMiB + wantMemory) < 0) {
        message += `Memory overcommit ratio is ${ratio(host["memory_over_commit_ratio"]).toFixed(1)} and there are ${memory - used.memoryMiB} available resources; ${wantMemory} requested.`;
      }
      if (message) return { error: error(`ServerError: 503 Service Unavailable (Unable to compose KVM instance in '${str(host["name"])}'. ${message})`) };
      const lxd = worlds.other("lxd");
      const disks = Array.isArray(state["storage_disks"]) ? (state["storage_disks"] as ObjectValue[]) : [];
      const capacity = fact<HostResources | undefined>(lxd, FACTS.lxd.resources, undefined);
      for (const disk of disks) {
        const pool = str(disk["pool"]);
        if (pool && !objectsOf(lxd, "lxd_storage_pool").some(([k, p]) => k === pool || p["name"] === pool)) {
          return { error: error(`ServerError: 503 Service Unavailable (Default storage pool '${pool}' doesn't exist.)`) };
        }
        if (capacity && used.diskGiB + Number(disk["size_gigabytes"] ?? 0) > capacity.diskGiB) {
          return { error: error(`ServerError: 503 Service Unavailable (Not enough space in default storage pool: ${pool})`) };
        }
      }
      setMachineStatus(w, "maas_vm_host_machine", key, "Commissioning");
      return undefined;
    },
  },
  {
    id: "maas.vm-host-machine.commissioning-needs-dhcp",
    fact:
      "A composed VM commissions like any machine, PXE booting on its first NIC's VLAN; without DHCP there the provider, which saved the ID first, times out waiting for Ready (30m by default) and Terraform taints the VM.",
    cites: [provider("maas/resource_maas_vm_host_machine.go", "resourceVMHostMachineCreate (d.SetId before waitForMachineStatus; Timeouts.Create 30m)")],
    types: ["maas_vm_host_machine"],
    apply({ prior, state, worlds, key }) {
      if (prior !== null) return undefined;
      const w = worlds.own;
      const nics = Array.isArray(state["network_interfaces"]) ? (state["network_interfaces"] as ObjectValue[]) : [];
      const cidr = str(nics[0]?.["subnet_cidr"]);
      const vlan = cidr ? vlanOfCidr(w, cidr) : undefined;
      if (vlan && dhcpServes(w, vlan)) {
        setMachineStatus(w, "maas_vm_host_machine", key, "Ready");
        return undefined;
      }
      return {
        keep: true,
        error: error(
          `timeout while waiting for state to become 'Ready' (last state: 'Commissioning', timeout: ${timeoutOf(state, "create", "30m0s")})`,
          `The VM PXE boots on the VLAN of ${cidr || "its first NIC"}, where MAAS serves no DHCP.`,
        ),
      };
    },
  },
];

/** A resource's configured timeout (`timeouts.<op>`), else the provider's default, as Go prints a duration. */
function timeoutOf(state: ObjectValue, op: string, fallback: string): string {
  const t = state["timeouts"];
  const v = t && typeof t === "object" && !Array.isArray(t) ? (t as Record<string, unknown>)[op] : undefined;
  return typeof v === "string" && v !== "" ? goDuration(v) : fallback;
}

/**
 * What MAAS does when an operator re-commissions a machine by hand (provider 2.6.0 never does it on update):
 * commissioning clears every link of its interfaces (the provider sends no skip_networking), then the machine
 * is Ready again. Tests call it on a world to see the drift a plan must repair.
 * canonical/maas@46ca46d src/maasserver/models/node.py Node.set_initial_networking_configuration
 * (_clear_networking_configuration: clear_all_links); src/metadataserver/builtin_scripts/hooks.py
 * update_node_network_information.
 */
export function recommissionMachine(w: WorldData, systemId: string): void {
  const links = w.objects["maas_network_interface_link"] ?? {};
  for (const [key, link] of Object.entries(links)) if (str(link["machine"]) === systemId) delete links[key];
  setMachineStatus(w, "maas_machine", systemId, "Ready");
}
