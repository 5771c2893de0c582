/**
 * What the operator must do before a change can go through, in their words, for changes the real system
 * refuses or that Terraform blocks on its own (tools/simulator/src/twin states the behaviour).
 */
import type { ChangeItem } from "./summarize";

const MACHINES = new Set(["maas_machine", "maas_vm_host_machine", "juju_machine"]);
const MACHINE_NICS = new Set(["maas_network_interface_physical", "maas_network_interface_link"]);

const sh = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

export interface Hint {
  /** What to do and why, in prose. */
  readonly say: string;
  /** The command to run, if one does it. */
  readonly run?: string;
}

/** The operator's next step for a change, or undefined when nothing is needed beyond applying it. */
export function operatorHint(item: ChangeItem): Hint | undefined {
  const { rc } = item;
  if (rc.action_reason === "replace_because_tainted" && MACHINES.has(rc.type)) {
    const juju = rc.type === "juju_machine";
    return {
      say:
        `an earlier create of this machine failed (${juju ? "Juju never got it running" : "for example it timed out while commissioning"}), ` +
        "so Terraform marked it tainted, and prevent_destroy blocks the replacement. " +
        (juju
          ? "Retry it (juju retry-provisioning <machine>) until Juju shows it started, or replace it deliberately with SITE_ALLOW_DESTROY (docs/openstack.md). "
          : "If it is broken, fix or delete it in MAAS, or replace it deliberately with SITE_ALLOW_DESTROY (README, Protection). ") +
        `Once ${juju ? "Juju" : "MAAS"} shows it ready, keep it, in cdktf.out/stacks/${item.stack}`,
      run: `terraform untaint ${sh(rc.address)}`,
    };
  }
  if (MACHINE_NICS.has(rc.type) && (item.kind === "update" || item.kind === "replace" || item.kind === "delete" || item.kind === "create")) {
    const machine = rc.address.match(/worker-([a-z0-9-]+?)_/)?.[1];
    return {
      say:
        "MAAS changes a machine's interfaces and links only while it is not deployed, and every worker of a running cloud is: " +
        `release ${machine ?? "the machine"} in MAAS first (its Juju units go with it), apply, then let Juju deploy it again`,
    };
  }
  return undefined;
}
