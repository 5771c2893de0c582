/**
 * The validated site model every stack consumes. Plain data with everything defaulted and resolved,
 * so constructs below this layer never re-check or re-derive the operator's input.
 */
import type { SegmentPurpose, SiteFile, SwitchPort, VmRole, WorkerRole } from "./schema";

export type { SegmentPurpose, SwitchPort, VmRole, WorkerRole };

export interface IpRange {
  readonly start: string;
  readonly end: string;
  readonly comment?: string;
}

export interface Segment {
  readonly name: string;
  readonly purpose: SegmentPurpose;
  readonly fabric: string;
  readonly vlan: number;
  readonly cidr: string;
  readonly gateway?: string;
  readonly dns: readonly string[];
  readonly mtu: number;
  readonly space: string;
  readonly dhcp: boolean;
  readonly reserved: readonly IpRange[];
  readonly dynamic: readonly IpRange[];
  readonly floating?: IpRange;
}

export interface Nic {
  readonly name: string;
  readonly mac: string;
  readonly segment: string;
  readonly address?: string;
}

/** A controller NIC; `tagged`: the host carries the segment's VLAN tagged (a sub-interface in the bridge). */
export interface ControllerNic extends Nic {
  readonly tagged: boolean;
}

export interface Capacity {
  readonly cores: number;
  readonly memoryGiB: number;
  readonly diskGiB: number;
}

export interface Vm extends Capacity {
  readonly hostname: string;
  readonly role: VmRole;
  readonly nics: readonly { readonly segment: string; readonly address?: string }[];
}

export interface Controller {
  readonly hostname: string;
  readonly nics: readonly ControllerNic[];
  readonly capacity: Capacity;
  readonly headroom: Capacity;
  readonly managementAddress: string;
  readonly lxd: {
    readonly address: string;
    readonly project: string;
    readonly serverFingerprint?: string;
    readonly storagePool: { readonly name: string; readonly driver: "zfs" | "btrfs" | "lvm" | "dir"; readonly source?: string };
    readonly bridges: Readonly<Record<string, string>>;
  };
  readonly vms: readonly Vm[];
}

export interface Bmc {
  readonly address: string;
  readonly powerType: "ipmi" | "redfish";
  readonly user: string;
  readonly driver: "LAN" | "LAN_2_0";
}

export interface Worker {
  readonly hostname: string;
  readonly zone: string;
  readonly pool: string;
  readonly roles: readonly WorkerRole[];
  readonly architecture: string;
  readonly bmc: Bmc;
  readonly nics: readonly Nic[];
  /** The NIC that PXE boots (on a management segment). */
  readonly pxeNic: Nic;
  readonly osdDevices: readonly string[];
}

export type StateBackend = SiteFile["state"];
/** The site's OpenStack settings, with the OVN gateways resolved. */
export type OpenStackSettings = Omit<SiteFile["openstack"], "ovn"> & { readonly ovn: OvnSettings };

export interface OvnSettings {
  readonly bridge: string;
  readonly physnet: string;
  /** Hostnames of the gateway chassis: openstack.ovn.gateways, or the default (constructs/site/gateways.ts). */
  readonly gateways: readonly string[];
}

/** The Neutron external (provider) network tenants' routers and floating IPs use. */
export interface ExternalNetwork {
  readonly name: string;
  /** The external segment it is on; its CIDR and gateway are the subnet's. */
  readonly segment: Segment;
  /** The OVN physnet the gateways' provider bridge maps (openstack.ovn.physnet). */
  readonly physnet: string;
  readonly switchPort: SwitchPort;
  /** flat on an access port, vlan on a tagged one. */
  readonly networkType: "flat" | "vlan";
  /** The segment's VLAN ID, for a vlan network only. */
  readonly segmentationId?: number;
  readonly gateway: string;
  /** The segment's floating range: Neutron's allocation pool. */
  readonly allocationPool: IpRange;
}

export interface Flavor {
  readonly name: string;
  readonly vcpus: number;
  readonly ramMiB: number;
  readonly diskGiB: number;
  readonly ephemeralGiB?: number;
  readonly swapMiB?: number;
  readonly extraSpecs: Readonly<Record<string, string>>;
}

export interface Image {
  readonly name: string;
  /** Downloaded at apply when set; otherwise the image is `file`. */
  readonly url?: string;
  /** The verified image file apply uploads: `file`, or the download in the image cache. Absolute or relative to the project. */
  readonly localFile: string;
  readonly sha256: string;
  readonly diskFormat: string;
  readonly containerFormat: string;
  readonly minDiskGiB?: number;
  readonly minRamMiB?: number;
  readonly properties: Readonly<Record<string, string>>;
}

/** A tenant project's quotas by service, in the site's units; absent ones keep OpenStack's defaults. */
export interface Quotas {
  readonly compute: { readonly instances?: number; readonly cores?: number; readonly ramMiB?: number };
  readonly volume: { readonly volumes?: number; readonly volumeGiB?: number; readonly snapshots?: number };
  readonly network: {
    readonly networks?: number;
    readonly subnets?: number;
    readonly ports?: number;
    readonly routers?: number;
    readonly floatingIps?: number;
    readonly securityGroups?: number;
    readonly securityGroupRules?: number;
  };
}

export interface TenantProject {
  readonly name: string;
  readonly description?: string;
  readonly members: readonly string[];
  readonly role: string;
  readonly quotas: Quotas;
  readonly network: { readonly cidr: string; readonly dns: readonly string[] };
  readonly access: { readonly from: readonly string[]; readonly tcpPorts: readonly number[]; readonly icmp: boolean };
}

export interface Cloud {
  readonly external: ExternalNetwork;
  readonly flavors: readonly Flavor[];
  readonly images: readonly Image[];
  /** Where apply keeps downloaded images, absolute or relative to the project. */
  readonly imageCache: string;
  readonly projects: readonly TenantProject[];
}

export interface Protection {
  /** Hostnames whose stateful objects may be destroyed in this run, or every one when `all`. */
  readonly allowDestroy: readonly string[];
  readonly allowDestroyAll: boolean;
}

export interface VaultPgpKey {
  /** The path as the site file gives it, for messages. */
  readonly file: string;
  readonly fingerprint: string;
  readonly userId: string;
  readonly armored: string;
}

export interface VaultSettings {
  /** One key per unseal share, in share order. */
  readonly pgpKeys: readonly VaultPgpKey[];
  readonly keyThreshold: number;
}

export interface Site {
  readonly name: string;
  readonly description?: string;
  /** Where the site was read from, for messages. */
  readonly source: string;
  readonly maas: { readonly url: string; readonly domain: string };
  readonly state: StateBackend;
  readonly segments: readonly Segment[];
  readonly controller: Controller;
  readonly workers: readonly Worker[];
  readonly openstack: OpenStackSettings;
  readonly cloud: Cloud;
  /** Absent when the site file has no vault section; vault:init then needs --pgp-key. */
  readonly vault?: VaultSettings;
  readonly protection: Protection;
}

/** A majority of the shares, Vault's usual choice: 1 of 1, 2 of 2 or 3, 3 of 4 or 5. */
export function defaultKeyThreshold(shares: number): number {
  return Math.floor(shares / 2) + 1;
}

export function segmentNamed(site: Site, name: string): Segment {
  const segment = site.segments.find((s) => s.name === name);
  if (!segment) throw new Error(`site ${site.name}: no segment named ${name}`);
  return segment;
}

export function segmentsFor(site: Site, purpose: SegmentPurpose): Segment[] {
  return site.segments.filter((s) => s.purpose === purpose);
}

/** The first NIC of a host on a segment of the given purpose. */
export function nicFor(site: Site, nics: readonly Nic[], purpose: SegmentPurpose): Nic | undefined {
  return nics.find((n) => segmentNamed(site, n.segment).purpose === purpose);
}

export function workersWithRole(site: Site, role: WorkerRole): Worker[] {
  return site.workers.filter((w) => w.roles.includes(role));
}

export function vmsWithRole(site: Site, role: VmRole): Vm[] {
  return site.controller.vms.filter((v) => v.role === role);
}

export function isDestroyAllowed(site: Site, hostname: string): boolean {
  return site.protection.allowDestroyAll || site.protection.allowDestroy.includes(hostname);
}

/** Hostnames in natural order (worker-2 before worker-10), the order numbered hosts are added in. */
export function byHostname(a: string, b: string): number {
  return a.localeCompare(b, "en", { numeric: true });
}

/** Distinct values in first-seen order. */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

/** Whether the controller (its rack controller) has a NIC on a segment. */
export function isOnController(site: Site, segment: Segment): boolean {
  return site.controller.nics.some((n) => n.segment === segment.name);
}

/**
 * The segment whose DHCP a DHCP segment off the controller relays to: the first DHCP segment of the same
 * purpose the controller is on. Undefined for segments the rack serves itself (or when there is none; the
 * site rules refuse that).
 */
export function relayTargetFor(site: Site, segment: Segment): Segment | undefined {
  if (!segment.dhcp || isOnController(site, segment)) return undefined;
  return site.segments.find((s) => s.dhcp && s.purpose === segment.purpose && isOnController(site, s));
}
