/**
 * A Juju machine: a MAAS host the model acquires by hostname, or an LXD container inside another
 * Juju machine.
 */
import { Construct } from "constructs";
import { Machine } from "../../.gen/providers/juju/machine";
import { replaceWhenHardwareChanges } from "../common/hardware";

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
   * The MAAS node's hardware identity (a worker's PXE MAC): when it changes the node was re-enlisted and
   * the Juju machine is replaced. @default - none (VMs and containers)
   */
  readonly hardware?: Readonly<Record<string, string>>;
  /** Extra constraints. @default none: placement picks the host */
  readonly constraints?: string;
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
    });
    if (props.hardware) replaceWhenHardwareChanges(this, this.machine, props.hardware);
    this.machineId = this.machine.machineId;
  }
}
