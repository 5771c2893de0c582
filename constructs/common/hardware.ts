/**
 * Ties a resource to the physical hardware it stands for. A worker whose PXE MAC changes is a new
 * node that MAAS enlists afresh, so both its MAAS machine and its Juju machine must be replaced; the
 * providers would update them in place. The identity is kept in a terraform_data whose change
 * triggers the replacement (prevent_destroy still applies unless SITE_ALLOW_DESTROY names the host).
 */
import type { Construct } from "constructs";
import type { TerraformResource } from "cdktf";
import { TerraformData } from "./terraform-data";

export function replaceWhenHardwareChanges(scope: Construct, resource: TerraformResource, identity: Readonly<Record<string, string>>): TerraformData {
  const hardware = new TerraformData(scope, "hardware", { input: identity });
  // Terraform's JSON syntax takes lifecycle references as plain addresses, without ${}.
  resource.addOverride("lifecycle.replace_triggered_by", [`${hardware.terraformResourceType}.${hardware.friendlyUniqueId}`]);
  return hardware;
}
