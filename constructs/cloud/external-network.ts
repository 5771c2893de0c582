/**
 * The external (provider) network: Neutron's view of the site's external segment, where tenant routers
 * take their gateway and floating IPs come from. It sits on the OVN physnet that ovn-chassis maps to the
 * gateways' provider bridge, flat when their switch ports carry the segment untagged and VLAN (with the
 * segment's VLAN ID) when they carry it tagged. MAAS already reserves the floating range, so Neutron
 * alone hands those addresses out; the subnet has no DHCP (nothing boots on it).
 */
import { Construct } from "constructs";
import { NetworkingNetworkV2 } from "../../.gen/providers/openstack/networking-network-v2";
import { NetworkingSubnetV2 } from "../../.gen/providers/openstack/networking-subnet-v2";
import { protectFromDestroy } from "../common/protection";
import type { ExternalNetwork as ExternalNetworkModel, Site } from "../site";

/** SITE_ALLOW_DESTROY key of the external network: deleting it takes every tenant's floating IPs and router gateways with it. */
export const externalNetworkKey = (name: string): string => `network/${name}`;

export interface ExternalNetworkProps {
  readonly site: Site;
  readonly external: ExternalNetworkModel;
}

export class ExternalNetwork extends Construct {
  readonly network: NetworkingNetworkV2;
  readonly subnet: NetworkingSubnetV2;
  /** The network's ID (one token, read once). */
  readonly networkId: string;

  constructor(scope: Construct, id: string, props: ExternalNetworkProps) {
    super(scope, id);
    const { external, site } = props;
    const segment = external.segment;

    this.network = new NetworkingNetworkV2(this, "network", {
      name: external.name,
      external: true,
      shared: false,
      adminStateUp: true,
      mtu: segment.mtu,
      segments: [
        {
          physicalNetwork: external.physnet,
          networkType: external.networkType,
          ...(external.segmentationId !== undefined ? { segmentationId: external.segmentationId } : {}),
        },
      ],
    });
    this.networkId = this.network.id;

    this.subnet = new NetworkingSubnetV2(this, "subnet", {
      name: `${external.name}-subnet`,
      networkId: this.networkId,
      ipVersion: 4,
      cidr: segment.cidr,
      gatewayIp: external.gateway,
      enableDhcp: false,
      allocationPool: [{ start: external.allocationPool.start, end: external.allocationPool.end }],
      dnsNameservers: segment.dns.length > 0 ? [...segment.dns] : undefined,
    });

    const key = externalNetworkKey(external.name);
    protectFromDestroy(this.network, site, key);
    protectFromDestroy(this.subnet, site, key);
  }
}
