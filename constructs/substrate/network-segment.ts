/**
 * A site network segment in MAAS: a VLAN on its fabric, in its space, with one subnet and the subnet's
 * reserved, dynamic and floating ranges, and (for DHCP segments) MAAS DHCP, served by the controller's rack
 * or relayed to a segment it serves.
 *
 * A segment the controller is cabled to already exists when the stack first runs: MAAS created its fabric,
 * VLAN and subnet when the rack controller registered and reported its interfaces. Such a segment adopts
 * them (Terraform `import` blocks resolved through the discovered subnet), since MAAS refuses a second
 * subnet with the same CIDR and its rack serves DHCP only on VLANs it has an interface on.
 */
import { Construct } from "constructs";
import { Token } from "cdktf";
import { requireTerraform } from "../common/terraform-data";
import { Fabric } from "../../.gen/providers/maas/fabric";
import { Space } from "../../.gen/providers/maas/space";
import { Vlan } from "../../.gen/providers/maas/vlan";
import { VlanDhcp } from "../../.gen/providers/maas/vlan-dhcp";
import { Subnet } from "../../.gen/providers/maas/subnet";
import { SubnetIpRange } from "../../.gen/providers/maas/subnet-ip-range";
import type { DataMaasRackController } from "../../.gen/providers/maas/data-maas-rack-controller";
import type { DataMaasSubnet } from "../../.gen/providers/maas/data-maas-subnet";
import type { IpRange, Segment } from "../site";

/** Who serves DHCP on a segment: the controller's rack directly, or a DHCP relay to a segment the rack serves. */
export type DhcpSource = { readonly rack: DataMaasRackController } | { readonly relayTo: NetworkSegment };

export interface NetworkSegmentProps {
  readonly segment: Segment;
  /** The fabric (L2 domain) the segment's VLAN lives on; shared by every segment with the same `fabric` name. */
  readonly fabric: Fabric;
  /** The MAAS space the VLAN belongs to; Juju binds applications to spaces. */
  readonly space: Space;
  /**
   * The subnet MAAS discovered on the rack controller's interface for this segment; its VLAN and subnet are
   * adopted instead of created.
   * @default - the controller is not on this segment: VLAN and subnet are created
   */
  readonly discovered?: DataMaasSubnet;
  /**
   * Required when `segment.dhcp` is on.
   * @default - no DHCP on this segment
   */
  readonly dhcp?: DhcpSource;
}

export class NetworkSegment extends Construct {
  readonly segment: Segment;
  readonly fabric: Fabric;
  readonly vlan: Vlan;
  readonly subnet: Subnet;
  /** The VLAN's MAAS ID as a number, and the subnet's ID: read once and shared by every interface on the segment. */
  readonly vlanId: number;
  readonly subnetId: string;
  readonly reservedRanges: readonly SubnetIpRange[];
  readonly dynamicRanges: readonly SubnetIpRange[];
  readonly floatingRange?: SubnetIpRange;
  /** MAAS DHCP on the VLAN; machines that PXE boot here depend on it. Present only on DHCP segments. */
  readonly dhcp?: VlanDhcp;

  constructor(scope: Construct, id: string, props: NetworkSegmentProps) {
    super(scope, id);
    const { segment, fabric, space, discovered } = props;
    this.segment = segment;
    this.fabric = fabric;

    // dhcp_on stays unset here: DHCP belongs to maas_vlan_dhcp, which needs the dynamic ranges first.
    this.vlan = new Vlan(this, "vlan", {
      fabric: fabric.id,
      vid: segment.vlan,
      name: segment.name,
      mtu: segment.mtu,
      space: space.name,
    });

    // Only management hosts use MAAS's proxy and DNS resolver. MAAS opens both on every new subnet: on the
    // external segment that would serve tenants' floating IPs, and nothing on BMC needs them.
    const internal = segment.purpose === "management";
    // The provider reads a subnet back as fabric ID and VLAN VID, so give it those to avoid perpetual diffs.
    this.subnet = new Subnet(this, "subnet", {
      cidr: segment.cidr,
      name: segment.name,
      fabric: fabric.id,
      vlan: Token.asString(this.vlan.vid),
      gatewayIp: segment.gateway,
      dnsServers: segment.dns.length > 0 ? [...segment.dns] : undefined,
      allowProxy: internal,
      allowDns: internal,
    });
    if (discovered) {
      // Import IDs computed at plan time (from the data source) need Terraform 1.6 (hashicorp/terraform#33618).
      requireTerraform(this, "1.6");
      this.vlan.importFrom(`${discovered.fabric}:${Token.asString(discovered.vid)}`);
      this.subnet.importFrom(discovered.id);
    }
    this.vlanId = Token.asNumber(this.vlan.id);
    this.subnetId = this.subnet.id;

    this.reservedRanges = segment.reserved.map((r) => this.range("reserved", r, r.comment ?? "reserved"));
    this.dynamicRanges = segment.dynamic.map((r) => this.range("dynamic", r, r.comment ?? "MAAS DHCP pool"));
    if (segment.floating) {
      // MAAS must never hand these out: Neutron owns them as floating IPs.
      const comment = `floating IPs for Neutron${segment.floating.comment ? `: ${segment.floating.comment}` : ""}`;
      this.floatingRange = this.range("reserved", segment.floating, comment, "floating");
    }

    if (segment.dhcp) {
      if (!props.dhcp) throw new Error(`segment ${segment.name}: DHCP is on but no rack or relay was given to serve it`);
      const source = props.dhcp;
      this.dhcp = new VlanDhcp(this, "dhcp", {
        fabric: Token.asNumber(fabric.id),
        vlan: segment.vlan,
        ...("rack" in source ? { primaryRackController: source.rack.id } : { relayVlan: source.relayTo.vlanId }),
        // MAAS turns DHCP on only once a subnet of the VLAN has a dynamic range.
        dependsOn: [this.vlan, this.subnet, ...this.dynamicRanges, ...("relayTo" in source && source.relayTo.dhcp ? [source.relayTo.dhcp] : [])],
      });
    }
  }

  private range(type: "reserved" | "dynamic", range: IpRange, comment: string, id = `${type}-${range.start}`): SubnetIpRange {
    return new SubnetIpRange(this, id, { subnet: this.subnetId, type, startIp: range.start, endIp: range.end, comment });
  }
}
