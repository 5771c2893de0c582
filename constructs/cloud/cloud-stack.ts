/**
 * The cloud stack: what the site wants inside OpenStack once the openstack stack has deployed it: the
 * external network, public flavors and images, and the tenant projects. Like the other stacks it takes
 * everything from the site model, so it plans on its own.
 *
 * The OpenStack provider authenticates from the environment alone: OS_CLOUD with a clouds.yaml, or the
 * OS_AUTH_URL/OS_USERNAME/OS_PASSWORD/... variables of an openrc, and OS_CACERT, the path of the root CA
 * Vault issued the API certificates from. The provider block is empty, so no credential reaches the
 * synthesized JSON (docs/cloud.md).
 */
import { TerraformOutput, TerraformStack } from "cdktf";
import type { Construct } from "constructs";
import { DataOpenstackIdentityRoleV3 } from "../../.gen/providers/openstack/data-openstack-identity-role-v3";
import { DataOpenstackIdentityUserV3 } from "../../.gen/providers/openstack/data-openstack-identity-user-v3";
import { OpenstackProvider } from "../../.gen/providers/openstack/provider";
import { configureBackend } from "../common/backend";
import { RemovalGuard } from "../common/protection";
import type { Site } from "../site";
import { ExternalNetwork } from "./external-network";
import { Flavors } from "./flavors";
import { CloudImage } from "./image";
import { projectKey, TenantProject } from "./tenant-project";

export interface CloudStackProps {
  readonly site: Site;
}

export class CloudStack extends TerraformStack {
  readonly external: ExternalNetwork;
  readonly flavors: Flavors;
  readonly images: ReadonlyMap<string, CloudImage>;
  readonly projects: ReadonlyMap<string, TenantProject>;

  constructor(scope: Construct, id: string, props: CloudStackProps) {
    super(scope, id);
    const { site } = props;
    const cloud = site.cloud;

    const backend = configureBackend(this, site, "cloud");
    new OpenstackProvider(this, "openstack", {});

    this.external = new ExternalNetwork(this, "external", { site, external: cloud.external });
    this.flavors = new Flavors(this, "flavors", { flavors: cloud.flavors });
    this.images = new Map(cloud.images.map((image) => [image.name, new CloudImage(this, `image-${image.name}`, { image, cache: cloud.imageCache })]));

    // Roles and users exist in Keystone already (the charm's roles, the site's users); each is looked up once.
    const lookup = <T extends { id: string }>(make: (name: string) => T) => {
      const found = new Map<string, string>();
      return (name: string) => found.get(name) ?? found.set(name, make(name).id).get(name)!;
    };
    const roleId = lookup((name) => new DataOpenstackIdentityRoleV3(this, `role-${name}`, { name }));
    const userId = lookup((name) => new DataOpenstackIdentityUserV3(this, `user-${name}`, { name }));
    this.projects = new Map(
      cloud.projects.map((project) => [
        project.name,
        new TenantProject(this, `project-${project.name}`, { site, project, externalNetworkId: this.external.networkId, roleId, userId }),
      ]),
    );

    new RemovalGuard(this, "removal-guard", {
      site,
      backend,
      protectedHosts: cloud.projects.map((p) => projectKey(p.name)),
      what: "tenant projects",
    });

    new TerraformOutput(this, "external_network_id", { value: this.external.networkId, description: "ID of the external network (routers' gateway, floating IPs)." });
  }
}
