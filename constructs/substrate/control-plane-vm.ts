/**
 * A VM on the controller (Juju controller or OpenStack control plane), composed by MAAS on the LXD
 * VM host so it enlists as an ordinary MAAS machine that Juju can deploy to.
 */
import { Construct } from "constructs";
import { VmHostMachine } from "../../.gen/providers/maas/vm-host-machine";
import { replaceWhenHardwareChanges } from "../common/hardware";
import { protectFromDestroy } from "../common/protection";
import type { Site, Vm } from "../site";
import type { ControllerLxd } from "./controller-lxd";
import type { NetworkSegment } from "./network-segment";
import { COMMISSIONING_TIMEOUT } from "./worker";

export interface ControlPlaneVmProps {
  readonly site: Site;
  readonly vm: Vm;
  readonly host: ControllerLxd;
  /** The segments of the site, by segment name. */
  readonly segments: ReadonlyMap<string, NetworkSegment>;
}

export class ControlPlaneVm extends Construct {
  readonly machine: VmHostMachine;

  constructor(scope: Construct, id: string, props: ControlPlaneVmProps) {
    super(scope, id);
    const { vm, host } = props;

    const pxe = props.segments.get(vm.nics[0]!.segment);
    this.machine = new VmHostMachine(this, "machine", {
      vmHost: host.vmHost.id,
      hostname: vm.hostname,
      cores: vm.cores,
      memory: vm.memoryGiB * 1024,
      storageDisks: [{ sizeGigabytes: vm.diskGiB, pool: host.storagePool.name }],
      // MAAS picks the host bridge that carries each subnet; eth<n> follows the order of the site's NICs.
      networkInterfaces: vm.nics.map((nic, index) => {
        const segment = props.segments.get(nic.segment);
        if (!segment) throw new Error(`vm ${vm.hostname}: nic ${index} is on unknown segment ${nic.segment}`);
        return { name: `eth${index}`, subnetCidr: segment.subnet.cidr, ipAddress: nic.address };
      }),
      // The VM commissions by PXE booting on its first NIC: MAAS must serve DHCP on that VLAN first.
      dependsOn: pxe?.dhcp ? [pxe.dhcp] : [],
      timeouts: { create: COMMISSIONING_TIMEOUT },
    });
    // The provider's ForceNew on storage_disks and network_interfaces reaches only their count (SDKv2): a
    // bigger disk or a NIC on another segment would plan an update in place that MAAS never applies. MAAS
    // cannot resize or re-cable a composed VM, so a change of either is a new VM.
    replaceWhenHardwareChanges(this, this.machine, {
      disk: `${vm.diskGiB}GiB`,
      nics: vm.nics.map((n) => `${n.segment}${n.address ? `=${n.address}` : ""}`).join(","),
    });
    protectFromDestroy(this.machine, props.site, vm.hostname);
  }
}
