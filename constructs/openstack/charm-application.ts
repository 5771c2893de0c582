/**
 * A Juju application from a Charmhub charm: channel, base, units on given machines (principal) or none
 * (subordinate, placed by its container-scoped relation), config, constraints and endpoint bindings.
 */
import { Construct } from "constructs";
import { Application } from "../../.gen/providers/juju/application";
import type { Binding } from "./deployment";

export interface CharmApplicationProps {
  readonly modelUuid: string;
  readonly name: string;
  readonly charm: string;
  readonly channel: string;
  /** A pinned charm revision. @default - the channel's latest */
  readonly revision?: number;
  readonly base: string;
  /** Juju machine ids, one unit on each; omit for a subordinate. */
  readonly machines?: readonly string[];
  /** Charm options; juju_application.config is a map of strings. @default charm defaults */
  readonly config?: Readonly<Record<string, string>>;
  readonly constraints?: string;
  /** Endpoint bindings; endpoint "" is the application's default space. */
  readonly bindings?: readonly Binding[];
  /** @default false */
  readonly trust?: boolean;
  /** @default false */
  readonly expose?: boolean;
}

export class CharmApplication extends Construct {
  readonly application: Application;
  readonly name: string;

  constructor(scope: Construct, id: string, props: CharmApplicationProps) {
    super(scope, id);
    this.name = props.name;
    this.application = new Application(this, "application", {
      modelUuid: props.modelUuid,
      name: props.name,
      charm: [{ name: props.charm, channel: props.channel, revision: props.revision, base: props.base }],
      // Subordinates take no units attribute (provider >= 0.19); principals pin units to machines.
      machines: props.machines ? [...props.machines] : undefined,
      config: props.config && Object.keys(props.config).length > 0 ? { ...props.config } : undefined,
      constraints: props.constraints,
      endpointBindings: props.bindings?.length ? props.bindings.map((b) => (b.endpoint === "" ? { space: b.space } : { endpoint: b.endpoint, space: b.space })) : undefined,
      trust: props.trust ? true : undefined,
      expose: props.expose ? [{}] : undefined,
    });
  }
}
