/**
 * verify's health checks, each returning what it saw or throwing CheckFailed with what is wrong.
 * Shapes read: `juju status --format json` (juju.ts), `ceph status --format json` (health.status and
 * health.checks from HealthMonitor::get_health_status, osdmap.num_osds/num_up_osds/num_in_osds from
 * OSDMap::print_summary in ceph/ceph), and the openstack CLI's list columns (python-openstackclient:
 * endpoint list ID, Region, Service Name, Service Type, Enabled, Interface, URL; compute service list
 * Binary, Host, Status, State; network agent list Agent Type, Host, Alive).
 */
import type { Deployment } from "../../constructs/openstack/deployment";
import { workersWithRole, type Site } from "../../constructs/site";
import { firstLines, type Juju, type JujuStatus, type MachineStatus, type UnitStatus } from "./juju";
import { CheckFailed } from "./layers";
import type { OpenStack } from "./openstack";

/** At most a few items of a list, then how many more: details stay one line. */
export function some(items: readonly string[], max = 4): string {
  return items.length <= max ? items.join("; ") : `${items.slice(0, max).join("; ")}; and ${items.length - max} more`;
}

export function machinesStarted(status: JujuStatus): string {
  const down: string[] = [];
  let machines = 0;
  let containers = 0;
  const visit = (id: string, m: MachineStatus, isContainer: boolean) => {
    if (isContainer) containers++;
    else machines++;
    const juju = m["juju-status"]?.current;
    const machine = m["machine-status"]?.current;
    if (juju !== "started") down.push(`${id} (${m.hostname ?? m["instance-id"] ?? "?"}) is ${juju ?? "unknown"}${m["machine-status"]?.message ? `: ${m["machine-status"].message}` : machine && machine !== "running" ? ` (machine ${machine})` : ""}`);
    for (const [cid, c] of Object.entries(m.containers ?? {})) visit(cid, c, true);
  };
  for (const [id, m] of Object.entries(status.machines)) visit(id, m, false);
  if (down.length > 0) throw new CheckFailed(`${down.length} not started: ${some(down)}`);
  return `${machines} machines and ${containers} containers started`;
}

export function applicationsPresent(status: JujuStatus, plan: Deployment): string {
  const missing = plan.applications.map((a) => a.name).filter((name) => !status.applications[name]);
  if (missing.length > 0) throw new CheckFailed(`missing from the model: ${some(missing, 6)}`, "cdktf deploy openstack");
  return `all ${plan.applications.length} planned applications deployed`;
}

/** Every unit and subordinate unit active (workload) and idle (agent): the model has settled. */
export function unitsReady(status: JujuStatus): string {
  const units: [string, UnitStatus][] = [];
  for (const app of Object.values(status.applications)) {
    for (const [name, unit] of Object.entries(app.units ?? {})) {
      units.push([name, unit]);
      units.push(...Object.entries(unit.subordinates ?? {}));
    }
  }
  const notReady = units.filter(([, u]) => u["workload-status"]?.current !== "active" || u["juju-status"]?.current !== "idle");
  if (notReady.length > 0) {
    const described = notReady.map(([name, u]) => `${name} ${u["workload-status"]?.current ?? "unknown"}/${u["juju-status"]?.current ?? "unknown"}${u["workload-status"]?.message ? ` (${u["workload-status"].message})` : ""}`);
    throw new CheckFailed(`${notReady.length} of ${units.length} units not active/idle: ${some(described)}`, unitHint(notReady.map(([name, u]) => `${name} ${u["workload-status"]?.message ?? ""} ${u["juju-status"]?.current ?? ""}`)));
  }
  return `${units.length} units active/idle`;
}

function unitHint(lines: readonly string[]): string | undefined {
  const text = lines.join("\n");
  if (/^vault\/\S+ .*Unit is sealed/m.test(text)) return "npm run vault:unseal";
  if (/^vault\/\S+ .*(needs to be initialized|not yet authorized|Missing CA cert)/m.test(text)) return "npm run vault:init";
  if (/\b(executing|allocating)\b/.test(text)) return "the model is still settling: watch juju status --watch 10s and run verify again";
  return undefined;
}

/** HEALTH_OK, and as many OSDs up and in as the site gives Ceph disks. */
export function cephHealthy(juju: Juju, site: Site): string {
  const result = juju.exec("ceph-mon/leader", "ceph status --format json");
  if (result.code !== 0) throw new CheckFailed(`ceph status on ceph-mon/leader failed: ${firstLines(result.stderr)}`);
  const ceph = JSON.parse(result.stdout) as {
    health?: { status?: string; checks?: Record<string, { severity?: string; summary?: { message?: string } }> };
    osdmap?: { num_osds?: number; num_up_osds?: number; num_in_osds?: number };
  };
  const expected = workersWithRole(site, "storage").reduce((n, w) => n + w.osdDevices.length, 0);
  const { num_osds: osds = 0, num_up_osds: up = 0, num_in_osds: inn = 0 } = ceph.osdmap ?? {};
  const problems: string[] = [];
  const health = ceph.health?.status ?? "unknown";
  if (health !== "HEALTH_OK") problems.push(`${health}: ${some(Object.entries(ceph.health?.checks ?? {}).map(([code, c]) => `${code} ${c.summary?.message ?? ""}`.trim()), 3) || "no checks listed"}`);
  if (up !== osds || inn !== osds) problems.push(`${up} of ${osds} OSDs up, ${inn} in`);
  if (osds !== expected) problems.push(`${osds} OSDs but the site gives Ceph ${expected} disks (workers' osdDevices)`);
  if (problems.length > 0) throw new CheckFailed(problems.join("; "));
  return `HEALTH_OK, ${osds} of ${expected} OSDs up and in`;
}

export interface Endpoint {
  readonly "Service Name": string;
  readonly "Service Type": string;
  readonly Interface: string;
  readonly URL: string;
  readonly Enabled: boolean;
}

export function computeServicesUp(admin: OpenStack): string {
  const services = admin.json<{ Binary: string; Host: string; Status: string; State: string }[]>("compute", "service", "list");
  const down = services.filter((s) => s.State !== "up" || s.Status !== "enabled").map((s) => `${s.Binary} on ${s.Host} ${s.State}/${s.Status}`);
  if (down.length > 0) throw new CheckFailed(`${some(down)}`, "juju debug-log --include nova-compute");
  if (!services.some((s) => s.Binary === "nova-compute")) throw new CheckFailed("no nova-compute service registered", "check the nova-compute units in juju status");
  return `${services.length} compute services up (${services.filter((s) => s.Binary === "nova-compute").length} nova-compute)`;
}

export function networkAgentsAlive(admin: OpenStack): string {
  const agents = admin.json<{ "Agent Type": string; Host: string; Alive: boolean | string }[]>("network", "agent", "list");
  const dead = agents.filter((a) => a.Alive !== true && a.Alive !== ":-)").map((a) => `${a["Agent Type"]} on ${a.Host}`);
  if (dead.length > 0) throw new CheckFailed(`not alive: ${some(dead)}`, "juju status ovn-chassis ovn-central");
  if (agents.length === 0) throw new CheckFailed("no network agents registered", "check the ovn-chassis units in juju status");
  return `${agents.length} network agents alive`;
}
