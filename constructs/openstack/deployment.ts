/**
 * The OpenStack deployment as plain data: which Juju machines exist, which applications run where with
 * which charm, channel, config and bindings, and which endpoints are related. `planDeployment` decides
 * all of it from the site model and the charm catalog, with no constructs involved, so the stack, the
 * diagrams and the tests read one answer.
 *
 * Layout (the openstack-base reference bundle, adapted to the site):
 * - every worker is a Juju machine placed by its MAAS hostname; compute workers run nova-compute (with the
 *   ovn-chassis subordinate; only the OVN gateways among them get the provider bridge), storage workers run ceph-osd;
 * - every control-plane VM is a Juju machine; each API/infrastructure unit gets its own LXD container in
 *   one of them (quorum services one unit per VM in turn, single-unit services spread round-robin);
 * - subordinates (mysql-router per database consumer, neutron-api-plugin-ovn, cinder-ceph, ovn-chassis)
 *   follow their principal through a container-scoped relation.
 */
import { distinct, nicFor, segmentsFor, workersWithRole, vmsWithRole, type Site } from "../site";
import { applicationCharms, DB_CONSUMERS, osdGroups } from "./applications";
import { CATALOG, charm, endpointNames, endpointOf, optionProblem, type Charm } from "./catalog";

export type MachineKind = "worker" | "control-plane" | "container";

export interface MachinePlan {
  /** Stable key, also the construct id: the host's hostname, or `<app>-on-<vm>[-<n>]` for a container. */
  readonly name: string;
  readonly kind: MachineKind;
  /** The physical host the machine runs on (a worker, or the controller for VMs and their containers). */
  readonly physicalHost: string;
  /** MAAS hostname, for workers and control-plane VMs (Juju places the machine by it). */
  readonly hostname?: string;
  /** Containers: the machine (a control-plane VM's key) holding the LXD container. */
  readonly parent?: string;
  readonly base: string;
  /** MAAS zone of a worker (informational; placement is by hostname). */
  readonly zone?: string;
  /** A worker's PXE MAC: new hardware behind the hostname means a new Juju machine. */
  readonly pxeMac?: string;
  /**
   * Containers: `spaces=<a>,<b>`, the spaces its application and that application's subordinates bind to, sorted.
   * Juju gives a container only the spaces of its own constraints (a unit placed on it later adds none), and on a
   * host in several spaces one without them never starts (twin rule juju.machine.container-spaces).
   */
  readonly constraints?: string;
}

export interface Binding {
  /** Endpoint name; "" is the application's default space. */
  readonly endpoint: string;
  readonly space: string;
}

export interface ApplicationPlan {
  readonly name: string;
  readonly charm: string;
  readonly channel: string;
  readonly base: string;
  readonly subordinate: boolean;
  /** Machine keys the units go to, one unit each; empty for subordinates. */
  readonly machines: readonly string[];
  /** Unit count: machines.length, 0 for subordinates. */
  readonly units: number;
  /** Charm options, stringified (juju_application.config is map(string)). */
  readonly config: Readonly<Record<string, string>>;
  readonly constraints?: string;
  /**
   * The endpoint_bindings to configure: only what differs from the model's default-space (and, for endpoints, from
   * the application's default). Juju reads the rest back as nothing, so listing it would differ on every plan.
   */
  readonly bindings: readonly Binding[];
  /** Every space the application's endpoints end up in, its default included: what its units' machines need. */
  readonly spaces: readonly string[];
  /** A pinned charm revision (catalog/channels.json `revisions`). @default - the channel's latest */
  readonly revision?: number;
  readonly trust: boolean;
  readonly expose: boolean;
  /** Holds data that a destroy loses (OSDs, monitors, databases, vault, queues). */
  readonly stateful: boolean;
}

export interface RelationEnd {
  readonly app: string;
  readonly endpoint: string;
}

export interface RelationPlan {
  readonly a: RelationEnd;
  readonly b: RelationEnd;
  /** The interface both endpoints speak (checked against the catalog). */
  readonly interface: string;
}

export interface Deployment {
  readonly model: {
    readonly name: string;
    readonly cloud: string;
    readonly credential: string;
    readonly config: Readonly<Record<string, string>>;
  };
  readonly release: string;
  readonly base: string;
  readonly origin: string;
  readonly spaces: { readonly management: string; readonly external: string };
  readonly machines: readonly MachinePlan[];
  readonly applications: readonly ApplicationPlan[];
  readonly relations: readonly RelationPlan[];
  /** Honest caveats of this layout (quorum on one host, fewer than 3 members...), printed at synth. */
  readonly warnings: readonly string[];
}

/** Reference-bundle relations we leave out, and why (docs/openstack.md repeats this). */
export const DROPPED_REFERENCE_RELATIONS: Readonly<Record<string, string>> = {
  "ntp:juju-info nova-compute:juju-info":
    "the ntp charm's newest source declares series up to focal only, so Juju refuses it on ubuntu@22.04; MAAS already configures chrony on every machine it deploys to use the MAAS region/rack controllers as time source",
};

/** Services whose units form a quorum: fewer than 3 members cannot lose one. */
export const QUORUM_APPLICATIONS = ["ceph-mon", "mysql-innodb-cluster", "ovn-central"] as const;

export const STATEFUL_CHARMS = ["ceph-osd", "ceph-mon", "mysql-innodb-cluster", "vault", "rabbitmq-server"] as const;

/** Units per quorum service; Ceph, MySQL InnoDB Cluster and OVN RAFT all tolerate one loss with 3. */
const QUORUM_UNITS = 3;

/** Single-unit control-plane services in the order they are spread over the control-plane VMs. */
const SINGLE_UNIT_SERVICES = [
  "keystone",
  "nova-cloud-controller",
  "glance",
  "vault",
  "neutron-api",
  "placement",
  "cinder",
  "openstack-dashboard",
  "rabbitmq-server",
  "ceph-radosgw",
] as const;

/** OpenStack API charms: admin/internal endpoints on the management space, public on the external one. */
const API_CHARMS_WITH_PUBLIC_BINDING = new Set([
  "keystone",
  "glance",
  "nova-cloud-controller",
  "placement",
  "neutron-api",
  "cinder",
  "openstack-dashboard",
  "ceph-radosgw",
]);

/**
 * The deployment of a validated site. The site checks (constructs/site/openstack-rules.ts) have already accepted its
 * release, base, channels and charm options, so an Error from here is a bug in this module or in the catalog.
 */
export function planDeployment(site: Site): Deployment {
  const warnings: string[] = [];
  const os = site.openstack;

  const spaces = { management: spaceOf(site, "management"), external: spaceOf(site, "external") };
  const base = os.base;
  const origin = CATALOG.origin;

  // Machines: workers and control-plane VMs, each placed by hostname.
  const machines: MachinePlan[] = [];
  for (const worker of site.workers) {
    machines.push({ name: worker.hostname, kind: "worker", physicalHost: worker.hostname, hostname: worker.hostname, base, zone: worker.zone, pxeMac: worker.pxeNic.mac });
  }
  const controlPlane = vmsWithRole(site, "control-plane");
  for (const vm of controlPlane) {
    machines.push({ name: vm.hostname, kind: "control-plane", physicalHost: site.controller.hostname, hostname: vm.hostname, base });
  }

  const containers = new Map<string, number>();
  const container = (app: string, vm: string): string => {
    const nth = (containers.get(`${app}/${vm}`) ?? 0) + 1;
    containers.set(`${app}/${vm}`, nth);
    const name = nth === 1 ? `${app}-on-${vm}` : `${app}-on-${vm}-${nth}`;
    machines.push({ name, kind: "container", physicalHost: site.controller.hostname, parent: vm, base });
    return name;
  };
  const quorumPlacement = (app: string) =>
    Array.from({ length: QUORUM_UNITS }, (_, i) => container(app, controlPlane[i % controlPlane.length].hostname));
  const singlePlacement = new Map<string, string[]>(
    SINGLE_UNIT_SERVICES.map((app, i) => [app, [container(app, controlPlane[i % controlPlane.length].hostname)]]),
  );

  // Ceph sizing follows the storage workers.
  const storage = workersWithRole(site, "storage");
  const compute = workersWithRole(site, "compute");
  const replicas = os.ceph.replicas ?? Math.min(3, storage.length);
  if (os.ceph.replicas === undefined) {
    // The charms set a pool's size only when they create it (twin rule juju.ceph.pool-size-at-creation), so a count
    // that follows the storage workers would silently stop matching the pools when a storage worker is added.
    warnings.push(
      `openstack.ceph.replicas is not set, so Ceph pools get ${replicas} replicas from the ${storage.length} storage worker${storage.length === 1 ? "" : "s"}; set it in the site file before the first deploy: once the pools exist, changing it does not resize them (after a change run juju run ceph-mon/leader pool-set name=<pool> key=size value="'<n>'" for each pool that juju run ceph-mon/leader list-pools shows)`,
    );
  }
  const osdCount = storage.reduce((sum, w) => sum + w.osdDevices.length, 0);
  const replication = String(replicas);

  const publicSpace = controlPlane.every((vm) => vm.nics.some((n) => purposeOfSegment(site, n.segment) === "external")) ? spaces.external : spaces.management;
  if (publicSpace !== spaces.external) {
    warnings.push(
      `not every control-plane VM has a NIC on an external segment, so the OpenStack public endpoints bind to the ${spaces.management} space; give each control-plane VM an external NIC to publish them on ${spaces.external}`,
    );
  }
  const apiBindings: Binding[] = [
    { endpoint: "", space: spaces.management },
    { endpoint: "admin", space: spaces.management },
    { endpoint: "internal", space: spaces.management },
    { endpoint: "public", space: publicSpace },
  ];

  const apps: AppDraft[] = [];
  const charms = applicationCharms(storage);
  const add = (name: string, machines: string[], config: Record<string, ConfigValue>) => {
    const charmName = charms.get(name);
    if (!charmName) throw new Error(`application ${name} is missing from constructs/openstack/applications.ts, which the site checks read`);
    apps.push({ name, charm: charmName, machines, config });
  };
  const principal = (name: string, placed: string[], config: Record<string, ConfigValue> = {}) => add(name, placed, config);
  const subordinate = (name: string, config: Record<string, ConfigValue> = {}) => add(name, [], config);

  // Workers.
  principal("nova-compute", compute.map((w) => w.hostname), {
    "openstack-origin": origin,
    "config-flags": "default_ephemeral_format=ext4",
    "enable-live-migration": true,
    "enable-resize": true,
    "migration-auth-type": "ssh",
    "ceph-osd-replication-count": replication,
  });
  subordinate("ovn-chassis", {
    "ovn-source": origin,
    "ovn-bridge-mappings": `${os.ovn.physnet}:${os.ovn.bridge}`,
    "bridge-interface-mappings": bridgeInterfaceMappings(site, os.ovn.bridge),
    // Caracal's Neutron schedules a router's gateway port only on a chassis that both maps the physnet and advertises
    // enable-chassis-as-gw (neutron 24.0.0 OVNClient.get_candidates_for_scheduling), and the charm advertises it only
    // with this option (layer-ovn _get_ovn_cms_options). Without it no chassis is a gateway; with it on every unit,
    // the physnet mapping alone, which only the gateways have, decides.
    "prefer-chassis-as-gw": true,
  });
  const osds = osdGroups(storage);
  for (const group of osds) {
    principal(group.app, group.workers.map((w) => w.hostname), {
      source: origin,
      "osd-devices": group.devices.join(" "),
    });
  }
  if (osds.length > 1) {
    warnings.push(
      `storage workers list different osdDevices, so Ceph OSDs are split into ${osds.map((g) => `${g.app} (${g.workers.map((w) => w.hostname).join(", ")})`).join(", ")}; one ceph-osd application per distinct device list`,
    );
  }

  // Control plane, in containers.
  const single = (app: string) => singlePlacement.get(app)!;
  principal("ceph-mon", quorumPlacement("ceph-mon"), {
    source: origin,
    "expected-osd-count": osdCount,
    "monitor-count": QUORUM_UNITS,
  });
  principal("ovn-central", quorumPlacement("ovn-central"), { source: origin });
  principal("mysql-innodb-cluster", quorumPlacement("mysql-innodb-cluster"), {});
  principal("keystone", single("keystone"), { "openstack-origin": origin });
  principal("glance", single("glance"), { "openstack-origin": origin, "ceph-osd-replication-count": replication });
  principal("nova-cloud-controller", single("nova-cloud-controller"), { "openstack-origin": origin, "network-manager": "Neutron" });
  principal("placement", single("placement"), { "openstack-origin": origin });
  principal("neutron-api", single("neutron-api"), {
    "openstack-origin": origin,
    "neutron-security-groups": true,
    "flat-network-providers": os.ovn.physnet,
    // A tagged external segment makes the cloud stack's external network a VLAN one; ML2 accepts it only on a
    // physnet its vlan ranges name. The physnet alone allows provider networks without handing VLANs to tenants.
    ...(site.cloud.external.networkType === "vlan" ? { "vlan-ranges": os.ovn.physnet } : {}),
  });
  subordinate("neutron-api-plugin-ovn");
  principal("cinder", single("cinder"), { "openstack-origin": origin, "block-device": "None", "glance-api-version": 2 });
  subordinate("cinder-ceph", { "ceph-osd-replication-count": replication });
  principal("openstack-dashboard", single("openstack-dashboard"), { "openstack-origin": origin });
  principal("ceph-radosgw", single("ceph-radosgw"), { source: origin, "ceph-osd-replication-count": replication });
  principal("rabbitmq-server", single("rabbitmq-server"), {});
  principal("vault", single("vault"), {});
  for (const [, router] of DB_CONSUMERS) subordinate(router);

  // Operator overrides last (the site checks matched each application and option to the catalog).
  const byName = new Map(apps.map((a) => [a.name, a]));
  for (const [appName, overrides] of Object.entries(os.config)) Object.assign(byName.get(appName)!.config, overrides);

  const modelConfig: Record<string, string> = { "default-space": spaces.management };
  for (const [key, value] of Object.entries(os.model.config)) modelConfig[key] = String(value);

  const applications = apps.map((draft) => finish(draft, os.channels, base, apiBindings, spaces.management, modelConfig["default-space"]!));
  const relations = planRelations(osds.map((g) => g.app)).map(([a, b]) => checkedRelation(a, b, applications));
  const placed = withContainerSpaces(machines, applications, relations);

  warnings.push(...quorumWarnings({ machines: placed, applications }));

  return {
    model: { name: os.model.name, cloud: os.model.cloud, credential: os.model.credential, config: modelConfig },
    release: os.release,
    base,
    origin,
    spaces,
    machines: placed,
    applications,
    relations,
    warnings,
  };
}

/**
 * Containers with their space constraints: the spaces of the application placed on each and of the subordinates
 * its container-scoped relations bring along, sorted so the constraint (which forces replacement) never reorders.
 */
function withContainerSpaces(machines: readonly MachinePlan[], applications: readonly ApplicationPlan[], relations: readonly RelationPlan[]): MachinePlan[] {
  const byName = new Map(applications.map((a) => [a.name, a]));
  const subordinatesOf = (principal: string): ApplicationPlan[] =>
    relations.flatMap((r) => {
      for (const [p, s] of [[r.a, r.b], [r.b, r.a]] as const) {
        const sub = byName.get(s.app)!;
        if (p.app === principal && sub.subordinate && charm(sub.charm).containerScoped.includes(s.endpoint)) return [sub];
      }
      return [];
    });
  return machines.map((m) => {
    if (m.kind !== "container") return m;
    const principal = applications.find((a) => a.machines.includes(m.name));
    if (!principal) throw new Error(`container ${m.name} hosts no application`);
    const spaces = distinct([principal, ...subordinatesOf(principal.name)].flatMap((a) => a.spaces)).sort();
    return { ...m, constraints: `spaces=${spaces.join(",")}` };
  });
}

/**
 * The bindings Juju reads back (terraform-provider-juju ReadApplication): the default only when it is not the
 * model's default-space, endpoints only when not on the application's default.
 */
export function effectiveBindings(bindings: readonly Binding[], modelDefault: string): Binding[] {
  const appDefault = bindings.find((b) => b.endpoint === "")?.space ?? modelDefault;
  return bindings.filter((b) => (b.endpoint === "" ? b.space !== modelDefault : b.space !== appDefault));
}

type ConfigValue = string | number | boolean;

interface AppDraft {
  readonly name: string;
  readonly charm: string;
  readonly machines: string[];
  readonly config: Record<string, ConfigValue>;
}

function finish(draft: AppDraft, channels: Readonly<Record<string, string>>, base: string, apiBindings: readonly Binding[], management: string, modelDefault: string): ApplicationPlan {
  const c = charm(draft.charm);
  const config: Record<string, string> = {};
  for (const [key, value] of Object.entries(draft.config)) {
    // The site's options were checked at the edge; an unknown one here is one this module sets.
    const problem = optionProblem(c, key);
    if (problem) throw new Error(`constructs/openstack/deployment.ts: application ${draft.name}: ${problem}`);
    config[key] = String(value);
  }
  const bindings = API_CHARMS_WITH_PUBLIC_BINDING.has(draft.charm) ? bindingsFor(c, apiBindings) : [{ endpoint: "", space: management }];
  const channel = channels[draft.charm] ?? CATALOG.channels[draft.charm]!;
  // A pin holds only for the channel it was recorded on; a site that moves the channel moves off the pin.
  const pin = CATALOG.revisions[draft.charm];
  return {
    name: draft.name,
    charm: draft.charm,
    channel,
    ...(pin && pin.channel === channel ? { revision: pin.revision } : {}),
    base,
    subordinate: c.subordinate,
    machines: draft.machines,
    units: c.subordinate ? 0 : draft.machines.length,
    config,
    bindings: effectiveBindings(bindings, modelDefault),
    spaces: distinct(bindings.map((b) => b.space)),
    trust: false,
    // MAAS has no firewaller: expose changes nothing there, so nothing is exposed.
    expose: false,
    stateful: (STATEFUL_CHARMS as readonly string[]).includes(draft.charm),
  };
}

function bindingsFor(c: Charm, apiBindings: readonly Binding[]): Binding[] {
  return apiBindings.filter((b) => b.endpoint === "" || c.extraBindings.includes(b.endpoint));
}

/** The one MAAS space of the segments of a purpose (the site checks make it one). */
function spaceOf(site: Site, purpose: "management" | "external"): string {
  const spaces = distinct(segmentsFor(site, purpose).map((s) => s.space));
  if (spaces.length !== 1) throw new Error(`${site.source}: the ${purpose} segments are in ${spaces.length} MAAS spaces, which the site checks allow only as one`);
  return spaces[0];
}

function purposeOfSegment(site: Site, segment: string): string | undefined {
  return site.segments.find((s) => s.name === segment)?.purpose;
}

/**
 * ovn-chassis `bridge-interface-mappings`: `<bridge>:<mac>` for each gateway's first external NIC, in the site's
 * worker order (so a reordered gateway list changes nothing). One application-wide value: a unit keeps only the
 * entries whose MAC is on its host and maps the physnet only if one matched (charm-helpers BridgePortInterfaceMap,
 * layer-ovn configure_bridges), so exactly the gateways get the provider bridge.
 */
function bridgeInterfaceMappings(site: Site, bridge: string): string {
  return site.workers
    .filter((w) => site.openstack.ovn.gateways.includes(w.hostname))
    .map((w) => {
      const nic = nicFor(site, w.nics, "external");
      if (!nic) throw new Error(`${site.source}: gateway ${w.hostname} has no NIC on an external segment for ${bridge}, which the site checks refuse`);
      return `${bridge}:${nic.mac}`;
    })
    .join(" ");
}

/** The reference bundle's relations adapted to our application names, minus the documented drops. */
function planRelations(osdApps: readonly string[]): [string, string][] {
  const relations: [string, string][] = [];
  for (const [a, b] of CATALOG.reference.relations) {
    if (`${a} ${b}` in DROPPED_REFERENCE_RELATIONS) continue;
    if (a === "ceph-osd:mon") {
      for (const osd of osdApps) relations.push([`${osd}:mon`, b]);
      continue;
    }
    relations.push([a, b]);
  }
  return relations;
}

/**
 * A relation after checking both endpoints against the catalog: they exist, speak one interface, and
 * one side provides what the other requires (peer endpoints relate only within an application).
 */
export function checkedRelation(a: string, b: string, applications: readonly ApplicationPlan[]): RelationPlan {
  const label = `relation ${a} <-> ${b}`;
  const ends = [a, b].map((spec) => {
    const [app, endpoint] = spec.split(":");
    const plan = applications.find((x) => x.name === app);
    if (!plan) throw new Error(`${label}: no application ${app} in this deployment`);
    const c = charm(plan.charm);
    const ep = endpointOf(c, endpoint ?? "");
    if (!ep) {
      throw new Error(`${label}: charm ${c.name} (application ${app}) has no endpoint "${endpoint}"; its endpoints are ${endpointNames(c).join(", ")}`);
    }
    return { app, endpoint: ep.name, role: ep.role, iface: ep.interface };
  });
  const [x, y] = ends;
  if (x.iface !== y.iface) {
    throw new Error(`${label}: interfaces differ: ${x.app}:${x.endpoint} speaks ${x.iface} (${x.role}) but ${y.app}:${y.endpoint} speaks ${y.iface} (${y.role})`);
  }
  if (x.role === "peers" || y.role === "peers") {
    throw new Error(`${label}: ${x.role === "peers" ? `${x.app}:${x.endpoint}` : `${y.app}:${y.endpoint}`} is a peer endpoint (${x.iface}); peers relate only among units of one application`);
  }
  if (x.role === y.role) {
    throw new Error(`${label}: both endpoints ${x.role === "provides" ? "provide" : "require"} ${x.iface}; one side must provide it and the other require it`);
  }
  return { a: { app: x.app, endpoint: x.endpoint }, b: { app: y.app, endpoint: y.endpoint }, interface: x.iface };
}

/**
 * Quorum caveats: fewer than 3 members, an even ceph-mon count, or every member on one physical host
 * (the default site puts all control-plane VMs on the single controller).
 */
export function quorumWarnings(plan: Pick<Deployment, "machines" | "applications">): string[] {
  const warnings: string[] = [];
  const hostOf = new Map(plan.machines.map((m) => [m.name, m.physicalHost]));
  for (const name of QUORUM_APPLICATIONS) {
    const app = plan.applications.find((a) => a.name === name);
    if (!app) continue;
    if (app.units < 3) {
      warnings.push(`${name} has ${app.units} unit${app.units === 1 ? "" : "s"}; a quorum needs at least 3 to survive the loss of one`);
    }
    if (name === "ceph-mon" && app.units % 2 === 0) {
      warnings.push(`ceph-mon has an even number of units (${app.units}); an even monitor count tolerates no more failures than one fewer, use an odd count`);
    }
    const hosts = distinct(app.machines.map((m) => hostOf.get(m)));
    if (app.units > 1 && hosts.length === 1) {
      warnings.push(`all ${app.units} ${name} units run on one physical host (${hosts[0]}); the quorum survives a container or VM failure but not the loss of that host`);
    }
  }
  return warnings;
}
