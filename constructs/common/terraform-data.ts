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

export class TerraformData extends TerraformResource {
  /** terraform_data exists since Terraform 1.4. */
  static readonly REQUIRED_TERRAFORM = ">= 1.4";

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
    TerraformStack.of(this).addOverride("terraform.required_version", TerraformData.REQUIRED_TERRAFORM);
  }

  get output(): string {
    return this.getStringAttribute("output");
  }

  protected synthesizeAttributes(): Record<string, unknown> {
    return { input: anyToTerraform(this.props.input), triggers_replace: anyToTerraform(this.props.triggersReplace) };
  }
}
