/**
 * Wires the selected site into its stacks: substrate (MAAS + LXD), juju-controller (declarative
 * bootstrap, when the site asks for it), openstack (Juju) and cloud (inside OpenStack), then says what was made.
 */
import { Annotations, App, type TerraformStack } from "cdktf";
import { loadSite, SiteError, unignoredStateWarning } from "./constructs/site";
import { SubstrateStack } from "./constructs/substrate/substrate-stack";
import { JujuControllerStack } from "./constructs/openstack/controller-stack";
import { OpenStackStack } from "./constructs/openstack/openstack-stack";
import { CloudStack } from "./constructs/cloud/cloud-stack";
import { runByCdktfCli, synthSummary } from "./tools/app/summary";

function main(): void {
  // Every check of the user's input runs here, before App creates the output folder.
  const site = loadSite();
  const app = new App();
  const substrate = new SubstrateStack(app, "substrate", { site });
  const controller = site.openstack.controller.bootstrap ? new JujuControllerStack(app, "juju-controller", { site }) : undefined;
  controller?.addDependency(substrate);
  const openstack = new OpenStackStack(app, "openstack", { site });
  openstack.addDependency(controller ?? substrate);
  const cloud = new CloudStack(app, "cloud", { site });
  cloud.addDependency(openstack);
  const stacks: TerraformStack[] = [substrate, ...(controller ? [controller] : []), openstack, cloud];

  const stateWarning = unignoredStateWarning(site, app.outdir, stacks.map((s) => s.node.id));
  if (stateWarning) Annotations.of(substrate).addWarning(stateWarning);
  app.synth();
  if (!runByCdktfCli(app)) process.stderr.write(synthSummary(app, stacks, site));
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
