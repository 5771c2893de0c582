/**
 * A Juju integration (relation) between two application endpoints, both named explicitly so Juju never
 * has to guess, and so the plan can check them against the charm catalog.
 */
import { Construct } from "constructs";
import { Integration as JujuIntegration } from "../../.gen/providers/juju/integration";
import type { CharmApplication } from "./charm-application";

export interface IntegrationEnd {
  readonly application: CharmApplication;
  readonly endpoint: string;
}

export interface IntegrationProps {
  readonly modelUuid: string;
  readonly a: IntegrationEnd;
  readonly b: IntegrationEnd;
}

export class Integration extends Construct {
  readonly integration: JujuIntegration;

  constructor(scope: Construct, id: string, props: IntegrationProps) {
    super(scope, id);
    this.integration = new JujuIntegration(this, "integration", {
      modelUuid: props.modelUuid,
      application: [props.a, props.b].map((end) => ({ name: end.application.application.name, endpoint: end.endpoint })),
    });
    // Juju drops an application's relations when it destroys it, but the names here stay the same across the
    // replace, so without this the relation would be missing until a later plan noticed.
    this.integration.addOverride(
      "lifecycle.replace_triggered_by",
      [props.a, props.b].map((end) => `${end.application.application.terraformResourceType}.${end.application.application.friendlyUniqueId}.id`),
    );
  }
}
