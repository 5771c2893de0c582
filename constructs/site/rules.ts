/**
 * Cross-field rules of a site file, run after the shape check. Each rule adds every problem it finds,
 * so an operator fixes the whole file in one pass instead of one error per run.
 */
import { cidrsOverlap, hasHostBits, inRange, intToIp, ipToInt, isHostIn, parseCidr, rangesOverlap, type Cidr, type Range } from "./ipv4";
import { nearest } from "../openstack/catalog";
import { defaultGateways } from "./gateways";
import { checkOpenStack } from "./openstack-rules";
import type { SiteFile } from "./schema";

export interface Problem {
  /** Path of the offending field, e.g. workers[2].bmc.address. */
  readonly path: string;
  readonly message: string;
}

type SegmentFile = SiteFile["segments"][number];
type RangeFile = SegmentFile["reserved"][number];

export function checkSite(site: SiteFile): Problem[] {
  const problems: Problem[] = [];
  const add = (path: string, message: string) => problems.push({ path, message });
  const segments: SegmentIndex = new Map();

  checkSegments(site, segments, add);
  checkHosts(site, segments, add);
  checkController(site, segments, add);
  checkWorkers(site, segments, add);
  checkOpenStack(site, add);
  checkCloud(site, segments, add);
  checkVault(site, add);
  return problems;
}

type Add = (path: string, message: string) => void;
type SegmentEntry = { segment: SegmentFile; cidr: Cidr; index: number };
type SegmentIndex = Map<string, SegmentEntry>;

function toRange(range: RangeFile): Range {
  return { start: ipToInt(range.start), end: ipToInt(range.end) };
}

function checkSegments(site: SiteFile, segments: SegmentIndex, add: Add): void {
  const vlansOnFabric = new Map<string, string>();
  site.segments.forEach((segment, index) => {
    const at = `segments[${index}]`;
    if (segments.has(segment.name)) {
      add(`${at}.name`, `segment name "${segment.name}" is used twice; give each segment its own name`);
      return;
    }
    if (hasHostBits(segment.cidr)) {
      add(`${at}.cidr`, `${segment.cidr} has host bits set; write the network address, e.g. ${intToNetwork(segment.cidr)}`);
    }
    const cidr = parseCidr(segment.cidr);
    for (const other of segments.values()) {
      if (cidrsOverlap(cidr, other.cidr)) {
        add(`${at}.cidr`, `${segment.cidr} overlaps ${other.segment.cidr} of segment "${other.segment.name}"; segments need disjoint subnets`);
      }
    }
    segments.set(segment.name, { segment, cidr, index });

    const fabricVlan = `${segment.fabric ?? segment.name}/${segment.vlan}`;
    const holder = vlansOnFabric.get(fabricVlan);
    if (holder) {
      add(`${at}.vlan`, `VLAN ${segment.vlan} is already used on fabric "${segment.fabric ?? segment.name}" by segment "${holder}"; pick another VLAN ID or another fabric`);
    } else {
      vlansOnFabric.set(fabricVlan, segment.name);
    }

    if (segment.gateway && !isHostIn(cidr, segment.gateway)) {
      add(`${at}.gateway`, `gateway ${segment.gateway} is outside ${segment.cidr}; use a host address of that subnet`);
    }

    const ranges: { path: string; range: RangeFile }[] = [
      ...segment.reserved.map((range, i) => ({ path: `${at}.reserved[${i}]`, range })),
      ...segment.dynamic.map((range, i) => ({ path: `${at}.dynamic[${i}]`, range })),
      ...(segment.floating ? [{ path: `${at}.floating`, range: segment.floating }] : []),
    ];
    ranges.forEach(({ path, range }, i) => {
      for (const end of ["start", "end"] as const) {
        if (!isHostIn(cidr, range[end])) add(`${path}.${end}`, `${range[end]} is outside ${segment.cidr}; a range must lie inside its subnet`);
      }
      if (ipToInt(range.start) > ipToInt(range.end)) add(path, `range starts at ${range.start}, after its end ${range.end}; swap them`);
      for (const earlier of ranges.slice(0, i)) {
        if (rangesOverlap(toRange(range), toRange(earlier.range))) {
          add(path, `range ${range.start}-${range.end} overlaps ${earlier.path} (${earlier.range.start}-${earlier.range.end}); MAAS ranges must not overlap`);
        }
      }
    });
    if (segment.gateway && segment.dynamic.some((r) => inRange(toRange(r), segment.gateway!))) {
      add(`${at}.gateway`, `gateway ${segment.gateway} lies inside a dynamic range; move the range or reserve the gateway`);
    }

    const dhcp = segment.dhcp ?? segment.purpose === "management";
    if (dhcp && segment.dynamic.length === 0) {
      add(`${at}.dynamic`, `DHCP is on for "${segment.name}" but it has no dynamic range; add one (MAAS needs it to enlist and commission machines) or set dhcp: false`);
    }
    if (segment.floating && segment.purpose !== "external") {
      add(`${at}.floating`, `floating IPs belong on an external segment; "${segment.name}" is ${segment.purpose}`);
    }
  });

  for (const purpose of ["bmc", "management"] as const) {
    if (!site.segments.some((s) => s.purpose === purpose)) {
      add("segments", `the site has no ${purpose} segment; add one with purpose: ${purpose}`);
    }
  }
}

function intToNetwork(text: string): string {
  const cidr = parseCidr(text);
  return `${intToIp(cidr.first)}/${cidr.prefix}`;
}

/** Addresses, MACs and hostnames must be unique across the site; static addresses must fit their segment. */
function checkHosts(site: SiteFile, segments: SegmentIndex, add: Add): void {
  const hostnames = new Map<string, string>();
  const macs = new Map<string, string>();
  const addresses = new Map<string, string>();
  const claim = (seen: Map<string, string>, value: string, path: string, what: string) => {
    const first = seen.get(value);
    if (first) add(path, `${what} ${value} is already used by ${first}; each must be unique`);
    else seen.set(value, path);
  };
  const checkAddress = (path: string, segmentName: string, address: string) => {
    claim(addresses, address, path, "IP address");
    const entry = segments.get(segmentName);
    if (!entry) return;
    if (!isHostIn(entry.cidr, address)) {
      add(path, `${address} is outside ${entry.segment.cidr} of segment "${segmentName}"; use an address of that subnet`);
      return;
    }
    const dynamic = entry.segment.dynamic.find((r) => inRange(toRange(r), address));
    if (dynamic) {
      add(path, `${address} is inside the dynamic range ${dynamic.start}-${dynamic.end} of "${segmentName}"; MAAS may lease it to another host, pick a static address outside it`);
    }
    if (entry.segment.floating && inRange(toRange(entry.segment.floating), address)) {
      add(path, `${address} is inside the floating IP pool of "${segmentName}"; Neutron would hand it to a tenant`);
    }
  };
  const checkNicSegment = (path: string, segmentName: string) => {
    if (!segments.has(segmentName)) {
      add(`${path}.segment`, `no segment named "${segmentName}"; known segments: ${[...segments.keys()].join(", ")}`);
    }
  };

  site.segments.forEach((s, i) => {
    if (s.gateway) addresses.set(s.gateway, `segments[${i}].gateway`);
  });

  claim(hostnames, site.controller.hostname, "controller.hostname", "hostname");
  site.controller.nics.forEach((nic, i) => {
    const path = `controller.nics[${i}]`;
    checkNicSegment(path, nic.segment);
    claim(macs, nic.mac, `${path}.mac`, "MAC");
    if (nic.address) checkAddress(`${path}.address`, nic.segment, nic.address);
  });
  site.controller.vms.forEach((vm, v) => {
    claim(hostnames, vm.hostname, `controller.vms[${v}].hostname`, "hostname");
    vm.nics.forEach((nic, i) => {
      const path = `controller.vms[${v}].nics[${i}]`;
      checkNicSegment(path, nic.segment);
      if (nic.address) checkAddress(`${path}.address`, nic.segment, nic.address);
    });
  });
  site.workers.forEach((worker, w) => {
    claim(hostnames, worker.hostname, `workers[${w}].hostname`, "hostname");
    worker.nics.forEach((nic, i) => {
      const path = `workers[${w}].nics[${i}]`;
      checkNicSegment(path, nic.segment);
      claim(macs, nic.mac, `${path}.mac`, "MAC");
      if (nic.address) checkAddress(`${path}.address`, nic.segment, nic.address);
    });
    const bmcPath = `workers[${w}].bmc.address`;
    const bmcSegment = [...segments.values()].find((e) => e.segment.purpose === "bmc" && isHostIn(e.cidr, worker.bmc.address));
    if (!bmcSegment) {
      add(bmcPath, `BMC address ${worker.bmc.address} is on no bmc segment; MAAS powers machines over the BMC network, use an address of a bmc subnet`);
      claim(addresses, worker.bmc.address, bmcPath, "IP address");
    } else {
      checkAddress(bmcPath, bmcSegment.segment.name, worker.bmc.address);
    }
  });
}

/**
 * Whether MAAS's rack controller (on the controller) can serve each DHCP segment. MAAS offers as primary
 * rack only racks with an interface on a VLAN of the segment's VID, and learns the controller's VLANs from
 * its NICs: an untagged NIC lands on VID 0 of a fabric of its own. A DHCP segment the controller is not on
 * is served through a relay to one it is on, of the same purpose.
 */
function checkRackDhcp(site: SiteFile, segments: SegmentIndex, add: Add): void {
  const nics = site.controller.nics;
  const onController = new Set(nics.map((n) => n.segment));
  nics.forEach((nic, i) => {
    const entry = segments.get(nic.segment);
    if (!entry || !dhcpOn(entry.segment) || nic.tagged) return;
    add(
      `controller.nics[${i}].tagged`,
      `${nic.name} is untagged, so MAAS puts it on VID 0 and its rack cannot serve DHCP on VLAN ${entry.segment.vlan} of "${nic.segment}"; carry that VLAN tagged to the controller (a sub-interface ${nic.name}.${entry.segment.vlan} in the segment's bridge) and set tagged: true, or set dhcp: false on the segment`,
    );
  });
  for (const { segment, index } of segments.values()) {
    if (!dhcpOn(segment) || onController.has(segment.name)) continue;
    const served = [...segments.values()].some((e) => e.segment.purpose === segment.purpose && dhcpOn(e.segment) && onController.has(e.segment.name));
    if (!served) {
      add(
        `segments[${index}].dhcp`,
        `DHCP is on for "${segment.name}" but the controller is not cabled to it nor to any ${segment.purpose} segment with DHCP that a relay could point at; give the controller a NIC on it, or set dhcp: false`,
      );
    }
  }
  // Each physical NIC of the controller is a fabric of its own in MAAS: two segments of one fabric must reach
  // the controller through the same NIC.
  const parentOf = (name: string) => name.split(".")[0]!;
  const nicOfFabric = new Map<string, { nic: string; segment: string }>();
  for (const nic of nics) {
    const entry = segments.get(nic.segment);
    if (!entry) continue;
    const fabric = entry.segment.fabric ?? entry.segment.name;
    const seen = nicOfFabric.get(fabric);
    if (!seen) nicOfFabric.set(fabric, { nic: parentOf(nic.name), segment: nic.segment });
    else if (seen.nic !== parentOf(nic.name)) {
      add(
        `segments[${entry.index}].fabric`,
        `"${nic.segment}" and "${seen.segment}" share fabric "${fabric}" but reach the controller through different NICs (${nic.name}, ${seen.nic}); MAAS puts each controller NIC on a fabric of its own, so give them different fabrics`,
      );
    }
  }
}

function checkController(site: SiteFile, segments: SegmentIndex, add: Add): void {
  const controller = site.controller;
  const management = controller.nics.find((n) => segments.get(n.segment)?.segment.purpose === "management" && n.address);
  if (!management) {
    add("controller.nics", "the controller needs a NIC with a static address on a management segment (MAAS and LXD listen there)");
  }
  const jujuVms = controller.vms.filter((vm) => vm.role === "juju-controller");
  if (jujuVms.length !== 1) {
    add("controller.vms", `exactly one VM must have role juju-controller; found ${jujuVms.length}`);
  }
  if (!controller.vms.some((vm) => vm.role === "control-plane")) {
    add("controller.vms", "add at least one VM with role control-plane to carry the OpenStack API services");
  }
  controller.vms.forEach((vm, v) => {
    vm.nics.forEach((nic, i) => {
      if (segments.has(nic.segment) && !controller.lxd.bridges[nic.segment]) {
        add(`controller.vms[${v}].nics[${i}].segment`, `the controller has no bridge for segment "${nic.segment}"; add it to controller.lxd.bridges (e.g. ${nic.segment}: br-${nic.segment.slice(0, 8)})`);
      }
    });
    if (!vm.nics.some((nic) => segments.get(nic.segment)?.segment.purpose === "management")) {
      add(`controller.vms[${v}].nics`, `VM ${vm.hostname} needs a NIC on a management segment (Juju and PXE use it)`);
    }
  });
  checkRackDhcp(site, segments, add);
  for (const bridgeSegment of Object.keys(controller.lxd.bridges)) {
    if (!segments.has(bridgeSegment)) {
      add(`controller.lxd.bridges.${bridgeSegment}`, `no segment named "${bridgeSegment}"; bridges are keyed by segment name`);
    }
  }

  const { capacity, headroom } = controller;
  for (const [key, unit] of [["cores", "cores"], ["memoryGiB", "GiB of memory"], ["diskGiB", "GiB of disk"]] as const) {
    const wanted = controller.vms.reduce((sum, vm) => sum + vm[key], 0);
    const usable = capacity[key] - headroom[key];
    if (wanted > usable) {
      add(
        `controller.vms`,
        `the VMs ask for ${wanted} ${unit} but the controller offers ${usable} (capacity ${capacity[key]} minus headroom ${headroom[key]} kept for the host, MAAS and LXD); shrink the VMs or raise controller.capacity.${key}`,
      );
    }
  }
}

/** Whether MAAS serves DHCP on a segment: as the site says, else on management segments. */
const dhcpOn = (s: SegmentFile): boolean => s.dhcp ?? s.purpose === "management";

function checkWorkers(site: SiteFile, segments: SegmentIndex, add: Add): void {
  const purposeOf = (segment: string) => segments.get(segment)?.segment.purpose;
  // Workers that PXE boot on a segment without DHCP, by segment: one problem per segment.
  const bootsWithoutDhcp = new Map<SegmentEntry, string[]>();
  site.workers.forEach((worker, w) => {
    const at = `workers[${w}]`;
    const pxe = worker.pxeNic ? worker.nics.find((n) => n.name === worker.pxeNic) : worker.nics.find((n) => purposeOf(n.segment) === "management");
    if (worker.pxeNic && !pxe) add(`${at}.pxeNic`, `no NIC named "${worker.pxeNic}" on ${worker.hostname}; name one of its nics`);
    if (!worker.pxeNic && !pxe) add(`${at}.nics`, `${worker.hostname} needs a NIC on a management segment to PXE boot from MAAS`);
    if (pxe && purposeOf(pxe.segment) !== "management") add(`${at}.pxeNic`, `the PXE NIC must be on a management segment; ${pxe.name} is on "${pxe.segment}"`);
    const pxeSegment = pxe ? segments.get(pxe.segment) : undefined;
    if (pxeSegment && purposeOf(pxe!.segment) === "management" && !dhcpOn(pxeSegment.segment)) {
      (bootsWithoutDhcp.get(pxeSegment) ?? bootsWithoutDhcp.set(pxeSegment, []).get(pxeSegment)!).push(worker.hostname);
    }
    if (!worker.nics.some((n) => purposeOf(n.segment) === "management" && n.address)) {
      add(`${at}.nics`, `${worker.hostname} needs a static address on a management segment (Juju and OpenStack reach it there)`);
    }
    if (worker.roles.includes("storage") && worker.osdDevices.length === 0) {
      add(`${at}.osdDevices`, `${worker.hostname} has the storage role but no osdDevices; list the disks Ceph may take, e.g. [/dev/sdb]`);
    }
    if (new Set(worker.roles).size !== worker.roles.length) add(`${at}.roles`, "a role is listed twice");
    const names = worker.nics.map((n) => n.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) add(`${at}.nics[${i}].name`, `interface name ${n} is used twice on ${worker.hostname}`);
    });
  });
  for (const [{ segment, index }, hosts] of bootsWithoutDhcp) {
    add(
      `segments[${index}].dhcp`,
      `${hosts.join(", ")} PXE boot${hosts.length === 1 ? "s" : ""} on "${segment.name}", which has dhcp: false; MAAS commissions a machine only where it serves DHCP, so turn DHCP on there (with a dynamic range)`,
    );
  }
}

/** The cloud stack's inputs: the external network's segment, and names and ranges that OpenStack needs distinct. */
function checkCloud(site: SiteFile, segments: SegmentIndex, add: Add): void {
  const cloud = site.cloud;
  checkExternalNetwork(site, segments, add);

  const unique = (names: readonly string[], path: (i: number) => string, what: string) => {
    names.forEach((n, i) => {
      const first = names.indexOf(n);
      if (first !== i) add(path(i), `${what} "${n}" is already used by ${path(first)}; each needs its own name`);
    });
  };
  if (cloud.flavors) unique(cloud.flavors.map((f) => f.name), (i) => `cloud.flavors[${i}].name`, "flavor name");
  unique(cloud.images.map((i) => i.name), (i) => `cloud.images[${i}].name`, "image name");
  unique(cloud.projects.map((p) => p.name), (i) => `cloud.projects[${i}].name`, "project name");

  cloud.images.forEach((image, i) => {
    if (image.url && image.file) add(`cloud.images[${i}]`, `image "${image.name}" gives both url and file; keep one: url to download it at apply, file to upload a file already on that machine`);
    if (!image.url && !image.file) add(`cloud.images[${i}]`, `image "${image.name}" gives neither url nor file; add url (downloaded at apply) or file (a path on the machine that runs apply)`);
  });

  const tenantRanges: { path: string; cidr: Cidr; project: string }[] = [];
  cloud.projects.forEach((project, p) => {
    const at = `cloud.projects[${p}]`;
    const text = project.network.cidr;
    if (hasHostBits(text)) add(`${at}.network.cidr`, `${text} has host bits set; write the network address, e.g. ${intToNetwork(text)}`);
    const range = parseCidr(text);
    if (range.prefix > 28) {
      add(`${at}.network.cidr`, `${text} is too small: the router, Neutron's DHCP port and the instances need addresses; use a /28 or larger`);
    }
    for (const other of segments.values()) {
      if (cidrsOverlap(range, other.cidr)) {
        add(`${at}.network.cidr`, `${text} overlaps ${other.segment.cidr} of segment "${other.segment.name}"; the project's router could not reach that segment, pick a range outside the site's segments`);
      }
    }
    for (const other of tenantRanges) {
      if (cidrsOverlap(range, other.cidr)) {
        add(`${at}.network.cidr`, `${text} overlaps ${other.cidr.text} of project "${other.project}" (${other.path}); give each project its own range so an address names one instance in logs and firewall rules`);
      }
    }
    tenantRanges.push({ path: `${at}.network.cidr`, cidr: range, project: project.name });
    project.access.from.forEach((from, i) => {
      if (hasHostBits(from)) add(`${at}.access.from[${i}]`, `${from} has host bits set; write the network address, e.g. ${intToNetwork(from)}`);
    });
    project.members.forEach((member, i) => {
      if (project.members.indexOf(member) !== i) add(`${at}.members[${i}]`, `${member} is listed twice`);
    });
  });
}

/**
 * The external network sits on one external segment: its CIDR, gateway and floating range make the subnet,
 * and the OVN gateways bridge their first external NIC, which must be on that segment.
 */
function checkExternalNetwork(site: SiteFile, segments: SegmentIndex, add: Add): void {
  const named = site.cloud.external.segment;
  const externals = [...segments.values()].filter((e) => e.segment.purpose === "external");
  let entry: SegmentEntry | undefined;
  if (named) {
    entry = segments.get(named);
    if (!entry) {
      add("cloud.external.segment", `no segment named "${named}"; known segments: ${[...segments.keys()].join(", ")}`);
      return;
    }
    if (entry.segment.purpose !== "external") {
      add("cloud.external.segment", `segment "${named}" is ${entry.segment.purpose}; the external network must be on a segment with purpose: external`);
      return;
    }
  } else {
    const pooled = externals.filter((e) => e.segment.floating);
    if (pooled.length > 1) {
      add("cloud.external.segment", `segments ${pooled.map((e) => `"${e.segment.name}"`).join(" and ")} are all external with a floating range; name the one the external network uses`);
      return;
    }
    entry = pooled[0] ?? (externals.length === 1 ? externals[0] : undefined);
    if (!entry) {
      add("segments", "the cloud's external network needs an external segment with a floating range (its allocation pool); add one with purpose: external and floating: {start, end}");
      return;
    }
  }
  const { segment, index } = entry;
  const at = `segments[${index}]`;
  if (!segment.floating) {
    add(`${at}.floating`, `the cloud's external network takes its allocation pool from the floating range of "${segment.name}", which has none; add floating: {start, end}`);
  }
  if (!segment.gateway) {
    add(`${at}.gateway`, `the external network's subnet needs the upstream router of "${segment.name}" as its gateway (tenant routers send their traffic there); add gateway`);
  }
  checkGateways(site, segment.name, segments, add);
}

/**
 * The OVN gateways (openstack.ovn.gateways, or the default) are compute workers whose first external NIC, the one
 * ovn-chassis bridges, is on the external network's segment. Other compute workers need no external NIC at all.
 */
function checkGateways(site: SiteFile, external: string, segments: SegmentIndex, add: Add): void {
  const field = "openstack.ovn.gateways";
  const listed = site.openstack.ovn.gateways;
  const gateways = listed ?? defaultGateways(site.workers, external);
  const compute = site.workers.filter((w) => w.roles.includes("compute")).map((w) => w.hostname);
  // Without any compute worker checkOpenStack already says what is missing.
  if (gateways.length === 0 && compute.length > 0) {
    add(field, `no compute worker has a NIC on "${external}", the external network's segment, so none can be an OVN gateway; cable one compute worker's external NIC to it (the default gateways are chosen among those)`);
  }
  // Distributed floating IPs NAT on the instance's own chassis, which needs the physnet mapping on every compute node
  // (neutron ovn_conf enable_distributed_floating_ip); here only gateways get it.
  const bridgeless = compute.filter((h) => !gateways.includes(h));
  if (site.openstack.config["neutron-api-plugin-ovn"]?.["enable-distributed-floating-ip"] === true && bridgeless.length > 0) {
    add(field, `openstack.config.neutron-api-plugin-ovn.enable-distributed-floating-ip NATs floating IPs on each instance's own chassis, which needs the provider bridge on every compute worker, but ${bridgeless.join(", ")} ${bridgeless.length === 1 ? "is not a gateway" : "are not gateways"}; list every compute worker in ${field}, or leave distributed floating IPs off`);
  }
  gateways.forEach((hostname, i) => {
    const at = listed ? `${field}[${i}]` : field;
    if (gateways.indexOf(hostname) !== i) {
      add(at, `${hostname} is listed twice; list each gateway once`);
      return;
    }
    const w = site.workers.findIndex((x) => x.hostname === hostname);
    const worker = site.workers[w];
    if (!worker) {
      const near = nearest(hostname, site.workers.map((x) => x.hostname));
      add(at, `no worker named "${hostname}"${near.length ? ` (did you mean ${near.join(", ")}?)` : ""}; gateways are hostnames from workers[] with the compute role`);
      return;
    }
    if (!worker.roles.includes("compute")) {
      add(at, `${hostname} has no compute role (roles: ${worker.roles.join(", ")}); a gateway is an ovn-chassis unit, which runs beside nova-compute on compute workers only: give it the compute role or list a compute worker`);
      return;
    }
    const onSegment = worker.nics.findIndex((n) => n.segment === external);
    if (onSegment < 0) {
      add(at, `${hostname} has no NIC on "${external}", the external network's segment, so OVN has nothing to bridge into ${site.openstack.ovn.bridge} there; cable one to it or list another compute worker`);
      return;
    }
    const bridged = worker.nics.findIndex((n) => segments.get(n.segment)?.segment.purpose === "external");
    if (bridged !== onSegment) {
      add(
        `workers[${w}].nics[${bridged}].segment`,
        `OVN bridges ${worker.nics[bridged]!.name}, the first external NIC of ${hostname}, which is on "${worker.nics[bridged]!.segment}"; the external network is on "${external}": list ${worker.nics[onSegment]!.name} first`,
      );
    }
  });
}

/** The same limits `vault operator init` enforces (SealConfig.Validate), caught before anyone runs it. */
function checkVault(site: SiteFile, add: Add): void {
  if (!site.vault?.keyThreshold) return;
  const { keyThreshold, pgpKeys } = site.vault;
  if (keyThreshold > pgpKeys.length) {
    add("vault.keyThreshold", `${keyThreshold} shares are needed to unseal but vault.pgpKeys gives only ${pgpKeys.length}; Vault could never be unsealed. Lower keyThreshold or list more keys`);
  } else if (keyThreshold === 1 && pgpKeys.length > 1) {
    add("vault.keyThreshold", `1 of ${pgpKeys.length} shares would let any one operator unseal alone, and Vault refuses it; use at least 2`);
  }
}
