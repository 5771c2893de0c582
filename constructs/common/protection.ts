/**
 * Destroy protection for stateful objects (machines, VM hosts, storage pools, Juju machines and
 * stateful applications).
 *
 * Two holes to close: `prevent_destroy` stops a destroy or replace of an object still in the
 * configuration, and `RemovalGuard` stops the silent destroy Terraform plans when an object's host
 * disappears from the site file (prevent_destroy cannot: it lives in the removed block). The guard
 * reads the hosts the last apply protected from the stack's own state and fails the plan when one is
 * missing. Both are lifted deliberately with SITE_ALLOW_DESTROY=<host>[,<host>] or SITE_ALLOW_DESTROY='*'.
 */
import { Construct } from "constructs";
import { LocalBackend, TerraformBackend, TerraformLocal, TerraformOutput, TerraformResource, TerraformStack, TerraformVariable } from "cdktf";
import { isDestroyAllowed, type Site } from "../site";
import { TerraformData } from "./terraform-data";

/** Marks a stateful object prevent_destroy unless the site run allows destroying its host. */
export function protectFromDestroy(resource: TerraformResource, site: Site, hostname: string): void {
  if (isDestroyAllowed(site, hostname)) return;
  resource.addOverride("lifecycle.prevent_destroy", true);
}

export interface RemovalGuardProps {
  readonly site: Site;
  readonly backend: TerraformBackend;
  /** Hosts (or named objects) whose stateful resources this stack owns. */
  readonly protectedHosts: readonly string[];
  /** What protectedHosts are, in the plan's error message. @default "hosts" */
  readonly what?: string;
}

export class RemovalGuard extends Construct {
  static readonly OUTPUT = "protected_hosts";

  constructor(scope: TerraformStack, id: string, props: RemovalGuardProps) {
    super(scope, id);
    const hosts = [...props.protectedHosts].sort();
    new TerraformOutput(this, "hosts", { value: hosts, description: "Hosts with stateful objects; the removal guard compares the next plan against it." })
      .overrideLogicalId(RemovalGuard.OUTPUT);

    const kept = [...hosts, ...props.site.protection.allowDestroy];
    // Locals, so the precondition refers to configuration objects as Terraform requires.
    const previous = new TerraformLocal(this, "previous", `\${${previousHosts(this, props)}}`);
    const allowed = new TerraformLocal(this, "allowed", kept);
    const vanished = `setsubtract(toset(${previous.fqn}), toset(${allowed.fqn}))`;

    // Wrapped: cdktf renders a bare list as an index-keyed map in terraform_data.input.
    const guard = new TerraformData(this, "check", { input: { hosts } });
    if (!props.site.protection.allowDestroyAll) {
      guard.addOverride("lifecycle.precondition", [
        {
          condition: `\${length(${vanished}) == 0}`,
          error_message:
            `These ${props.what ?? "hosts"} were removed from the site but still own stateful objects in this stack: \${join(", ", ${vanished})}. ` +
            "Destroying them loses their data. To decommission them deliberately, run again with " +
            "SITE_ALLOW_DESTROY=<host>[,<host>] (README, Protection).",
        },
      ]);
    }
  }
}

/**
 * The hosts the last apply recorded, from the stack's own state through terraform_remote_state. The data
 * source is read at plan time and the plan keeps its result, so apply never re-reads a state file that
 * Terraform is writing (even when its count changes meanwhile). It fails while no state exists at all,
 * so it is only read once there is one: for the local backend when the state file has content; for
 * remote backends unless TF_VAR_removal_guard=false (the first apply on a fresh backend).
 */
function previousHosts(scope: Construct, props: RemovalGuardProps): string {
  const stack = TerraformStack.of(scope);
  const previous = props.backend.getRemoteStateDataSource(scope, "previous-state", stack.toString());
  if (props.backend instanceof LocalBackend) {
    const file = (props.backend.toTerraform() as { terraform: { backend: { local: { path: string } } } }).terraform.backend.local.path;
    // Not fileexists(): the local backend creates the file, empty, when it takes its lock.
    previous.addOverride("count", `\${try(length(file("${file}")) > 0, false) ? 1 : 0}`);
  } else {
    const enabled = new TerraformVariable(scope, "enabled", {
      type: "bool",
      default: true,
      description: "Compare against the hosts of the last apply; false only for the first apply on a fresh remote backend.",
    });
    enabled.overrideLogicalId("removal_guard");
    previous.addOverride("count", `\${var.removal_guard ? 1 : 0}`);
  }
  previous.addOverride("defaults", { [RemovalGuard.OUTPUT]: [] });
  return `flatten([for state in ${previous.fqn} : state.outputs.${RemovalGuard.OUTPUT}])`;
}
