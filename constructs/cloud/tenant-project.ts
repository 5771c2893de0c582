/**
 * A tenant project as the site describes it: the Keystone project with its quotas, a private network and
 * subnet behind a router whose gateway is the external network, a remote-access security group that lets
 * the members reach their instances (SSH and ping by default), and the members' role on the project.
 *
 * Everything is created by the cloud's admin on the project's behalf (tenant_id), so the members own and
 * see it. The project, its network and subnet hold the tenant's data (instances, ports, addresses) and
 * are prevent_destroy, lifted per project with SITE_ALLOW_DESTROY=project/<name>.
 */
import { Construct } from "constructs";
import { BlockstorageQuotasetV3 } from "../../.gen/providers/openstack/blockstorage-quotaset-v3";
import { ComputeQuotasetV2 } from "../../.gen/providers/openstack/compute-quotaset-v2";
import { IdentityProjectV3 } from "../../.gen/providers/openstack/identity-project-v3";
import { IdentityRoleAssignmentV3 } from "../../.gen/providers/openstack/identity-role-assignment-v3";
import { NetworkingNetworkV2 } from "../../.gen/providers/openstack/networking-network-v2";
import { NetworkingQuotaV2 } from "../../.gen/providers/openstack/networking-quota-v2";
import { NetworkingRouterInterfaceV2 } from "../../.gen/providers/openstack/networking-router-interface-v2";
import { NetworkingRouterV2 } from "../../.gen/providers/openstack/networking-router-v2";
import { NetworkingSecgroupRuleV2 } from "../../.gen/providers/openstack/networking-secgroup-rule-v2";
import { NetworkingSecgroupV2 } from "../../.gen/providers/openstack/networking-secgroup-v2";
import { NetworkingSubnetV2 } from "../../.gen/providers/openstack/networking-subnet-v2";
import { protectFromDestroy } from "../common/protection";
import type { Site, TenantProject as TenantProjectModel } from "../site";

/** SITE_ALLOW_DESTROY key of a tenant project and the network that holds its instances' ports. */
export const projectKey = (name: string): string => `project/${name}`;

/** The name of the security group that opens the project's instances to its members. */
export const REMOTE_ACCESS_GROUP = "remote-access";

export interface TenantProjectProps {
  readonly site: Site;
  readonly project: TenantProjectModel;
  /** ID of the external network the router's gateway is on. */
  readonly externalNetworkId: string;
  /** The ID of a Keystone role and of a user, by name (looked up once per stack). */
  readonly roleId: (name: string) => string;
  readonly userId: (name: string) => string;
}

export class TenantProject extends Construct {
  readonly project: IdentityProjectV3;
  readonly network: NetworkingNetworkV2;
  readonly subnet: NetworkingSubnetV2;
  readonly router: NetworkingRouterV2;
  readonly securityGroup: NetworkingSecgroupV2;

  constructor(scope: Construct, id: string, props: TenantProjectProps) {
    super(scope, id);
    const { project: p, site } = props;
    const key = projectKey(p.name);

    this.project = new IdentityProjectV3(this, "project", { name: p.name, description: p.description, enabled: true });
    const projectId = this.project.id;
    this.quotas(projectId, p);

    this.network = new NetworkingNetworkV2(this, "network", { name: `${p.name}-net`, tenantId: projectId, adminStateUp: true });
    this.subnet = new NetworkingSubnetV2(this, "subnet", {
      name: `${p.name}-subnet`,
      tenantId: projectId,
      networkId: this.network.id,
      ipVersion: 4,
      cidr: p.network.cidr,
      enableDhcp: true,
      dnsNameservers: p.network.dns.length > 0 ? [...p.network.dns] : undefined,
    });
    this.router = new NetworkingRouterV2(this, "router", {
      name: `${p.name}-router`,
      tenantId: projectId,
      adminStateUp: true,
      externalNetworkId: props.externalNetworkId,
    });
    new NetworkingRouterInterfaceV2(this, "router-interface", { routerId: this.router.id, subnetId: this.subnet.id });
    for (const resource of [this.project, this.network, this.subnet]) protectFromDestroy(resource, site, key);

    this.securityGroup = new NetworkingSecgroupV2(this, "remote-access", {
      name: REMOTE_ACCESS_GROUP,
      description: `Lets the members of ${p.name} reach their instances (from the site file)`,
      tenantId: projectId,
    });
    const groupId = this.securityGroup.id;
    for (const from of p.access.from) {
      const rule = (name: string, protocol: string, ports?: number) =>
        new NetworkingSecgroupRuleV2(this, `${name}-from-${from.replace("/", "_")}`, {
          tenantId: projectId,
          securityGroupId: groupId,
          direction: "ingress",
          ethertype: "IPv4",
          protocol,
          ...(ports !== undefined ? { portRangeMin: ports, portRangeMax: ports } : {}),
          remoteIpPrefix: from,
        });
      for (const port of p.access.tcpPorts) rule(`tcp-${port}`, "tcp", port);
      if (p.access.icmp) rule("icmp", "icmp");
    }

    for (const member of p.members) {
      new IdentityRoleAssignmentV3(this, `member-${member}`, { projectId, userId: props.userId(member), roleId: props.roleId(p.role) });
    }
  }

  /** One quota resource per service the site sets quotas for; the others keep OpenStack's defaults. */
  private quotas(projectId: string, p: TenantProjectModel): void {
    const { compute, volume, network } = p.quotas;
    if (Object.keys(compute).length > 0) {
      new ComputeQuotasetV2(this, "compute-quota", { projectId, instances: compute.instances, cores: compute.cores, ram: compute.ramMiB });
    }
    if (Object.keys(volume).length > 0) {
      new BlockstorageQuotasetV3(this, "volume-quota", { projectId, volumes: volume.volumes, gigabytes: volume.volumeGiB, snapshots: volume.snapshots });
    }
    if (Object.keys(network).length > 0) {
      new NetworkingQuotaV2(this, "network-quota", {
        projectId,
        network: network.networks,
        subnet: network.subnets,
        port: network.ports,
        router: network.routers,
        floatingip: network.floatingIps,
        securityGroup: network.securityGroups,
        securityGroupRule: network.securityGroupRules,
      });
    }
  }
}
