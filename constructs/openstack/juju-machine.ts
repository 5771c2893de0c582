/**
 * A Juju machine: a MAAS host the model acquires by hostname, or an LXD container inside another
 * Juju machine.
 */
import { Construct } from "constructs";
import { Machine } from "../../.gen/providers/juju/machine";
import { TerraformData } from "../common/terraform-data";

export interface JujuMachineProps {
  readonly modelUuid: string;
  /** Name in Terraform state and in messages: the hostname, or the container's plan key. */
  readonly name: string;
  readonly base: string;
  /** A MAAS host: Juju allocates exactly the node with this hostname (a placement directive without scope). */
  readonly hostname?: string;
  /** A container: the Juju machine it runs in (an LXD container `lxd:<machine id>`). */
  readonly parent?: JujuMachine;
  /**
   * What the machine stands for beyond its configuration: a worker's PXE MAC (new hardware behind the hostname is a
   * node MAAS enlists afresh), a container's host. When it changes the machine is replaced. @default - none
   */
  readonly identity?: Readonly<Record<string, string>>;
  /** Constraints; for a container, the spaces it needs (Juju gives it no other). @default none: placement picks the host */
  readonly constraints?: string;
  /**
   * How long create waits for the machine to run (the provider's default is 30m). Only create reads it, and a
   * later change is an in-place update that makes machine_id unknown for that plan, so it is fixed per kind of
   * machine, never derived from the site. @default 30m
   */
  readonly createTimeout?: string;
}

export class JujuMachine extends Construct {
  readonly machine: Machine;
  /** Juju's machine id (e.g. 3, or 3/lxd/0), for application `machines`. */
  readonly machineId: string;

  constructor(scope: Construct, id: string, props: JujuMachineProps) {
    super(scope, id);
    if (Boolean(props.hostname) === Boolean(props.parent)) {
      throw new Error(`Juju machine ${props.name}: give exactly one of hostname (a MAAS host) or parent (an LXD container)`);
    }
    this.machine = new Machine(this, "machine", {
      modelUuid: props.modelUuid,
      name: props.name,
      base: props.base,
      placement: props.parent ? `lxd:${props.parent.machineId}` : props.hostname,
      constraints: props.constraints,
      timeouts: props.createTimeout ? { create: props.createTimeout } : undefined,
    });
    // Terraform's JSON syntax takes lifecycle references as plain addresses, without ${}.
    const address = (r: { terraformResourceType: string; friendlyUniqueId: string }) => `${r.terraformResourceType}.${r.friendlyUniqueId}`;
    const triggers: string[] = [];
    if (props.identity) triggers.push(address(new TerraformData(this, "hardware", { input: props.identity })));
    if (props.parent) {
      // The host's machine_id goes unknown whenever the host is updated in place, and placement forces replacement:
      // the container would be destroyed for nothing. It is replaced instead when it moves to another host (its
      // identity) or when its host is replaced (a new id).
      this.machine.addOverride("lifecycle.ignore_changes", ["placement"]);
      triggers.push(`${address(props.parent.machine)}.id`);
    }
    if (triggers.length > 0) this.machine.addOverride("lifecycle.replace_triggered_by", triggers);
    this.machineId = this.machine.machineId;
  }
}
