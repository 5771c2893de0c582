/**
 * The layers a cloud is built in, bottom up, and where an operator looks when one fails. verify files every
 * check under one, and its summary names the lowest failing layer first: what fails above it usually
 * follows from it.
 */
export const LAYERS = {
  substrate: { title: "Substrate (MAAS, LXD)", look: "the machine in MAAS (power, deployment, NICs) and the controller's LXD (lxc list --project maas)" },
  juju: { title: "Juju and charms", look: "juju status and juju debug-log --include <unit>" },
  ceph: { title: "Ceph", look: "juju ssh ceph-mon/leader -- sudo ceph health detail" },
  api: { title: "OpenStack APIs", look: 'openstack endpoint list, openstack compute service list, and the service\'s unit logs (juju debug-log --include nova-cloud-controller)' },
  network: { title: "Tenant networking (Neutron, OVN)", look: "openstack network agent list, the ovn-central and ovn-chassis units, and the external bridge (openstack.ovn.bridge) on the compute workers" },
} as const;

export type Layer = keyof typeof LAYERS;

export const LAYER_ORDER = Object.keys(LAYERS) as Layer[];

/** A check that found something wrong; `hint` is the next thing to do when there is a specific one. */
export class CheckFailed extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CheckFailed";
  }
}

export interface CheckResult {
  readonly layer: Layer;
  readonly check: string;
  readonly outcome: "pass" | "fail" | "skip";
  readonly detail: string;
  readonly hint?: string;
}
