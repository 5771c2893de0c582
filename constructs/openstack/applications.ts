/**
 * The applications of the OpenStack deployment and the charm each runs, as plain data with no site model: the site
 * checks (constructs/site/openstack-rules.ts) validate `openstack.config` and `openstack.channels` against it before
 * anything is built, and `planDeployment` creates exactly these applications.
 */

/** Database consumers and their mysql-router application names, as in the reference bundle. */
export const DB_CONSUMERS: readonly (readonly [string, string])[] = [
  ["keystone", "keystone-mysql-router"],
  ["glance", "glance-mysql-router"],
  ["nova-cloud-controller", "nova-mysql-router"],
  ["placement", "placement-mysql-router"],
  ["neutron-api", "neutron-mysql-router"],
  ["cinder", "cinder-mysql-router"],
  ["openstack-dashboard", "dashboard-mysql-router"],
  ["vault", "vault-mysql-router"],
];

/** Applications named after their charm; besides them: one mysql-router per database consumer and the ceph-osd groups. */
const NAMED_AFTER_CHARM = [
  "nova-compute",
  "ovn-chassis",
  "ceph-mon",
  "ovn-central",
  "mysql-innodb-cluster",
  "keystone",
  "glance",
  "nova-cloud-controller",
  "placement",
  "neutron-api",
  "neutron-api-plugin-ovn",
  "cinder",
  "cinder-ceph",
  "openstack-dashboard",
  "ceph-radosgw",
  "rabbitmq-server",
  "vault",
] as const;

export interface OsdGroup<W> {
  readonly app: string;
  readonly devices: readonly string[];
  readonly workers: W[];
}

/**
 * One ceph-osd application per distinct device list of the storage workers (osd-devices is application-wide). The
 * group of the first storage worker keeps the plain name `ceph-osd`; others are named after their devices.
 */
export function osdGroups<W extends { readonly osdDevices: readonly string[] }>(storage: readonly W[]): OsdGroup<W>[] {
  const groups = new Map<string, OsdGroup<W>>();
  for (const worker of storage) {
    const key = worker.osdDevices.join(" ");
    let group = groups.get(key);
    if (!group) {
      const app = groups.size === 0 ? "ceph-osd" : `ceph-osd-${worker.osdDevices.map((d) => d.split("/").pop()!.toLowerCase().replace(/[^a-z0-9]+/g, "")).join("-")}`;
      group = { app, devices: worker.osdDevices, workers: [] };
      groups.set(key, group);
    }
    group.workers.push(worker);
  }
  return [...groups.values()];
}

/** Application name → charm of the deployment whose storage workers are `storage`. */
export function applicationCharms(storage: readonly { readonly osdDevices: readonly string[] }[]): ReadonlyMap<string, string> {
  const charms = new Map<string, string>(NAMED_AFTER_CHARM.map((name) => [name, name]));
  for (const group of osdGroups(storage)) charms.set(group.app, "ceph-osd");
  for (const [, router] of DB_CONSUMERS) charms.set(router, "mysql-router");
  return charms;
}
