/**
 * Terraform's built-in `terraform_data` resource. cdktf's own DataResource validates the Terraform
 * version by running `terraform version` once per instance at synth, which cost ~200 ms each and most
 * of the default site's synth time; this class states the requirement in `required_version` instead.
 */
import type { Construct } from "constructs";
import { TerraformResource, TerraformStack, anyToTerraform, type TerraformResourceLifecycle, type ITerraformDependable, type FileProvisioner, type LocalExecProvisioner, type RemoteExecProvisioner } from "cdktf";

export interface TerraformDataProps {
  /** Stored in state and echoed as `output`. @default - none */
  readonly input?: unknown;
  /** Replaces the resource (re-running its provisioners) when it changes. @default - none */
  readonly triggersReplace?: unknown;
  readonly lifecycle?: TerraformResourceLifecycle;
  readonly dependsOn?: ITerraformDependable[];
  readonly provisioners?: (FileProvisioner | LocalExecProvisioner | RemoteExecProvisioner)[];
}

const required = new WeakMap<TerraformStack, number[]>();

/**
 * Raises the stack's `required_version` to at least `version` (major.minor): each construct states what it
 * needs, and the stack asks for the newest of them.
 */
export function requireTerraform(scope: Construct, version: `${number}.${number}`): void {
  const stack = TerraformStack.of(scope);
  const wanted = version.split(".").map(Number);
  const current = required.get(stack);
  if (current && (current[0]! > wanted[0]! || (current[0] === wanted[0] && current[1]! >= wanted[1]!))) return;
  required.set(stack, wanted);
  stack.addOverride("terraform.required_version", `>= ${version}`);
}

export class TerraformData extends TerraformResource {
  private readonly props: TerraformDataProps;

  constructor(scope: Construct, id: string, props: TerraformDataProps = {}) {
    super(scope, id, {
      terraformResourceType: "terraform_data",
      terraformGeneratorMetadata: { providerName: "terraform" },
      lifecycle: props.lifecycle,
      dependsOn: props.dependsOn,
      provisioners: props.provisioners,
    });
    this.props = props;
    requireTerraform(this, "1.4");
  }

  get output(): string {
    return this.getStringAttribute("output");
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: anyToTerraform(this.props.input), triggers_replace: anyToTerraform(this.props.triggersReplace) };
  }
}
