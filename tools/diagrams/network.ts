/**
 * The network architecture figure, from the site model alone: every segment (CIDR, VLAN, purpose,
 * gateway), the controller with its bridges and VMs, the workers (grouped when there are many), each
 * NIC with its address on its segment, and the MAAS power links from the controller to every BMC.
 */
import { isHostIn, parseCidr } from "../../constructs/site/ipv4";
import { distinct, nicFor, type Nic, type Segment, type Site, type Worker } from "../../constructs/site/model";
import { addressSpan, byHostname, idFor, wrap, type Box, type Figure, type Group, type Link, type Row } from "./figure";

/** Above this many workers, workers of the same shape are drawn as one box. */
export const GROUP_WORKERS_ABOVE = 6;

/** Workers drawn as one box: same zone, pool, roles, cabling and disks; differ only in names and addresses. */
export interface WorkerGroup {
  readonly id: string;
  readonly workers: readonly Worker[];
  readonly zone: string;
  readonly roles: readonly string[];
}

export function groupWorkers(site: Site): WorkerGroup[] {
  if (site.workers.length <= GROUP_WORKERS_ABOVE) {
    return site.workers.map((w) => ({ id: idFor("worker", w.hostname), workers: [w], zone: w.zone, roles: w.roles }));
  }
  const groups = new Map<string, Worker[]>();
  for (const worker of site.workers) {
    const shape = JSON.stringify([
      worker.zone,
      worker.pool,
      [...worker.roles].sort(),
      worker.architecture,
      worker.nics.map((n) => [n.name, n.segment, n.address !== undefined]),
      bmcSegment(site, worker)?.name,
      site.openstack.ovn.gateways.includes(worker.hostname),
      worker.bmc.powerType,
      worker.osdDevices.length,
    ]);
    groups.set(shape, [...(groups.get(shape) ?? []), worker]);
  }
  return [...groups.values()].map((workers) => {
    const sorted = [...workers].sort((a, b) => byHostname(a.hostname, b.hostname));
    const first = sorted[0];
    // Named after the first member so the id stays put while other workers come and go.
    return { id: idFor("workers", `${first.zone}_${first.hostname}`), workers: sorted, zone: first.zone, roles: first.roles };
  });
}

/** The bmc segment whose subnet holds the worker's BMC address. */
export function bmcSegment(site: Site, worker: Worker): Segment | undefined {
  return site.segments.find((s) => s.purpose === "bmc" && isHostIn(parseCidr(s.cidr), worker.bmc.address));
}

const segmentId = (name: string) => idFor("segment", name);

function segmentBox(segment: Segment): Box {
  const notes = [
    `${segment.purpose} · VLAN ${segment.vlan} · ${segment.cidr}`,
    segment.gateway ? `gateway ${segment.gateway} · MTU ${segment.mtu}` : `no gateway · MTU ${segment.mtu}`,
    `fabric ${segment.fabric} · space ${segment.space}${segment.dhcp ? " · MAAS DHCP/PXE" : ""}`,
  ];
  if (segment.floating) notes.push(`floating IPs ${segment.floating.start} – ${segment.floating.end}`);
  return { id: segmentId(segment.name), title: segment.name, notes, tone: segment.purpose };
}

const purposeOf = (site: Site, segment: string) => site.segments.find((s) => s.name === segment)?.purpose;

/**
 * "eno1 (PXE) · management · 10.20.0.21", or the span of addresses of that NIC across a group. `bridged`: the NIC is
 * a gateway's provider bridge port; any other NIC without an address is merely up.
 */
function workerNicRow(site: Site, nics: readonly Nic[], pxe: string, bridged: boolean): Row {
  const nic = nics[0];
  const addresses = nics.flatMap((n) => (n.address ? [n.address] : []));
  const where = addresses.length > 0 ? addressSpan(addresses) : bridged ? `no address (OVN ${site.openstack.ovn.bridge})` : "no address (not bridged)";
  return { text: `${nic.name}${nic.name === pxe ? " (PXE)" : ""} · ${nic.segment} · ${where}`, tone: purposeOf(site, nic.segment) };
}

function workerBox(site: Site, group: WorkerGroup): Box {
  const first = group.workers[0];
  const many = group.workers.length > 1;
  const title = many ? `${group.workers.length} workers · ${group.zone}` : first.hostname;
  const notes = [`${group.roles.join(" + ")}${many ? "" : ` · zone ${first.zone}`} · ${first.osdDevices.length} OSD disks`];
  if (many) notes.push(...wrap(group.workers.map((w) => w.hostname), 44, ", "));
  // Grouped workers share gateway status (it is part of their shape), so the first one speaks for all.
  const bridged = site.openstack.ovn.gateways.includes(first.hostname) ? nicFor(site, first.nics, "external")?.name : undefined;
  const rows = first.nics.map((nic) =>
    workerNicRow(site, group.workers.map((w) => w.nics.find((n) => n.name === nic.name)!), first.pxeNic.name, nic.name === bridged),
  );
  const bmc = bmcSegment(site, first);
  rows.push({ text: `BMC ${first.bmc.powerType} · ${bmc?.name ?? "routed"} · ${addressSpan(group.workers.map((w) => w.bmc.address))}`, tone: "bmc" });
  return { id: group.id, title, notes, rows, tone: "worker", tooltip: group.workers.map((w) => w.hostname).join(", ") };
}

export function networkFigure(site: Site): Figure {
  const { controller } = site;
  const links: Link[] = [];
  const hostId = idFor("host", controller.hostname);
  const bridgeId = (segment: string) => idFor("bridge", controller.lxd.bridges[segment]);

  // Cables run from an external segment down to its hosts, and from hosts down to management and BMC
  // segments, so the figure reads top to bottom: uplink, external, hosts, management, BMC.
  const cable = (segment: string, box: string): Link => {
    const purpose = purposeOf(site, segment);
    return purpose === "external"
      ? { from: segmentId(segment), to: box, style: "solid", tone: purpose }
      : { from: box, to: segmentId(segment), style: "solid", tone: purpose };
  };

  // A bridged NIC is drawn as its bridge (the host's address lives there); VMs hang off the bridges.
  const bridges: Box[] = [];
  const hostRows: Row[] = [];
  for (const nic of controller.nics) {
    const bridge = controller.lxd.bridges[nic.segment];
    const row = { text: `${nic.name} · ${nic.segment} · ${nic.address ?? "no address"}`, tone: purposeOf(site, nic.segment) };
    if (bridge) {
      bridges.push({ id: bridgeId(nic.segment), title: `bridge ${bridge}`, rows: [row], tone: "bridge" });
      links.push(cable(nic.segment, bridgeId(nic.segment)));
    } else {
      hostRows.push(row);
      links.push(cable(nic.segment, hostId));
    }
  }
  const host: Box = {
    id: hostId,
    title: controller.hostname,
    notes: [
      `MAAS · LXD (project ${controller.lxd.project}, pool ${controller.lxd.storagePool.name})`,
      `${controller.capacity.cores} cores · ${controller.capacity.memoryGiB} GiB RAM · ${controller.capacity.diskGiB} GiB disk`,
      `dashed arrows: MAAS power control of each BMC (${distinct(site.workers.map((w) => w.bmc.powerType)).join(", ")})`,
    ],
    rows: hostRows,
    tone: "host",
  };
  const vms: Box[] = controller.vms.map((vm) => ({
    id: idFor("vm", vm.hostname),
    title: vm.hostname,
    notes: [`${vm.role} VM · ${vm.cores} cores · ${vm.memoryGiB} GiB`],
    rows: vm.nics.map((nic) => ({ text: `${nic.segment} · ${nic.address ?? "address from MAAS"}`, tone: purposeOf(site, nic.segment) })),
    tone: "vm",
  }));
  for (const vm of controller.vms) {
    for (const nic of vm.nics) {
      const vmId = idFor("vm", vm.hostname);
      const external = purposeOf(site, nic.segment) === "external";
      links.push({ from: external ? bridgeId(nic.segment) : vmId, to: external ? vmId : bridgeId(nic.segment), style: "solid", tone: purposeOf(site, nic.segment) });
    }
  }

  const groups = groupWorkers(site);
  const workers = groups.map((g) => workerBox(site, g));
  for (const group of groups) {
    const first = group.workers[0];
    for (const nic of first.nics) links.push(cable(nic.segment, group.id));
    const bmc = bmcSegment(site, first);
    if (bmc) links.push({ from: group.id, to: segmentId(bmc.name), label: "BMC", style: "solid", tone: "bmc" });
    links.push({ from: hostId, to: group.id, style: "dashed", tone: "bmc", arrow: true, loose: true });
  }

  const uplinks: Box[] = [];
  for (const segment of site.segments.filter((s) => s.purpose === "external" && s.gateway)) {
    const id = idFor("uplink", segment.name);
    uplinks.push({ id, title: "upstream router", notes: [`gateway ${segment.gateway}`], tone: "uplink" });
    links.push({ from: id, to: segmentId(segment.name), label: "uplink", style: "bold", tone: "uplink" });
  }

  const segmentsOf = (purpose: Segment["purpose"]) => site.segments.filter((s) => s.purpose === purpose).map((s) => segmentId(s.name));
  const controllerGroup: Group = {
    id: idFor("cluster", controller.hostname),
    title: `${controller.hostname}: LXD VMs on host bridges`,
    tone: "host",
    boxes: [host, ...bridges, ...vms],
    groups: [],
  };
  return {
    id: "network",
    title: `${site.name}: network architecture`,
    direction: "LR",
    groups: [controllerGroup],
    boxes: [...uplinks, ...site.segments.map(segmentBox), ...workers],
    links,
    ranks: [uplinks.map((u) => u.id), segmentsOf("external"), segmentsOf("management"), segmentsOf("bmc")].filter((r) => r.length > 0),
  };
}
