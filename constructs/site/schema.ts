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

const controllerNic = nic.extend({
  tagged: z
    .boolean()
    .default(true)
    .describe(
      "The port is a trunk and the host carries the segment's VLAN tagged (a sub-interface <name>.<vlan>, inside the segment's bridge), so MAAS's rack controller sits on that VLAN and can serve DHCP there. false: an access port; MAAS then sees the NIC untagged (VID 0). @default true",
    ),
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
  nics: z.array(controllerNic).min(1, { error: "list the controller's NICs, at least the one on the management segment" }),
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
      serverFingerprint: z
        .string()
        .regex(/^[0-9a-f]{64}$/, { error: "must be the 64 hex digits of the SHA-256 fingerprint `lxc info` shows as certificate_fingerprint" })
        .optional()
        .describe("SHA-256 fingerprint of LXD's server certificate (not secret). Pins it, so plans keep verifying the server after the first run's trust token is spent. @default - only the first run, with a trust token, can verify the server"),
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
    z.strictObject({
      backend: z.literal("local"),
      directory: z.string().min(1).default("state")
        .describe("Folder for <site>/<stack>.tfstate files: absolute, or relative to the folder holding cdktf.out (the project root). Keep it out of git: the state holds secrets in clear."),
    }),
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
      gateways: z
        .array(hostname)
        .min(1, { error: "an empty list leaves the cloud without a gateway; list at least one compute worker, or leave gateways out for the default" })
        .optional()
        .describe(
          "Hostnames of the compute workers that are OVN gateway chassis: only their external NIC is bridged into the provider bridge, so only they carry routers' external traffic and floating IPs. Other compute workers need no external NIC. @default up to 3 compute workers with a NIC on the external network's segment, the first (by hostname) of each zone first",
        ),
    })
    .default({ bridge: "br-ex", physnet: "physnet1" }),
  config: z.record(z.string(), z.record(z.string(), configValue)).default({})
    .describe("Per-application charm option overrides, checked against the charm catalog."),
});

export const SWITCH_PORTS = ["access", "tagged"] as const;
export const DISK_FORMATS = ["qcow2", "raw", "vmdk", "vdi", "vhd", "vhdx", "iso", "ploop", "aki", "ari", "ami"] as const;
export const CONTAINER_FORMATS = ["bare", "ovf", "ova", "aki", "ari", "ami", "docker", "compressed"] as const;

/** Nova flavor and Glance image names: no spaces or slashes, so they stay usable on the command line and in URLs. */
const openstackName = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, { error: "must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 63)" });
/** -1 is OpenStack's "unlimited". */
const quota = z.number().int({ error: "must be a whole number" }).min(-1, { error: "must be -1 (unlimited) or more" });
const nonNegativeInt = z.number().int({ error: "must be a whole number" }).min(0, { error: "must be 0 or more" });

const flavor = z.strictObject({
  name: openstackName.describe("Nova flavor name, e.g. m1.small."),
  vcpus: positiveInt,
  ramMiB: positiveInt.describe("Memory in MiB."),
  diskGiB: nonNegativeInt.describe("Root disk in GiB; 0 sizes the root disk to the image."),
  ephemeralGiB: nonNegativeInt.optional().describe("Extra ephemeral disk in GiB. @default - none"),
  swapMiB: nonNegativeInt.optional().describe("Swap disk in MiB. @default - none"),
  extraSpecs: z.record(z.string(), z.string()).default({}).describe("Flavor extra specs, e.g. hw:cpu_policy: dedicated."),
});

/** The flavors a site gets when it lists none: the classic m1 set. */
export const DEFAULT_FLAVORS = [
  { name: "m1.tiny", vcpus: 1, ramMiB: 512, diskGiB: 1 },
  { name: "m1.small", vcpus: 1, ramMiB: 2048, diskGiB: 20 },
  { name: "m1.medium", vcpus: 2, ramMiB: 4096, diskGiB: 40 },
  { name: "m1.large", vcpus: 4, ramMiB: 8192, diskGiB: 80 },
] as const;

const image = z.strictObject({
  name: openstackName.describe("Glance image name tenants boot from, e.g. ubuntu-22.04."),
  url: z
    .string()
    .regex(/^https?:\/\/\S+$/, { error: "must be an http(s) URL of the image file" })
    .optional()
    .describe("Where apply downloads the image from. Give url or file."),
  file: z.string().min(1).optional().describe("The image file on the machine that runs apply, absolute or relative to the project. Give url or file."),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, { error: "must be the image's SHA-256: 64 hex digits, as in the SHA256SUMS file published beside it" })
    .transform((value) => value.toLowerCase())
    .describe("SHA-256 of the image file; apply verifies it before uploading and stops on a mismatch."),
  diskFormat: z.enum(DISK_FORMATS, { error: `must be one of ${DISK_FORMATS.join(", ")}` }).default("qcow2"),
  containerFormat: z.enum(CONTAINER_FORMATS, { error: `must be one of ${CONTAINER_FORMATS.join(", ")}` }).default("bare"),
  minDiskGiB: nonNegativeInt.optional().describe("Smallest root disk the image boots from. @default - no minimum"),
  minRamMiB: nonNegativeInt.optional().describe("Smallest memory the image boots with. @default - no minimum"),
  properties: z.record(z.string(), z.string()).default({}).describe("Glance properties, e.g. os_distro: ubuntu, os_version: \"22.04\"."),
});

const tenantProject = z.strictObject({
  name: openstackName.describe("Keystone project name."),
  description: z.string().optional(),
  members: z
    .array(z.string().min(1, { error: "a member is an existing Keystone user name" }))
    .default([])
    .describe("Existing Keystone users given the project's role; their names must be unique across domains."),
  role: z.string().min(1).default("member").describe("Keystone role the members get in the project."),
  quotas: z
    .strictObject({
      instances: quota.optional(),
      cores: quota.optional(),
      ramMiB: quota.optional(),
      volumes: quota.optional(),
      volumeGiB: quota.optional().describe("Total size of the project's volumes, GiB."),
      snapshots: quota.optional(),
      networks: quota.optional(),
      subnets: quota.optional(),
      ports: quota.optional(),
      routers: quota.optional(),
      floatingIps: quota.optional(),
      securityGroups: quota.optional(),
      securityGroupRules: quota.optional(),
    })
    .default({})
    .describe("Quotas to set; -1 is unlimited. @default - OpenStack's defaults"),
  network: z
    .strictObject({
      cidr: cidr.describe("The project's private IPv4 subnet, behind its router."),
      dns: z.array(ipv4).optional().describe("DNS servers handed to instances. @default the external segment's dns"),
    })
    .describe("The project's private network."),
  access: z
    .strictObject({
      from: z.array(cidr).min(1, { error: "give at least one CIDR, e.g. 0.0.0.0/0" }).default(["0.0.0.0/0"]),
      tcpPorts: z
        .array(z.number().int().min(1, { error: "a port is 1-65535" }).max(65535, { error: "a port is 1-65535" }))
        .default([22]),
      icmp: z.boolean().default(true),
    })
    .prefault({})
    .describe("The project's remote-access security group: members reach their instances on these TCP ports (and ping them) from these CIDRs."),
});

const cloud = z
  .strictObject({
    external: z
      .strictObject({
        name: z.string().min(1).default("external").describe("Neutron name of the external (provider) network."),
        segment: name.optional().describe("The external segment the network is on. @default the one external segment with a floating range"),
        switchPort: z
          .enum(SWITCH_PORTS, { error: `must be one of ${SWITCH_PORTS.join(", ")}` })
          .default("access")
          .describe(
            "How the segment reaches the gateways' external NICs: access (the switch port carries it untagged, as the site models those NICs: a flat network) or tagged (a trunk carrying the segment's VLAN ID: a vlan network with that ID).",
          ),
      })
      .prefault({}),
    flavors: z
      .array(flavor)
      .optional()
      .describe(`Nova flavors, all public. @default ${DEFAULT_FLAVORS.map((f) => `${f.name} (${f.vcpus} vCPU, ${f.ramMiB} MiB, ${f.diskGiB} GiB)`).join(", ")}`),
    images: z.array(image).default([]).describe("Public Glance images, each downloaded (or read) and checked against its SHA-256 at apply."),
    imageCache: z.string().min(1).default(".cache/images").describe("Folder, relative to the project or absolute, where apply keeps downloaded images."),
    projects: z.array(tenantProject).default([]).describe("Tenant projects, each with quotas, a private network, a router to the external network and a remote-access security group."),
  })
  .describe("What the cloud stack makes inside OpenStack: the external network, flavors, images and tenant projects.");

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
    cloud: cloud.prefault({}),
    vault: vault.optional(),
  })
  .describe("An OpenStack-on-metal site: networks, the controller and its VMs, the workers, and the cloud on top.");

export type SiteFile = z.output<typeof siteFileSchema>;
export type SegmentPurpose = (typeof SEGMENT_PURPOSES)[number];
export type WorkerRole = (typeof WORKER_ROLES)[number];
export type VmRole = (typeof VM_ROLES)[number];
export type SwitchPort = (typeof SWITCH_PORTS)[number];
