/**
 * The site file's shape: what an operator writes. Checked once, at the edge, by `loadSite`;
 * cross-field rules (subnets, ranges, capacity, uniqueness) live in `rules.ts`.
 * `npm run site:schema` publishes this as sites/site.schema.json for editors.
 */
import { z } from "zod";
import { CIDR_PATTERN, IPV4_PATTERN } from "./ipv4";

const ipv4 = z.string().regex(IPV4_PATTERN, { error: "must be an IPv4 address such as 10.20.0.11" });
const cidr = z.string().regex(CIDR_PATTERN, { error: "must be an IPv4 CIDR such as 10.20.0.0/24" });
const mac = z
  .string()
  .regex(/^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$/, { error: "must be a MAC address such as 52:54:00:1a:2b:3c" })
  .transform((value) => value.toLowerCase());
const hostname = z
  .string()
  .regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "must be a DNS label: lower-case letters, digits and '-', not starting or ending with '-'",
  });
const name = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, { error: "must start with a lower-case letter and hold only a-z, 0-9 and '-'" });
const positiveInt = z.number().int({ error: "must be a whole number" }).positive({ error: "must be greater than 0" });

export const SEGMENT_PURPOSES = ["bmc", "management", "external"] as const;
export const WORKER_ROLES = ["compute", "storage"] as const;
export const VM_ROLES = ["juju-controller", "control-plane"] as const;

const ipRange = z.strictObject({
  start: ipv4.describe("First address of the range."),
  end: ipv4.describe("Last address of the range (inclusive)."),
  comment: z.string().optional().describe("What the range is for, shown in MAAS."),
});

const segment = z
  .strictObject({
    name: name.describe("Operator's name of the segment, referenced by NICs (e.g. management, management-rack2)."),
    purpose: z
      .enum(SEGMENT_PURPOSES, { error: `must be one of ${SEGMENT_PURPOSES.join(", ")}` })
      .describe("bmc: IPMI/Redfish power control; management: PXE, Juju, LXD and OpenStack internal traffic; external: controller access and tenant floating IPs."),
    fabric: name.optional().describe("MAAS fabric holding the VLAN. @default the segment's name"),
    vlan: z
      .number()
      .int({ error: "must be a whole number" })
      .min(1, { error: "VLAN ID must be between 1 and 4094 (802.1Q); use the tag your switch ports carry" })
      .max(4094, { error: "VLAN ID must be between 1 and 4094 (802.1Q); use the tag your switch ports carry" })
      .describe("802.1Q VLAN ID, 1-4094."),
    cidr: cidr.describe("IPv4 subnet, network address form (10.20.0.0/24)."),
    gateway: ipv4.optional().describe("Default gateway on this subnet. @default - no gateway"),
    dns: z.array(ipv4).default([]).describe("DNS servers handed to hosts on this subnet."),
    mtu: z.number().int().min(552, { error: "MTU must be at least 552" }).max(9216, { error: "MTU must be at most 9216" }).default(1500),
    space: name.optional().describe("MAAS space the subnet belongs to; Juju binds endpoints to it. @default the segment's purpose"),
    dhcp: z.boolean().optional().describe("MAAS serves DHCP (and PXE) on this VLAN. @default true on management segments, false elsewhere"),
    reserved: z.array(ipRange).default([]).describe("Addresses MAAS must never assign (gateways, switches, VIPs)."),
    dynamic: z.array(ipRange).default([]).describe("MAAS DHCP pools for enlistment and commissioning; required when dhcp is on."),
    floating: ipRange.optional().describe("External segments only: the pool Neutron hands out as floating IPs; reserved in MAAS."),
  })
  .describe("One network segment: a MAAS fabric/VLAN/subnet and space.");

const nic = z.strictObject({
  name: z.string().min(1).describe("Interface name on the host, e.g. eno1."),
  mac: mac.describe("Hardware address; MAAS identifies the interface by it."),
  segment: name.describe("Name of the segment this port is cabled to."),
  address: ipv4.optional().describe("Static address on that segment. Omit on external NICs that only carry the OVN provider bridge."),
});

const vmNic = z.strictObject({
  segment: name.describe("Segment the VM's NIC joins through the controller's bridge for it."),
  address: ipv4.optional().describe("Static address; omitted: MAAS picks one from the subnet."),
});

const vm = z.strictObject({
  hostname: hostname,
  role: z
    .enum(VM_ROLES, { error: `must be one of ${VM_ROLES.join(", ")}` })
    .describe("juju-controller: the Juju controller; control-plane: hosts LXD containers with the OpenStack API services."),
  cores: positiveInt,
  memoryGiB: positiveInt,
  diskGiB: positiveInt,
  nics: z.array(vmNic).min(1, { error: "a VM needs at least one NIC, on the management segment" }),
});

const capacity = z.strictObject({
  cores: positiveInt,
  memoryGiB: positiveInt,
  diskGiB: positiveInt.describe("Space in the LXD storage pool for VM disks."),
});

const controller = z.strictObject({
  hostname: hostname.describe("The controller's hostname (runs MAAS, LXD and the control-plane VMs)."),
  nics: z.array(nic).min(1, { error: "list the controller's NICs, at least the one on the management segment" }),
  capacity: capacity.describe("What the controller can give to VMs before headroom."),
  headroom: z
    .strictObject({ cores: z.number().int().min(0), memoryGiB: z.number().int().min(0), diskGiB: z.number().int().min(0) })
    .default({ cores: 2, memoryGiB: 8, diskGiB: 50 })
    .describe("Kept back for the host OS, MAAS and LXD; VMs may use capacity minus headroom."),
  lxd: z
    .strictObject({
      address: z.string().regex(/^https:\/\/[^/]+:\d+$/, { error: "must be https://<host>:<port>, e.g. https://10.20.0.2:8443" }).optional()
        .describe("LXD API address MAAS and Terraform use. @default https://<controller's management address>:8443"),
      project: name.default("maas").describe("LXD project holding the VMs MAAS composes."),
      storagePool: z
        .strictObject({
          name: name.default("vmpool"),
          driver: z.enum(["zfs", "btrfs", "lvm", "dir"], { error: "must be one of zfs, btrfs, lvm, dir" }).default("zfs"),
          source: z.string().optional().describe("Block device or dataset backing the pool, e.g. /dev/nvme1n1. @default - a loop file sized by capacity.diskGiB"),
        })
        .default({ name: "vmpool", driver: "zfs" }),
      bridges: z
        .record(name, z.string().min(1))
        .describe("Host bridge per segment name, e.g. {management: br-mgmt, external: br-ext}; VMs attach through them."),
    })
    .describe("The controller's LXD, registered in MAAS as a VM host."),
  vms: z.array(vm).min(1, { error: "the controller needs at least the juju-controller VM and one control-plane VM" }),
});

const bmc = z.strictObject(
  {
    address: ipv4.describe("BMC address on a bmc segment."),
    powerType: z.enum(["ipmi", "redfish"], { error: "must be ipmi or redfish" }).default("ipmi"),
    user: z.string().min(1).default("maas"),
    driver: z.enum(["LAN", "LAN_2_0"]).default("LAN_2_0").describe("IPMI driver (ipmi only)."),
  },
  { error: "every worker needs bmc: {address: <its BMC's IPv4 on the bmc segment>} so MAAS can power it" },
);

const worker = z.strictObject({
  hostname,
  zone: name.default("default").describe("MAAS availability zone (a rack, a room); must already exist in MAAS."),
  pool: name.default("default").describe("MAAS resource pool; created by the substrate stack when not 'default'."),
  roles: z
    .array(z.enum(WORKER_ROLES, { error: `unknown role; valid roles are ${WORKER_ROLES.join(", ")}` }))
    .min(1, { error: `give the worker at least one role: ${WORKER_ROLES.join(", ")}` }),
  architecture: z.string().default("amd64/generic"),
  bmc,
  nics: z.array(nic).min(1, { error: "list the worker's NICs, at least the one on the management segment it PXE boots from" }),
  pxeNic: z.string().optional().describe("Name of the NIC that PXE boots. @default the first NIC on a management segment"),
  osdDevices: z.array(z.string().regex(/^\/dev\//, { error: "must be a device path such as /dev/sdb" })).default([])
    .describe("Disks given whole to Ceph OSDs (storage role)."),
});

const stateBackend = z.discriminatedUnion(
  "backend",
  [
    z.strictObject({ backend: z.literal("local"), directory: z.string().default("state").describe("Folder, relative to the project, for <stack>.tfstate files.") }),
    z.strictObject({
      backend: z.literal("s3"),
      bucket: z.string().min(1),
      keyPrefix: z.string().default("openstack-metal"),
      region: z.string().min(1),
      endpoint: z.string().optional().describe("S3-compatible endpoint (MinIO, Ceph RGW)."),
      dynamodbTable: z.string().optional(),
    }),
    z.strictObject({
      backend: z.literal("pg"),
      schemaPrefix: z.string().default("openstack_metal").describe("One schema per stack: <prefix>_<stack>. The connection string comes from PG_CONN_STR."),
    }),
    z.strictObject({
      backend: z.literal("http"),
      address: z.string().url(),
      lockAddress: z.string().url().optional(),
      unlockAddress: z.string().url().optional(),
    }),
  ],
  { error: "state.backend must be one of local, s3, pg, http" },
);

const configValue = z.union([z.string(), z.number(), z.boolean()]);

const openstack = z.strictObject({
  release: z.string().default("2024.1").describe("OpenStack release of the charm channels."),
  base: z.string().regex(/^ubuntu@\d\d\.\d\d$/, { error: "must look like ubuntu@22.04" }).default("ubuntu@22.04"),
  channels: z.record(z.string(), z.string()).default({}).describe("Per-charm channel overrides of the catalog's consistent set."),
  model: z
    .strictObject({
      name: name.default("openstack"),
      cloud: name.default("maas-cloud").describe("Juju cloud name of this MAAS."),
      credential: name.default("maas-credential"),
      config: z.record(z.string(), configValue).default({}),
    })
    .default({ name: "openstack", cloud: "maas-cloud", credential: "maas-credential", config: {} }),
  controller: z
    .strictObject({
      name: name.default("maas-controller"),
      bootstrap: z.boolean().default(true).describe("Bootstrap the Juju controller declaratively (juju_controller); false: bootstrap by hand."),
      jujuBinary: z.string().default("/snap/juju/current/bin/juju").describe("Local juju CLI the provider runs to bootstrap; the snap's inner path avoids snap confinement."),
    })
    .default({ name: "maas-controller", bootstrap: true, jujuBinary: "/snap/juju/current/bin/juju" }),
  ceph: z
    .strictObject({
      replicas: positiveInt.optional().describe("Pool replication. @default min(3, number of storage workers)"),
    })
    .default({}),
  ovn: z
    .strictObject({
      bridge: z.string().default("br-ex"),
      physnet: z.string().default("physnet1"),
    })
    .default({ bridge: "br-ex", physnet: "physnet1" }),
  config: z.record(z.string(), z.record(z.string(), configValue)).default({})
    .describe("Per-application charm option overrides, checked against the charm catalog."),
});

const vault = z
  .strictObject({
    pgpKeys: z
      .array(z.string().min(1).describe("Path to one operator's armored public key, relative to the site file."))
      .min(1, { error: "list at least one operator's PGP public key file; Vault encrypts one unseal share to each" })
      .max(255, { error: "Vault splits its key into at most 255 shares; list fewer keys" })
      .describe("One armored OpenPGP public key per unseal share, in share order; list a key twice to give its operator two shares."),
    keyThreshold: positiveInt.optional().describe("Shares needed to unseal. @default a majority of pgpKeys"),
  })
  .describe("Vault initialisation (npm run vault:init): whose keys the unseal shares are encrypted to.");

export const siteFileSchema = z
  .strictObject({
    $schema: z.string().optional(),
    name: name.describe("Site name; keys the remote state of each stack so several sites can share a backend."),
    description: z.string().optional(),
    maas: z.strictObject({
      url: z.string().regex(/^https?:\/\/.+\/MAAS\/?$/, { error: "must be the MAAS API URL, e.g. http://10.20.0.2:5240/MAAS" }),
      domain: hostname.default("maas"),
    }),
    state: stateBackend.default({ backend: "local", directory: "state" }),
    segments: z.array(segment).min(1, { error: "a site needs its network segments: at least a bmc and a management one" }),
    controller,
    workers: z.array(worker).min(1, { error: "a site needs at least one worker" }),
    openstack: openstack.default({} as never),
    vault: vault.optional(),
  })
  .describe("An OpenStack-on-metal site: networks, the controller and its VMs, the workers, and the cloud on top.");

export type SiteFile = z.output<typeof siteFileSchema>;
export type SegmentPurpose = (typeof SEGMENT_PURPOSES)[number];
export type WorkerRole = (typeof WORKER_ROLES)[number];
export type VmRole = (typeof VM_ROLES)[number];
