/**
 * The one place that knows which resource types belong to which layer of the site, and which changes are dangerous.
 * Everything else in tools/reports asks these functions; add a new resource type here and nowhere else.
 */

/** The layers of the site, in the order they are built and the order the reports list them. */
export type LayerId = "networks" | "machines" | "lxd" | "juju-model" | "applications" | "integrations" | "cloud" | "other";

export interface LayerDef {
  readonly id: LayerId;
  readonly title: string;
  /** Exact resource types. */
  readonly types: readonly string[];
  /** Type prefixes (e.g. `lxd_`). An exact type wins over a prefix. */
  readonly prefixes: readonly string[];
}

export const LAYERS: readonly LayerDef[] = [
  {
    id: "networks",
    title: "Networks",
    types: ["maas_fabric", "maas_vlan", "maas_subnet", "maas_subnet_ip_range", "maas_space", "maas_vlan_dhcp", "maas_static_route"],
    prefixes: ["maas_dns_"],
  },
  {
    id: "machines",
    title: "Machines and VM hosts",
    types: [
      "maas_machine",
      "maas_vm_host",
      "maas_vm_host_machine",
      "maas_tag",
      "maas_zone",
      "maas_resource_pool",
      "maas_instance",
      "maas_block_device",
      "maas_block_device_tag",
      "maas_raid",
      "maas_volume_group",
      "maas_logical_volume",
    ],
    prefixes: ["maas_network_interface_"],
  },
  { id: "lxd", title: "LXD", types: [], prefixes: ["lxd_"] },
  {
    id: "juju-model",
    title: "Juju model and machines",
    types: [
      "juju_model",
      "juju_machine",
      "juju_credential",
      "juju_ssh_key",
      "juju_space",
      "juju_subnet",
      "juju_cloud",
      "juju_storage_pool",
      "juju_access_model",
    ],
    prefixes: [],
  },
  {
    id: "applications",
    title: "Applications",
    types: ["juju_application", "juju_secret", "juju_access_secret"],
    prefixes: [],
  },
  {
    id: "integrations",
    title: "Integrations",
    types: ["juju_integration", "juju_offer", "juju_access_offer"],
    prefixes: [],
  },
  // What the operator makes inside the deployed OpenStack (the cloud stack): one layer, as they think of it.
  { id: "cloud", title: "Cloud: networks, flavors, images, projects", types: [], prefixes: ["openstack_"] },
  { id: "other", title: "Other", types: [], prefixes: [] },
];

const LAYER_BY_ID = new Map(LAYERS.map((l) => [l.id, l]));

export function layerOf(type: string): LayerDef {
  for (const l of LAYERS) if (l.types.includes(type)) return l;
  for (const l of LAYERS) if (l.prefixes.some((p) => type.startsWith(p))) return l;
  return LAYER_BY_ID.get("other")!;
}

/** Types whose deletion or replacement destroys a machine, a host, stored data, a whole model or a tenant's network. */
export const DANGEROUS_TYPES: Readonly<Record<string, string>> = {
  maas_machine: "MAAS machine",
  maas_vm_host: "MAAS VM host",
  maas_vm_host_machine: "VM on a MAAS VM host",
  maas_instance: "deployed MAAS machine",
  lxd_storage_pool: "LXD storage pool",
  lxd_instance: "LXD instance",
  juju_machine: "Juju machine",
  juju_model: "Juju model",
  openstack_identity_project_v3: "tenant project",
  openstack_networking_network_v2: "Neutron network",
  openstack_networking_subnet_v2: "Neutron subnet",
};

/** Charms that hold state: replacing or removing their application loses data or quorum. */
export const STATEFUL_CHARMS: readonly string[] = [
  "ceph-osd",
  "ceph-mon",
  "mysql-innodb-cluster",
  "vault",
  "rabbitmq-server",
];

/** Application names that betray a stateful charm when the charm name itself is unknown. */
const STATEFUL_APP_NAMES: readonly string[] = [...STATEFUL_CHARMS, "rabbitmq"];

/**
 * cdktf names a nested construct's resource `<path>_<construct id>_<8 hex digits>` (`ceph-osd_application_2A23AA2C`);
 * both suffixes go before the comparison.
 */
function normalizeName(name: string): string {
  return name
    .toLowerCase()
    .replace(/_/g, "-")
    .replace(/-[0-9a-f]{8}$/, "")
    .replace(/-(application|app)$/, "");
}

export function isStatefulCharm(charm: string): boolean {
  return STATEFUL_CHARMS.includes(charm.toLowerCase());
}

/**
 * Whether an application is stateful. The charm name decides when it is known; only when it is not (no `charm`
 * block, or its name is sensitive or unknown) do the application's name and the Terraform resource name stand in,
 * matched exactly so that `vault-mysql-router` is not mistaken for `vault`.
 */
export function isStatefulApplication(charm: string | undefined, names: readonly string[]): boolean {
  if (charm !== undefined) return isStatefulCharm(charm);
  return names.some((n) => STATEFUL_APP_NAMES.includes(normalizeName(n)));
}
