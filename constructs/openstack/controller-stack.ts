/**
 * Bootstraps the Juju controller onto its VM, declaratively: the Juju provider in controller mode runs
 * the local `juju bootstrap` against the MAAS cloud, asking MAAS for the node tagged `juju-controller`
 * (the substrate tags that VM). The MAAS API key comes from the sensitive variable `maas_api_key`
 * (TF_VAR_maas_api_key) and never reaches the synthesized JSON.
 */
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import type { Construct } from "constructs";
import { Controller } from "../../.gen/providers/juju/controller";
import { JujuProvider } from "../../.gen/providers/juju/provider";
import { configureBackend } from "../common/backend";
import { protectFromDestroy } from "../common/protection";
import { vmsWithRole, type Site } from "../site";

/** MAAS tag on the juju-controller VM; bootstrap constraints select the node by it. */
export const JUJU_CONTROLLER_TAG = "juju-controller";

export interface JujuControllerStackProps {
  readonly site: Site;
}

export class JujuControllerStack extends TerraformStack {
  readonly controller: Controller;

  constructor(scope: Construct, id: string, props: JujuControllerStackProps) {
    super(scope, id);
    const { site } = props;
    const os = site.openstack;
    const [vm] = vmsWithRole(site, "juju-controller");
    if (!vm) throw new Error(`${site.source}: controller.vms: no VM has role juju-controller; the Juju controller needs one to bootstrap onto`);

    configureBackend(this, site, "juju-controller");
    // Controller mode: this provider may only manage juju_controller, and needs no controller to reach.
    new JujuProvider(this, "juju", { controllerMode: true });

    const apiKey = new TerraformVariable(this, "maas_api_key", {
      type: "string",
      sensitive: true,
      nullable: false,
      description: "MAAS API key (consumer:token:secret) of the user Juju acts as; set TF_VAR_maas_api_key.",
    });
    apiKey.overrideLogicalId("maas_api_key");

    this.controller = new Controller(this, "controller", {
      name: os.controller.name,
      jujuBinary: os.controller.jujuBinary,
      bootstrapBase: os.base,
      bootstrapConstraints: { tags: JUJU_CONTROLLER_TAG },
      // The cloud and credential names are the ones the OpenStack model refers to.
      cloud: { name: os.model.cloud, type: "maas", endpoint: site.maas.url, authTypes: ["oauth1"] },
      cloudCredential: { name: os.model.credential, authType: "oauth1", attributes: { "maas-oauth": apiKey.stringValue } },
    });
    protectFromDestroy(this.controller, site, vm.hostname);

    new TerraformOutput(this, "api_addresses", {
      value: this.controller.apiAddresses,
      description: "TF_VAR_juju_controller_addresses for the openstack stack (join with commas).",
    });
    new TerraformOutput(this, "ca_cert", { value: this.controller.caCert, description: "TF_VAR_juju_ca_certificate for the openstack stack." });
    new TerraformOutput(this, "username", { value: this.controller.username, description: "TF_VAR_juju_username for the openstack stack." });
    new TerraformOutput(this, "password", { value: this.controller.password, sensitive: true, description: "TF_VAR_juju_password for the openstack stack." });
  }
}
