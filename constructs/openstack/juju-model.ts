/**
 * The Juju model the cloud lives in, on the MAAS cloud the controller was bootstrapped with.
 */
import { Construct } from "constructs";
import { Model } from "../../.gen/providers/juju/model";

export interface JujuModelProps {
  readonly name: string;
  /** Juju cloud name of the MAAS (as registered at bootstrap). */
  readonly cloud: string;
  /** Juju credential name for that cloud. */
  readonly credential: string;
  /** Model config, stringified; `default-space` decides where unbound endpoints go. */
  readonly config: Readonly<Record<string, string>>;
}

export class JujuModel extends Construct {
  readonly model: Model;
  /** What every machine, application and integration of the model refers to. */
  readonly uuid: string;

  constructor(scope: Construct, id: string, props: JujuModelProps) {
    super(scope, id);
    this.model = new Model(this, "model", {
      name: props.name,
      cloud: [{ name: props.cloud }],
      credential: props.credential,
      config: { ...props.config },
    });
    this.uuid = this.model.uuid;
  }
}
