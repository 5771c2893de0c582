/**
 * A site network segment in MAAS: a VLAN on its fabric, in its space, with one subnet and the subnet's
 * reserved, dynamic and floating ranges, and (for DHCP segments) MAAS DHCP served from the controller.
 */
import { Construct } from "constructs";
import { Token } from "cdktf";
import { TerraformData } from "../common/terraform-data";
import { Fabric } from "../../.gen/providers/maas/fabric";
import { Space } from "../../.gen/providers/maas/space";
import { Vlan } from "../../.gen/providers/maas/vlan";
import { Subnet } from "../../.gen/providers/maas/subnet";
import { SubnetIpRange } from "../../.gen/providers/maas/subnet-ip-range";
import type { DataMaasRackController } from "../../.gen/providers/maas/data-maas-rack-controller";
import type { IpRange, Segment } from "../site";

export interface NetworkSegmentProps {
  readonly segment: Segment;
  /** The fabric (L2 domain) the segment's VLAN lives on; shared by every segment with the same `fabric` name. */
  readonly fabric: Fabric;
  /** The MAAS space the VLAN belongs to; Juju binds applications to spaces. */
  readonly space: Space;
  /**
   * The rack controller that serves DHCP. Required when `segment.dhcp` is on.
   * @default - no DHCP on this segment
   */
  readonly rackController?: DataMaasRackController;
  /** The MAAS URL (…/MAAS), for the DHCP call the v2.4.0 provider cannot make. */
  readonly maasUrl: string;
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
  /** Turns MAAS DHCP on for the VLAN; present only on DHCP segments. */
  readonly dhcp?: TerraformData;

  constructor(scope: Construct, id: string, props: NetworkSegmentProps) {
    super(scope, id);
    const { segment, fabric, space } = props;
    this.segment = segment;
    this.fabric = fabric;

    // dhcp_on stays unset here: MAAS refuses it before the VLAN has a dynamic range and a primary rack (see VlanDhcp).
    this.vlan = new Vlan(this, "vlan", {
      fabric: fabric.id,
      vid: segment.vlan,
      name: segment.name,
      mtu: segment.mtu,
      space: space.name,
    });

    // The provider reads a subnet back as fabric ID and VLAN VID, so give it those to avoid perpetual diffs.
    this.subnet = new Subnet(this, "subnet", {
      cidr: segment.cidr,
      name: segment.name,
      fabric: fabric.id,
      vlan: Token.asString(this.vlan.vid),
      gatewayIp: segment.gateway,
      dnsServers: segment.dns.length > 0 ? [...segment.dns] : undefined,
    });
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
      if (!props.rackController) throw new Error(`segment ${segment.name}: DHCP is on but no rack controller was given to serve it`);
      this.dhcp = new VlanDhcp(this, "dhcp", {
        maasUrl: props.maasUrl,
        fabric,
        vlan: this.vlan,
        dynamicRanges: this.dynamicRanges,
        rackController: props.rackController,
      }).resource;
    }
  }

  private range(type: "reserved" | "dynamic", range: IpRange, comment: string, id = `${type}-${range.start}`): SubnetIpRange {
    return new SubnetIpRange(this, id, { subnet: this.subnetId, type, startIp: range.start, endIp: range.end, comment });
  }
}

export interface VlanDhcpProps {
  readonly maasUrl: string;
  readonly fabric: Fabric;
  readonly vlan: Vlan;
  /** MAAS turns DHCP on only once a subnet of the VLAN has a dynamic range. */
  readonly dynamicRanges: readonly SubnetIpRange[];
  /** The rack controller that becomes the VLAN's primary rack (it needs an interface on the VLAN). */
  readonly rackController: DataMaasRackController;
}

/**
 * MAAS DHCP on a VLAN. MAAS needs `dhcp_on` together with `primary_rack`, after a dynamic range exists;
 * maas_vlan in provider v2.4.0 sends only `dhcp_on` (maas_vlan_dhcp came later), so this calls the MAAS
 * API once, with the key the MAAS provider reads from MAAS_API_KEY. It runs again whenever the VLAN,
 * the rack or the dynamic ranges are replaced.
 */
export class VlanDhcp extends Construct {
  readonly resource: TerraformData;

  constructor(scope: Construct, id: string, props: VlanDhcpProps) {
    super(scope, id);
    this.resource = new TerraformData(this, "enable", {
      triggersReplace: {
        vlan: props.vlan.id,
        rack: props.rackController.id,
        ranges: props.dynamicRanges.map((r) => r.id),
      },
      provisioners: [
        {
          type: "local-exec",
          interpreter: ["/bin/sh", "-c"],
          command: ENABLE_DHCP_SCRIPT,
          environment: {
            MAAS_VLAN_URL: `${props.maasUrl.replace(/\/$/, "")}/api/2.0/fabrics/${props.fabric.id}/vlans/${props.vlan.vid}/`,
            MAAS_PRIMARY_RACK: props.rackController.id,
          },
        },
      ],
    });
  }
}

/** PLAINTEXT OAuth 1.0 as MAAS expects; `$VAR` without braces so Terraform does not interpolate it. */
const ENABLE_DHCP_SCRIPT = [
  "set -eu",
  'key=$(printenv MAAS_API_KEY) || { echo "MAAS DHCP: export MAAS_API_KEY (consumer:token:secret) before apply" >&2; exit 1; }',
  'consumer=$(echo "$key" | cut -d: -f1); token=$(echo "$key" | cut -d: -f2); secret=$(echo "$key" | cut -d: -f3)',
  'curl -fsS -o /dev/null -X PUT "$MAAS_VLAN_URL" ' +
    '-H "Authorization: OAuth oauth_version=\\"1.0\\", oauth_signature_method=\\"PLAINTEXT\\", oauth_consumer_key=\\"$consumer\\", ' +
    'oauth_token=\\"$token\\", oauth_signature=\\"&$secret\\", oauth_nonce=\\"$(od -An -N8 -tx8 /dev/urandom | tr -d \' \')\\", ' +
    'oauth_timestamp=\\"$(date +%s)\\"" ' +
    '-F dhcp_on=True -F primary_rack="$MAAS_PRIMARY_RACK"',
].join("\n");
