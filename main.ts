/**
 * Wires the selected site into its stacks: substrate (MAAS + LXD), juju-controller (declarative
 * bootstrap, when the site asks for it), openstack (Juju) and cloud (inside OpenStack). Nothing else lives here.
 */
import { App } from "cdktf";
import { loadSite, SiteError } from "./constructs/site";
import { SubstrateStack } from "./constructs/substrate/substrate-stack";
import { JujuControllerStack } from "./constructs/openstack/controller-stack";
import { OpenStackStack } from "./constructs/openstack/openstack-stack";
import { CloudStack } from "./constructs/cloud/cloud-stack";

function main(): void {
  const site = loadSite();
  const app = new App();
  const substrate = new SubstrateStack(app, "substrate", { site });
  const controller = site.openstack.controller.bootstrap ? new JujuControllerStack(app, "juju-controller", { site }) : undefined;
  controller?.addDependency(substrate);
  const openstack = new OpenStackStack(app, "openstack", { site });
  openstack.addDependency(controller ?? substrate);
  const cloud = new CloudStack(app, "cloud", { site });
  cloud.addDependency(openstack);
  app.synth();
}

try {
  main();
} catch (err) {
  if (err instanceof SiteError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
