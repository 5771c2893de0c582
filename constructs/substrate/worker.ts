/**
 * A bare-metal worker in MAAS: the machine (power over its BMC, PXE MAC, zone, pool) and its physical
 * interfaces on their VLANs with their links.
 */
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { Machine } from "../../.gen/providers/maas/machine";
import { NetworkInterfacePhysical } from "../../.gen/providers/maas/network-interface-physical";
import { NetworkInterfaceLink } from "../../.gen/providers/maas/network-interface-link";
import type { ResourcePool } from "../../.gen/providers/maas/resource-pool";
import type { Zone } from "../../.gen/providers/maas/zone";
import { protectFromDestroy } from "../common/protection";
import { replaceWhenHardwareChanges } from "../common/hardware";
import type { Nic, Site, Worker as WorkerModel } from "../site";
import type { NetworkSegment } from "./network-segment";

export interface WorkerProps {
  readonly site: Site;
  readonly worker: WorkerModel;
  /** The segments of the site, by segment name. */
  readonly segments: ReadonlyMap<string, NetworkSegment>;
  /** The BMC password: a reference to a sensitive Terraform variable, never a literal. */
  readonly bmcPassword: string;
  /**
   * The resource pool to place the machine in.
   * @default - MAAS's "default" pool
   */
  readonly pool?: ResourcePool;
  /**
   * The MAAS zone the machine belongs to, when the stack creates it.
   * @default - MAAS's "default" zone
   */
  readonly zone?: Zone;
}

/**
 * How long MAAS may take to commission a bare-metal machine before the provider gives up (its default is
 * 30m): firmware POST, PXE, commissioning scripts and hardware tests on a large server often take longer.
 */
export const COMMISSIONING_TIMEOUT = "60m";

export class Worker extends Construct {
  readonly machine: Machine;
  /** The machine's MAAS system ID (one token, read once: each read of `.id` costs a token at synth). */
  readonly machineId: string;
  /** Physical interfaces by NIC name (eno1, …). */
  readonly interfaces: ReadonlyMap<string, NetworkInterfacePhysical>;
  readonly links: ReadonlyMap<string, NetworkInterfaceLink>;

  constructor(scope: Construct, id: string, props: WorkerProps) {
    super(scope, id);
    const { worker, site } = props;
    const bmc = worker.bmc;

    const pxeSegment = props.segments.get(worker.pxeNic.segment);
    if (!pxeSegment?.dhcp) throw new Error(`worker ${worker.hostname}: its PXE segment ${worker.pxeNic.segment} has no DHCP (the site rules check this)`);
    this.machine = new Machine(this, "machine", {
      hostname: worker.hostname,
      zone: props.zone?.name ?? worker.zone,
      pool: props.pool?.name,
      architecture: worker.architecture,
      pxeMacAddress: worker.pxeNic.mac,
      powerType: bmc.powerType,
      powerParameters: Fn.jsonencode({
        power_address: bmc.address,
        power_user: bmc.user,
        power_pass: props.bmcPassword,
        ...(bmc.powerType === "ipmi" ? { power_driver: bmc.driver } : {}),
      }),
      // Commissioning PXE boots: MAAS must already serve DHCP on the PXE NIC's VLAN.
      dependsOn: [pxeSegment.dhcp],
      timeouts: { create: COMMISSIONING_TIMEOUT },
    });
    replaceWhenHardwareChanges(this, this.machine, { pxe_mac_address: worker.pxeNic.mac });
    protectFromDestroy(this.machine, site, worker.hostname);
    this.machineId = this.machine.id;

    const interfaces = new Map<string, NetworkInterfacePhysical>();
    const links = new Map<string, NetworkInterfaceLink>();
    for (const nic of worker.nics) {
      const segment = props.segments.get(nic.segment);
      if (!segment) throw new Error(`worker ${worker.hostname}: nic ${nic.name} is on unknown segment ${nic.segment}`);
      const iface = new NetworkInterfacePhysical(this, nic.name, {
        machine: this.machineId,
        name: nic.name,
        macAddress: nic.mac,
        vlan: segment.vlanId,
        mtu: segment.segment.mtu,
      });
      interfaces.set(nic.name, iface);
      links.set(
        nic.name,
        new NetworkInterfaceLink(this, `${nic.name}-link`, {
          machine: this.machineId,
          networkInterface: iface.id,
          subnet: segment.subnetId,
          ...linkMode(nic, segment),
        }),
      );
    }
    this.interfaces = interfaces;
    this.links = links;
  }
}

/**
 * Static where the site gives an address. An external NIC without one is only brought up: OVN puts it
 * in its provider bridge (br-ex) and an address on it would be lost. Others get an address from MAAS.
 */
function linkMode(nic: Nic, segment: NetworkSegment): { mode: string; ipAddress?: string } {
  if (nic.address) return { mode: "STATIC", ipAddress: nic.address };
  return { mode: segment.segment.purpose === "external" ? "LINK_UP" : "AUTO" };
}
