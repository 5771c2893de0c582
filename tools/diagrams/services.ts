/**
 * The service architecture figure: the controller, its VMs, the LXD containers inside the control-plane
 * VMs and the charm applications in each, the workers (grouped when there are many) with theirs, and
 * the relations summarised per pair of service groups. Placement and applications come from the
 * OpenStack layer's `planDeployment`, the same answer the stack deploys.
 */
import { charm } from "../../constructs/openstack/catalog";
import { planDeployment, type ApplicationPlan, type Deployment } from "../../constructs/openstack/deployment";
import { vmsWithRole, type Site } from "../../constructs/site/model";
import { byHostname, idFor, wrap, type Box, type Figure, type Group, type Link, type Row, type Tone } from "./figure";
import { GROUP_WORKERS_ABOVE } from "./network";

export const SERVICE_GROUPS = ["identity", "compute", "network", "storage", "database", "messaging", "secrets"] as const;
export type ServiceGroup = (typeof SERVICE_GROUPS)[number] | "other";

/** Service group per charm; the dashboard sits with identity, its users' entry point. */
const GROUP_OF_CHARM: Readonly<Record<string, ServiceGroup>> = {
  keystone: "identity",
  "openstack-dashboard": "identity",
  "nova-compute": "compute",
  "nova-cloud-controller": "compute",
  placement: "compute",
  glance: "compute",
  "neutron-api": "network",
  "neutron-api-plugin-ovn": "network",
  "ovn-central": "network",
  "ovn-chassis": "network",
  "ceph-mon": "storage",
  "ceph-osd": "storage",
  "ceph-radosgw": "storage",
  cinder: "storage",
  "cinder-ceph": "storage",
  "mysql-innodb-cluster": "database",
  "mysql-router": "database",
  "rabbitmq-server": "messaging",
  vault: "secrets",
};

export function serviceGroupOf(app: ApplicationPlan): ServiceGroup {
  return GROUP_OF_CHARM[app.charm] ?? "other";
}

/** Applications running on each machine key: principals by placement, subordinates through their container-scoped relations. */
export function applicationsByMachine(plan: Deployment): Map<string, ApplicationPlan[]> {
  const byName = new Map(plan.applications.map((a) => [a.name, a]));
  const onMachine = new Map<string, ApplicationPlan[]>();
  const put = (machine: string, app: ApplicationPlan) => {
    const apps = onMachine.get(machine) ?? [];
    if (!apps.includes(app)) onMachine.set(machine, [...apps, app]);
  };
  for (const app of plan.applications) for (const machine of app.machines) put(machine, app);
  for (const relation of plan.relations) {
    for (const [sub, other] of [
      [relation.a, relation.b],
      [relation.b, relation.a],
    ]) {
      const subApp = byName.get(sub.app);
      const principal = byName.get(other.app);
      if (!subApp?.subordinate || !principal || principal.subordinate) continue;
      if (!charm(subApp.charm).containerScoped.includes(sub.endpoint)) continue;
      for (const machine of principal.machines) put(machine, subApp);
    }
  }
  return onMachine;
}

function appRows(apps: readonly ApplicationPlan[]): Row[] {
  return apps.map((a) => ({ text: a.subordinate ? `+ ${a.name}` : a.name, tone: serviceGroupOf(a) as Tone, minor: a.subordinate }));
}

export function servicesFigure(site: Site, plan: Deployment = planDeployment(site)): Figure {
  const onMachine = applicationsByMachine(plan);
  const { controller } = site;

  // One box per control-plane VM, one shaded row per LXD container (its principal application) with the
  // subordinates that ride along in small print: a column per VM stays compact at any site size.
  const vmBoxes: Box[] = plan.machines
    .filter((m) => m.kind === "control-plane")
    .map((vm) => {
      const containers = plan.machines.filter((m) => m.kind === "container" && m.parent === vm.name);
      const rows: Row[] = [...appRows(onMachine.get(vm.name) ?? [])];
      for (const c of containers) {
        const apps = onMachine.get(c.name) ?? [];
        for (const app of [...apps.filter((a) => !a.subordinate), ...apps.filter((a) => a.subordinate)]) {
          rows.push(app.subordinate ? { text: `+ ${app.name}`, tone: serviceGroupOf(app) as Tone, minor: true } : { text: app.name, tone: serviceGroupOf(app) as Tone });
        }
      }
      return { id: idFor("vm", vm.name), title: vm.name, notes: [`control-plane VM · ${containers.length} LXD containers`, "a shaded row per container"], rows, tone: "vm" };
    });

  const jujuVms: Box[] = vmsWithRole(site, "juju-controller").map((vm) => ({
    id: idFor("vm", vm.hostname),
    title: vm.hostname,
    notes: [`Juju controller ${site.openstack.controller.name}`, `model ${plan.model.name}`],
    tone: "vm",
  }));
  const host: Box = {
    id: idFor("host", controller.hostname),
    title: `${controller.hostname} host`,
    notes: ["MAAS region + rack", `LXD VM host (project ${controller.lxd.project})`],
    tone: "host",
  };
  const controllerGroup: Group = {
    id: idFor("cluster", controller.hostname),
    title: `${controller.hostname} (physical)`,
    tone: "host",
    boxes: [host, ...jujuVms, ...vmBoxes],
    groups: [],
  };

  const workers = workerBoxes(site, plan, onMachine);
  const workerGroup: Group = { id: "cluster_workers", title: `workers (${site.workers.length})`, tone: "worker", boxes: workers, groups: [], columns: 3 };

  const { boxes: serviceBoxes, links } = relationSummary(plan);
  const summary: Group = { id: "cluster_relations", title: `relations by service group (${plan.relations.length} in all)`, tone: "other", boxes: serviceBoxes, groups: [] };

  return {
    id: "services",
    title: `${site.name}: service architecture (OpenStack ${plan.release} on ${plan.base})`,
    direction: "TB",
    groups: [controllerGroup, workerGroup, summary],
    boxes: [],
    links,
    ranks: [],
    // The relation summary goes under the placement so the figure stays roughly as wide as the controller.
    above: [host, ...jujuVms, ...vmBoxes, ...workers.slice(-1)].map((b): [string, string] => [b.id, idFor("group", "identity")]),
  };
}

function workerBoxes(site: Site, plan: Deployment, onMachine: Map<string, ApplicationPlan[]>): Box[] {
  const workers = plan.machines.filter((m) => m.kind === "worker");
  const appsOf = (name: string) => onMachine.get(name) ?? [];
  if (site.workers.length <= GROUP_WORKERS_ABOVE) {
    return workers.map((w) => ({ id: idFor("worker", w.name), title: w.name, notes: [`zone ${w.zone}`], rows: appRows(appsOf(w.name)), tone: "worker" }));
  }
  const groups = new Map<string, string[]>();
  for (const w of workers) {
    const key = JSON.stringify([w.zone, appsOf(w.name).map((a) => a.name)]);
    groups.set(key, [...(groups.get(key) ?? []), w.name]);
  }
  return [...groups.values()].map((names) => {
    const sorted = [...names].sort(byHostname);
    const zone = workers.find((w) => w.name === sorted[0])?.zone;
    return {
      id: idFor("workers", `${zone}_${sorted[0]}`),
      title: `${sorted.length} workers · ${zone}`,
      notes: wrap(sorted, 44, ", "),
      rows: appRows(appsOf(sorted[0])),
      tone: "worker",
      tooltip: sorted.join(", "),
    };
  });
}

/** One box per service group listing its charms, and one line per pair of groups with the number of relations between them. */
function relationSummary(plan: Deployment): { boxes: Box[]; links: Link[] } {
  const groupOf = new Map(plan.applications.map((a) => [a.name, serviceGroupOf(a)]));
  const used = SERVICE_GROUPS.filter((g) => plan.applications.some((a) => serviceGroupOf(a) === g));
  const groups: ServiceGroup[] = plan.applications.some((a) => serviceGroupOf(a) === "other") ? [...used, "other"] : [...used];
  const within = new Map<ServiceGroup, number>();
  const between = new Map<string, number>();
  for (const r of plan.relations) {
    const [x, y] = [groupOf.get(r.a.app)!, groupOf.get(r.b.app)!].sort((p, q) => groups.indexOf(p) - groups.indexOf(q));
    if (x === y) within.set(x, (within.get(x) ?? 0) + 1);
    else between.set(`${x} ${y}`, (between.get(`${x} ${y}`) ?? 0) + 1);
  }
  const boxes: Box[] = groups.map((g) => {
    const charms = new Map<string, number>();
    for (const a of plan.applications.filter((app) => serviceGroupOf(app) === g)) charms.set(a.charm, (charms.get(a.charm) ?? 0) + 1);
    const members = [...charms].map(([name, count]) => (count > 1 ? `${name} ×${count}` : name));
    const inside = within.get(g);
    return {
      id: idFor("group", g),
      title: g,
      notes: [...wrap(members, 34, ", "), ...(inside ? [`${inside} relation${inside === 1 ? "" : "s"} within`] : [])],
      tone: g as Tone,
    };
  });
  const links: Link[] = [...between].map(([pair, count]) => {
    const [x, y] = pair.split(" ");
    return { from: idFor("group", x), to: idFor("group", y), label: String(count), style: "solid", tone: x as Tone };
  });
  return { boxes, links };
}
