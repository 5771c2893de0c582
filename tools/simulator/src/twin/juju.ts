/**
 * Juju's behaviour behind `juju/juju` v2.2.1 (terraform-provider-juju 426a14a, terraform-plugin-framework), Juju 3.x
 * and the charms the OpenStack layer deploys, as rules. The provider connects to the controller in Configure, so
 * planning without a reachable controller fails; machines wait for Juju's instance status "running" on create and
 * on every read. What Juju and MAAS report only in `juju status` (a machine's instance status, its spaces) is kept
 * in the Juju world's facts: `machine_status` and `machine_spaces` by machine ID.
 */
import { UNKNOWN, isUnknown, type ObjectValue } from "../cty";
import { FACTS, type JujuControllerFacts } from "../../seed";
import type { Diag } from "../provider";
import type { WorldData, WorldObject } from "../world";
import { machineStatus } from "./maas";
import { error, fact, goDuration, objectsOf, warning, type Citation, type Rule } from "./rule";

const TPJ = "juju/terraform-provider-juju";
const TPJ_AT = "426a14a6fac1e5cf8e0591427648a7c503a7f6bc";
const tpj = (path: string, symbol: string, note?: string): Citation => ({ repo: TPJ, commit: TPJ_AT, path, symbol, note });
const JUJU = "juju/juju";
const CEPH = "canonical/ceph-charms";
const CEPH_AT = "5addd4940ffbf279973d8a4f68d95ed094ae93d5";

/** The provider's default wait for a machine to reach "running" (resource_machine.go defaultCreateTimeout). */
const DEFAULT_MACHINE_TIMEOUT = "30m";

const str = (v: unknown): string => (v === null || v === undefined || isUnknown(v) ? "" : String(v));

/** The connection the provider ends up with: provider block, else JUJU_* environment, else the local juju CLI. */
interface Connection {
  addresses: string;
  username: string;
  password: string;
  caCert: string;
  /** Where the address came from, for the error's detail. */
  from: "provider block" | "environment" | "juju CLI" | "";
}

function connection(config: ObjectValue, w: WorldData): Connection {
  const env = process.env;
  const block = { addresses: str(config["controller_addresses"]), username: str(config["username"]), password: str(config["password"]), caCert: str(config["ca_certificate"]) };
  const fromEnv = { addresses: env["JUJU_CONTROLLER_ADDRESSES"] ?? "", username: env["JUJU_USERNAME"] ?? "", password: env["JUJU_PASSWORD"] ?? "", caCert: env["JUJU_CA_CERT"] ?? "" };
  // merge(): each field of the receiver wins when non-empty.
  const merge = (a: typeof block, b: typeof block) => ({
    addresses: a.addresses || b.addresses,
    username: a.username || b.username,
    password: a.password || b.password,
    caCert: a.caCert || b.caCert,
  });
  const valid = (c: typeof block) => c.addresses !== "" && c.username !== "" && c.password !== "";
  const from = (c: typeof block, fallback: Connection["from"]): Connection["from"] =>
    block.addresses ? "provider block" : fromEnv.addresses && c.addresses === fromEnv.addresses ? "environment" : c.addresses ? fallback : "";
  const withEnv = merge(block, fromEnv);
  if (valid(withEnv)) return { ...withEnv, from: from(withEnv, "environment") };
  // Live discovery: `juju show-controller --show-password` of the CLI's current controller, when a juju CLI exists.
  const cli = fact<JujuControllerFacts | undefined>(w, FACTS.juju.cli, undefined);
  if (!cli) return { ...withEnv, from: from(withEnv, "environment") };
  const live = merge(withEnv, { addresses: cli.addresses, username: cli.username, password: cli.password, caCert: cli.caCert });
  return { ...live, from: from(live, "juju CLI") };
}

/** Configure's test connection against the world's controller, with the provider's error (checkClientErr) when it fails. */
export function connect(config: ObjectValue, w: WorldData): Diag | undefined {
  if (config["controller_mode"] === true) return undefined;
  const c = connection(config, w);
  const problems: Diag[] = [];
  if (!c.username || !c.password) {
    problems.push(error("Username and password or client id and client secret must be set", "Currently the provider can authenticate using username and password or client id and client secret, otherwise it will panic."));
  }
  if (!c.addresses) problems.push(error("Controller address required", "The provider must know which juju controller to use."));
  if (problems.length > 0) return problems[0];
  const controller = fact<JujuControllerFacts | undefined>(w, FACTS.juju.controller, undefined);
  const given = c.addresses.split(",").map((a) => a.trim());
  const reached = controller && given.some((a) => controller.addresses.split(",").includes(a));
  if (!controller || !reached) {
    return error(
      `dial tcp ${given[0]}: connect: connection refused`,
      `Connection error, please check the controller_addresses property set on the provider${c.from === "juju CLI" ? " (taken from the local juju CLI's current controller)" : ""}`,
    );
  }
  if (c.caCert.trim() !== controller.caCert.trim()) {
    return error(
      "x509: certificate signed by unknown authority",
      c.caCert ? "Verify the ca_certificate property set on the provider" : "The ca_certificate provider property is not set and the Juju certificate authority is not trusted by your system",
    );
  }
  if (c.username !== controller.username || c.password !== controller.password) {
    return error("Client Error", "invalid entity name or password (unauthorized access)");
  }
  return undefined;
}


function createTimeout(state: ObjectValue): string {
  const t = state["timeouts"];
  const v = t && typeof t === "object" && !Array.isArray(t) ? (t as Record<string, unknown>)["create"] : undefined;
  return goDuration(typeof v === "string" && v !== "" ? v : DEFAULT_MACHINE_TIMEOUT);
}

/** The scope and directive of a placement as instance.ParsePlacement splits them (`lxd:3`, `<model-uuid>:host`, `host`). */
function placementOf(state: ObjectValue): { scope: string; directive: string } {
  const p = str(state["placement"]);
  const i = p.indexOf(":");
  return i < 0 ? { scope: "", directive: p } : { scope: p.slice(0, i), directive: p.slice(i + 1) };
}

const CONTAINER_SCOPES = ["lxd", "kvm"];

function statuses(w: WorldData): Record<string, string> {
  return fact<Record<string, string>>(w, FACTS.juju.machineStatus, {});
}

function setStatus(w: WorldData, machineId: string, status: string): void {
  w.facts[FACTS.juju.machineStatus] = { ...statuses(w), [machineId]: status };
}

/** The positive `spaces=` of a constraints string (`spaces=a,^b` → ["a"]). */
export function constraintSpaces(constraints: string): string[] {
  const m = /(?:^|\s)spaces=(\S*)/.exec(constraints);
  return m ? m[1]!.split(",").filter((s) => s !== "" && !s.startsWith("^")) : [];
}

/** The MAAS spaces of a subnet: its VLAN's space (the substrate puts each segment's VLAN in its space). */
function subnetSpaces(maas: WorldData, match: (key: string, subnet: WorldObject) => boolean): string[] {
  const out: string[] = [];
  for (const [key, subnet] of objectsOf(maas, "maas_subnet")) {
    if (!match(key, subnet)) continue;
    const vlan = objectsOf(maas, "maas_vlan").find(([, v]) => str(v["fabric"]) === str(subnet["fabric"]) && str(v["vid"]) === str(subnet["vlan"]))?.[1];
    const space = str(vlan?.["space"]);
    if (space && !out.includes(space)) out.push(space);
  }
  return out;
}

/** A MAAS node by hostname: a machine (worker) or a VM composed on a VM host. */
function maasNode(maas: WorldData, hostname: string): { key: string; type: "maas_machine" | "maas_vm_host_machine"; node: WorldObject } | undefined {
  for (const type of ["maas_machine", "maas_vm_host_machine"] as const) {
    const found = objectsOf(maas, type).find(([, n]) => n["hostname"] === hostname);
    if (found) return { key: found[0], type, node: found[1] };
  }
  return undefined;
}

/** The MAAS spaces a node has addresses in: its VM NICs' subnets, or its interface links' subnets. */
function nodeSpaces(maas: WorldData, node: { key: string; type: string; node: WorldObject }): string[] {
  const spaces: string[] = [];
  const add = (list: string[]) => list.forEach((s) => spaces.includes(s) || spaces.push(s));
  if (node.type === "maas_vm_host_machine") {
    const nics = Array.isArray(node.node["network_interfaces"]) ? (node.node["network_interfaces"] as WorldObject[]) : [];
    for (const nic of nics) add(subnetSpaces(maas, (_, s) => s["cidr"] === nic["subnet_cidr"]));
  } else {
    for (const [, link] of objectsOf(maas, "maas_network_interface_link")) {
      if (str(link["machine"]) !== node.key) continue;
      add(subnetSpaces(maas, (k, s) => k === str(link["subnet"]) || s["cidr"] === str(link["subnet"])));
    }
  }
  return spaces.sort();
}

/** The Juju machine (world object) with a machine ID. */
function jujuMachine(w: WorldData, machineId: string): WorldObject | undefined {
  return objectsOf(w, "juju_machine").find(([, m]) => m["machine_id"] === machineId)?.[1];
}

/** The next machine ID Juju hands out: `N` for a host, `<host>/lxd/<n>` for a container. */
function nextMachineId(w: WorldData, scope: string, host: string): string {
  const ids = objectsOf(w, "juju_machine").map(([, m]) => str(m["machine_id"]));
  if (CONTAINER_SCOPES.includes(scope)) {
    const prefix = `${host}/${scope}/`;
    const used = ids.filter((id) => id.startsWith(prefix)).map((id) => Number(id.slice(prefix.length)));
    return `${prefix}${used.length ? Math.max(...used) + 1 : 0}`;
  }
  const counter = fact<number>(w, FACTS.juju.machineSeq, 0);
  w.facts[FACTS.juju.machineSeq] = counter + 1;
  return String(counter);
}

/** A machine that never reaches "running": stored (the provider set state before waiting), the error tainting it. */
function neverRunning(w: WorldData, state: ObjectValue, status: string, message: string) {
  const id = str(state["machine_id"]);
  setStatus(w, id, status);
  return {
    keep: true,
    error: error(
      "Client Error",
      `Unable to wait for machine "${id}" readiness, got error: waiting for machine to be in running state (after ${createTimeout(state)}; juju status shows machine ${id} "${status}": ${message})`,
    ),
  };
}

function modelDefaultSpace(w: WorldData, modelUuid: string): string {
  const model = objectsOf(w, "juju_model").find(([, m]) => str(m["uuid"]) === modelUuid)?.[1];
  const config = (model?.["config"] ?? {}) as Record<string, unknown>;
  return str(config["default-space"]) || "alpha";
}

interface Binding {
  endpoint: string | null;
  space: string;
}

const bindingsOf = (v: unknown): Binding[] =>
  Array.isArray(v) ? (v as Record<string, unknown>[]).map((b) => ({ endpoint: b["endpoint"] === null || b["endpoint"] === undefined || b["endpoint"] === "" ? null : String(b["endpoint"]), space: str(b["space"]) })) : [];

/** Ceph pools the charms create, their size fixed when created: application name → replica count. */
function poolSizes(w: WorldData): Record<string, string> {
  return fact<Record<string, string>>(w, FACTS.juju.cephPoolSize, {});
}

const REPLICATION = "ceph-osd-replication-count";

const configOf = (v: unknown): Record<string, unknown> => (v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export const JUJU_RULES: readonly Rule[] = [
  {
    id: "juju.provider.controller",
    fact:
      "Configure dials the controller, during plan too: connection details come from the provider block, then JUJU_CONTROLLER_ADDRESSES/JUJU_USERNAME/JUJU_PASSWORD/JUJU_CA_CERT, then the local juju CLI's current controller (`juju show-controller`); no controller, or one that refuses the details, fails the plan.",
    cites: [
      tpj("internal/provider/provider.go", "getJujuProviderModel (block → jujuProviderModelEnvVar → jujuProviderModelLiveDiscovery; merge: receiver wins)"),
      tpj("internal/provider/provider.go", "jujuProvider.Configure (Models.GetConnection test) and checkClientErr (net.OpError, x509 texts)"),
      tpj("internal/juju/utils.go", "GetLocalControllerConfig (juju show-controller --show-password, current controller)"),
      { repo: JUJU, commit: "unverified", path: "apiserver/common/errors.go", symbol: "ErrBadCreds", note: "\"invalid entity name or password (unauthorized access)\" text unverified" },
    ],
    configure({ config, worlds }) {
      return connect(config, worlds.own);
    },
  },
  {
    id: "juju.machine.ids",
    fact: "Juju numbers the machines of a model 0, 1, 2… in creation order and a host's containers <host>/lxd/0, /1…; the provider stores that number as machine_id.",
    cites: [tpj("internal/provider/resource_machine.go", "machineResource.Create (MachineID from AddMachines)"), { repo: JUJU, commit: "unverified", path: "state/machine.go", symbol: "(*State).addMachineOps / newContainerId", note: "sequence per model and per host" }],
    types: ["juju_machine"],
    apply({ prior, state, worlds }) {
      if (prior !== null) {
        // Update keeps the machine; only name, annotations and timeouts change in place.
        state["machine_id"] = prior["machine_id"] ?? null;
        return undefined;
      }
      const { scope, directive } = placementOf(state);
      state["machine_id"] = nextMachineId(worlds.own, scope, directive);
      setStatus(worlds.own, str(state["machine_id"]), "running");
      return undefined;
    },
  },
  {
    id: "juju.machine.maas-hostname",
    fact:
      "A placement with no scope is a MAAS node name: Juju acquires exactly the node with that hostname, which must be Ready (not commissioning, not taken by another machine). Otherwise the machine sits in \"provisioning error\" and the provider, which stored it before waiting, times out (30m unless timeouts.create) and Terraform taints it.",
    cites: [
      tpj("internal/provider/resource_machine.go", "machineResource.Create (resp.State.Set before waitForMachine; defaultCreateTimeout 30m; \"Unable to wait for machine %q readiness\")"),
      tpj("internal/juju/machines.go", "createMachine (ErrPlacementScopeMissing → <model-uuid>:<placement>)"),
      { repo: JUJU, commit: "47c9d323b39cabd3f803fa385ccbcd73be4f7bc5", path: "provider/maas/environ.go", symbol: "maasEnviron.parsePlacement, StartInstance (acquire by name: \"failed to acquire node\")", note: "2.x copy, 3.6 assumed identical" },
    ],
    types: ["juju_machine"],
    apply({ prior, state, worlds }) {
      if (prior !== null) return undefined;
      const { scope, directive } = placementOf(state);
      const modelScoped = scope === str(state["model_uuid"]);
      if ((scope !== "" && !modelScoped) || directive === "" || directive.includes("=")) return undefined;
      const node = maasNode(worlds.other("maas"), directive);
      // A machine that never started holds no node.
      const taken = objectsOf(worlds.own, "juju_machine").some(
        ([, m]) => m["placement"] === state["placement"] && m["machine_id"] !== state["machine_id"] && (statuses(worlds.own)[str(m["machine_id"])] ?? "running") === "running",
      );
      const status = node ? machineStatus(worlds.other("maas"), node.type, node.key) : undefined;
      if (node && status === "Ready" && !taken) return undefined;
      const why = !node ? "MAAS has no node of that name" : taken ? "the node is already allocated to another machine" : `the node is ${status}, not Ready`;
      return neverRunning(
        worlds.own,
        state,
        "provisioning error",
        `failed to acquire node: No available machine matches constraints: [('name', ['${directive}'])] (${why})`,
      );
    },
  },
  {
    id: "juju.machine.container-spaces",
    fact:
      "A container's spaces come only from its own positive spaces= constraints; with none, it gets the host's space when the host is in exactly one (or none), and on a host in several spaces provisioning fails with \"no obvious space for container\". A space the host has no device in fails too. Units later placed on the container add no space from their application's bindings.",
    cites: [
      { repo: JUJU, commit: "unverified", path: "network/containerizer/bridgepolicy.go", symbol: "BridgePolicy.determineContainerSpaces, inferContainerSpaces, FindMissingBridgesForContainer", note: "read in the 4.x copy (internal/network/containerizer); 3.x test asserts the same text" },
      { repo: JUJU, commit: "232a3044e3848badb8a306145a53ac86c99fa911", path: "state/state.go", symbol: "(*State).addMachineWithPlacement (binding spaces become constraints only for a new container; machinePlacement returns the existing machine)" },
    ],
    types: ["juju_machine"],
    apply({ prior, state, worlds }) {
      if (prior !== null) return undefined;
      const { scope, directive } = placementOf(state);
      if (!CONTAINER_SCOPES.includes(scope)) return undefined;
      const w = worlds.own;
      const host = jujuMachine(w, directive);
      if (!host) return { error: error("Client Error", `Unable to create machine, got error: machine ${directive} not found`) };
      const maas = worlds.other("maas");
      const node = placementOf(host as ObjectValue).scope === "" ? maasNode(maas, str(host["placement"])) : undefined;
      const hostSpaces = node ? nodeSpaces(maas, node) : [];
      const wanted = constraintSpaces(str(state["constraints"]));
      const id = str(state["machine_id"]);
      let spaces: string[];
      if (wanted.length > 0) {
        const missing = wanted.filter((s) => !hostSpaces.includes(s));
        if (hostSpaces.length > 0 && missing.length > 0) {
          return neverRunning(w, state, "provisioning error", `host machine "${directive}" has no available device in space(s) ${missing.map((s) => `"${s}"`).join(", ")}`);
        }
        spaces = wanted;
      } else if (hostSpaces.length > 1) {
        return neverRunning(w, state, "provisioning error", `no obvious space for container "${id}", host machine has spaces: ${hostSpaces.map((s) => `"${s}"`).join(", ")}`);
      } else {
        spaces = hostSpaces.length === 1 ? hostSpaces : ["alpha"];
      }
      w.facts[FACTS.juju.machineSpaces] = { ...fact<Record<string, string[]>>(w, FACTS.juju.machineSpaces, {}), [id]: spaces };
      return undefined;
    },
  },
  {
    id: "juju.machine.read-waits",
    fact: "Reading a machine waits for it to be \"running\" as creating does (up to 30m), so every refresh of a machine stuck in provisioning fails, the plan included.",
    cites: [tpj("internal/provider/resource_machine.go", "machineResource.Read → readMachine → waitForMachine(defaultCreateTimeout); \"Unable to read machine, got error: %s\"")],
    types: ["juju_machine"],
    read({ state, worlds }) {
      const id = str(state["machine_id"]);
      const status = statuses(worlds.own)[id] ?? "running";
      if (status === "running") return undefined;
      return error("Client Error", `Unable to read machine, got error: waiting for machine to be in running state (juju status shows machine ${id} "${status}")`);
    },
  },
  {
    id: "juju.machine.machine-id-unknown-on-update",
    fact:
      "machine_id is computed with no plan modifier, so any in-place update of a machine (name, annotations, timeouts) plans it as unknown, and everything that reads it (an application's machines, a container's placement) changes with it.",
    cites: [
      tpj("internal/provider/resource_machine.go", "machineResource.Schema (machine_id: Computed, no UseStateForUnknown; placement: RequiresReplaceIfConfigured)"),
      { repo: "hashicorp/terraform-plugin-framework", commit: "v1.19.0", path: "internal/fwserver/server_planresourcechange.go", symbol: "MarkComputedNilsAsUnknown", note: "framework behaviour, not re-read here" },
    ],
    types: ["juju_machine"],
    plan({ prior, planned, requiresReplace }) {
      if (prior !== null && requiresReplace.length === 0) planned["machine_id"] = UNKNOWN;
      return undefined;
    },
  },
  {
    id: "juju.application.bindings-read-back",
    fact:
      "Reading an application drops its default binding when it equals the model's default-space, and every endpoint binding equal to the application's default space; when nothing is left the state keeps what it had, otherwise a configuration listing dropped entries differs on every plan.",
    cites: [
      tpj("internal/juju/applications.go", "applicationsClient.ReadApplication (appDefaultSpace vs getModelDefaultSpace, fallback alpha)"),
      tpj("internal/provider/resource_application.go", "applicationResource.Read (endpoint_bindings set only if len(response.EndpointBindings) > 0)"),
    ],
    types: ["juju_application"],
    read({ state, stored, worlds }) {
      const modelDefault = modelDefaultSpace(worlds.own, str(stored["model_uuid"]));
      const sent = bindingsOf(stored["endpoint_bindings"]);
      const appDefault = sent.find((b) => b.endpoint === null)?.space || modelDefault;
      const read: Binding[] = [];
      if (appDefault !== modelDefault) read.push({ endpoint: null, space: appDefault });
      for (const b of sent) if (b.endpoint !== null && b.space !== appDefault) read.push(b);
      if (read.length > 0) state["endpoint_bindings"] = read.map((b) => ({ endpoint: b.endpoint, space: b.space }));
      return undefined;
    },
  },
  {
    id: "juju.application.replace-drops-relations",
    fact:
      "Destroying an application removes its relations in Juju. An integration that names the application by its configured name does not change in the plan that replaces the application, so it is gone after that apply and comes back only when a later plan's refresh notices (reading a missing integration removes it from state).",
    cites: [
      tpj("internal/provider/resource_integration.go", "integrationResource.Read → handleIntegrationNotFoundError (RemoveResource)"),
      { repo: JUJU, commit: "unverified", path: "state/application.go", symbol: "(*Application).removeOps (relations destroyed with the application)" },
    ],
    types: ["juju_application"],
    destroyed({ prior, worlds }) {
      const w = worlds.own;
      const name = str(prior["name"]);
      for (const [key, integration] of objectsOf(w, "juju_integration")) {
        const apps = Array.isArray(integration["application"]) ? (integration["application"] as WorldObject[]) : [];
        if (integration["model_uuid"] === prior["model_uuid"] && apps.some((a) => a["name"] === name)) delete w.objects["juju_integration"]![key];
      }
    },
  },
  {
    id: "juju.ceph.pool-size-at-creation",
    fact:
      "The Ceph broker sets a replicated pool's size only when it creates the pool; a later change of ceph-osd-replication-count sends a new request, but the existing pool is skipped and keeps its size.",
    cites: [
      { repo: CEPH, commit: CEPH_AT, path: "ceph-osd/lib/charms_ceph/broker.py", symbol: "handle_replicated_pool (\"Pool '{}' already exists - skipping create\")" },
      { repo: CEPH, commit: CEPH_AT, path: "ceph-radosgw/config.yaml", symbol: "ceph-osd-replication-count (\"once the RGW pools have been created, changing this value will not have any effect\")" },
      { repo: CEPH, commit: CEPH_AT, path: "ceph-mon/actions.yaml", symbol: "pool-set, list-pools" },
    ],
    types: ["juju_application"],
    apply({ prior, state, worlds }) {
      const size = configOf(state["config"])[REPLICATION];
      const name = str(state["name"]);
      if (prior === null && size !== undefined && size !== null) {
        worlds.own.facts[FACTS.juju.cephPoolSize] = { ...poolSizes(worlds.own), [name]: String(size) };
      }
      return undefined;
    },
    plan({ prior, planned, worlds }) {
      if (prior === null) return undefined;
      const name = str(planned["name"]);
      const created = poolSizes(worlds.own)[name];
      const wanted = configOf(planned["config"])[REPLICATION];
      if (created === undefined || wanted === undefined || wanted === null || isUnknown(wanted) || String(wanted) === created) return undefined;
      return warning(
        `${name}: ${REPLICATION} ${created} → ${String(wanted)} does not resize its existing Ceph pools`,
        `The pools of ${name} were created with size ${created} and keep it. Resize each: juju run ceph-mon/leader list-pools, then juju run ceph-mon/leader pool-set name=<pool> key=size value="'${String(wanted)}'".`,
      );
    },
  },
];
