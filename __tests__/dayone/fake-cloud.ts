/**
 * A simulated deployed cloud for the day-one commands: the fake CLIs of tools/dayone/fakes copied into a temp
 * bin folder first on PATH, a world built from the default site's deployment plan (every unit active/idle,
 * Vault sealed and uninitialised, Ceph healthy), and helpers to read what the fakes were asked and to search
 * everything the run produced for the secrets the fakes handed out.
 */
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { planDeployment, type Deployment } from "../../constructs/openstack/deployment";
import { loadSite } from "../../constructs/site";
import { processRunner } from "../../tools/dayone/run";
import type { Context } from "../../tools/dayone/cli";
import { defaultSiteData, type SiteData } from "../helpers/sites";

const FAKES = path.join(__dirname, "..", "..", "tools", "dayone", "fakes");
export const FIXTURES = path.join(__dirname, "fixtures");
export type Operator = "alice" | "bob" | "carol";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** The fake OpenPGP identity of an operator's key (fake-world.cjs: sha256 of the armored text). */
export const identityOf = (operator: Operator) => sha256(fs.readFileSync(path.join(FIXTURES, `${operator}.asc`), "utf8").trim());

export interface Call {
  readonly cli: string;
  readonly argv: readonly string[];
  readonly unit?: string;
  readonly stdinSha256?: string;
}

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export class FakeCloud {
  readonly root = fs.mkdtempSync(path.join(os.tmpdir(), "dayone-"));
  readonly bin = path.join(this.root, "bin");
  readonly work = path.join(this.root, "work");
  readonly worldFile = path.join(this.root, "world.json");
  readonly logFile = path.join(this.root, "calls.log");
  readonly seed = randomBytes(8).toString("hex");
  readonly siteFile = path.join(this.root, "site", "site.json");
  readonly plan: Deployment;
  private readonly outputs: string[] = [];

  constructor(edit: (site: SiteData) => void = () => {}) {
    for (const dir of [this.bin, this.work, path.dirname(this.siteFile), path.join(this.root, "site", "keys")]) fs.mkdirSync(dir, { recursive: true });
    for (const file of fs.readdirSync(FAKES).filter((f) => f.endsWith(".cjs"))) {
      const target = path.join(this.bin, file === "fake-world.cjs" ? file : file.replace(/\.cjs$/, ""));
      fs.copyFileSync(path.join(FAKES, file), target);
      fs.chmodSync(target, 0o755);
    }
    // fake-world.cjs is required as ./fake-world.cjs from each copied executable.
    for (const operator of ["alice", "bob", "carol"] as const) fs.copyFileSync(path.join(FIXTURES, `${operator}.asc`), path.join(this.root, "site", "keys", `${operator}.asc`));
    const data = defaultSiteData();
    edit(data);
    fs.writeFileSync(this.siteFile, JSON.stringify(data, null, 2));
    this.plan = planDeployment(loadSite({ site: this.siteFile }));
    fs.writeFileSync(this.worldFile, JSON.stringify(worldFor(this.plan), null, 2));
    fs.writeFileSync(this.logFile, "");
  }

  /** The operator whose private keys (fake gpg keyring) this machine holds. */
  keyring(...operators: Operator[]): string {
    const home = path.join(this.root, `gnupg-${operators.join("-") || "none"}`);
    fs.mkdirSync(home, { recursive: true });
    fs.writeFileSync(path.join(home, "fake-secret-keys"), operators.map(identityOf).join("\n") + "\n");
    return home;
  }

  env(gnupgHome: string): NodeJS.ProcessEnv {
    return {
      PATH: `${this.bin}:${process.env.PATH}`,
      HOME: path.join(this.root, "home"),
      GNUPGHOME: gnupgHome,
      FAKE_WORLD: this.worldFile,
      FAKE_LOG: this.logFile,
      FAKE_SEED: this.seed,
      FAKE_BIN: this.bin,
    };
  }

  /** Runs a command's main in-process, as the operator holding `operators`' private keys. */
  async run(main: (argv: readonly string[], ctx: Context) => Promise<number>, argv: readonly string[], operators: Operator[] = ["alice"], stdoutIsTTY = false): Promise<Run> {
    const out: string[] = [];
    const err: string[] = [];
    const env = this.env(this.keyring(...operators));
    const ctx: Context = { env, cwd: this.work, out: (s) => out.push(s), err: (s) => err.push(s), run: processRunner(env), stdoutIsTTY };
    const code = await main(["--site", this.siteFile, ...argv], ctx);
    const run = { code, stdout: out.join(""), stderr: err.join("") };
    this.outputs.push(run.stdout, run.stderr);
    return run;
  }

  /** Vault as vault:init leaves it: initialised, unsealed, the charm authorised, a root CA. */
  readyVault(): void {
    this.change((w) => {
      Object.assign(w.vault, { initialized: true, t: 1, n: 1, authorized: true, rootCa: "-----BEGIN CERTIFICATE-----\nMIIFakeRootCAForTheDayOneTests\n-----END CERTIFICATE-----" });
      for (const unit of Object.values(w.vault.units)) unit.sealed = false;
    });
  }

  world(): World {
    return JSON.parse(fs.readFileSync(this.worldFile, "utf8")) as World;
  }

  change(edit: (world: World) => void): void {
    const world = this.world();
    edit(world);
    fs.writeFileSync(this.worldFile, JSON.stringify(world, null, 2));
  }

  calls(cli?: string): Call[] {
    const calls = fs.readFileSync(this.logFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l) as Call);
    return cli ? calls.filter((c) => c.cli === cli) : calls;
  }

  /** Every secret the fakes derive from the seed: the unseal keys, the root and child tokens, the keystone password. */
  secrets(): string[] {
    const unseal = Array.from({ length: 5 }, (_, i) => sha256(`${this.seed}:unseal:${i}`) + "0" + (i + 1));
    const tokens = [`hvs.${sha256(`${this.seed}:root`).slice(0, 24)}`, ...Array.from({ length: 5 }, (_, n) => `hvs.${sha256(`${this.seed}:token:${n + 1}`).slice(0, 24)}`)];
    return [...unseal, ...tokens, sha256(`${this.seed}:keystone`).slice(0, 20), ...Array.from({ length: 3 }, (_, n) => sha256(`${this.seed}:ssh:${n + 1}`))];
  }

  /** Where a secret showed up: our stdout/stderr, any recorded argv, any file under the temp folder. */
  leaks(): string[] {
    const places: [string, string][] = this.outputs.map((text, i) => [`output ${i}`, text]);
    for (const call of this.calls()) places.push([`argv of ${call.cli}`, call.argv.join(" ")]);
    const walk = (dir: string) => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else places.push([full, fs.readFileSync(full, "latin1")]);
      }
    };
    walk(this.root);
    return this.secrets().flatMap((secret) => places.filter(([, text]) => text.includes(secret)).map(([where]) => where));
  }

  dispose(): void {
    fs.rmSync(this.root, { recursive: true, force: true });
  }
}

export interface World {
  juju: { model: string; machines: Record<string, unknown>; applications: Record<string, { units?: Record<string, Record<string, unknown>> } & Record<string, unknown>>; networkGet: Record<string, string> };
  vault: { initialized: boolean; t: number; n: number; units: Record<string, { sealed: boolean; parts: unknown[] }>; tokens: Record<string, { root: boolean; revoked: boolean; ttl?: string; explicitMaxTtl?: string }>; tokenCount: number; authorized: boolean; rootCa: string | null };
  ceph: { health: { status: string; checks: Record<string, { severity: string; summary: { message: string } }> }; osdmap: { num_osds: number; num_up_osds: number; num_in_osds: number } };
  openstack: {
    endpoints: { "Service Name": string; "Service Type": string; Interface: string; URL: string; Enabled: boolean }[];
    floatingPool: { start: string; end: string };
    bootFails?: boolean;
    dropTraffic?: boolean;
    images: string[];
    [resources: string]: unknown;
  };
}

/** Subordinates run next to the principal they share a container-scoped relation with. */
const CONTAINER_SCOPED = new Set(["mysql-shared", "cinder-backend", "neutron-plugin-api-subordinate", "neutron-plugin"]);

function worldFor(plan: Deployment): World {
  const machineIds = new Map<string, string>();
  const machines: Record<string, { "juju-status": unknown; "machine-status": unknown; hostname: string; containers: Record<string, unknown> }> = {};
  let next = 0;
  for (const m of plan.machines.filter((m) => m.kind !== "container")) {
    const id = String(next++);
    machineIds.set(m.name, id);
    machines[id] = { "juju-status": { current: "started" }, "machine-status": { current: "running" }, hostname: m.hostname!, containers: {} };
  }
  for (const m of plan.machines.filter((m) => m.kind === "container")) {
    const parent = machineIds.get(m.parent!)!;
    const id = `${parent}/lxd/${Object.keys(machines[parent]!.containers).length}`;
    machineIds.set(m.name, id);
    machines[parent]!.containers[id] = { "juju-status": { current: "started" }, "machine-status": { current: "running" }, hostname: `juju-${id.replace(/\//g, "-")}` };
  }
  const ready = (message = "Unit is ready") => ({ "workload-status": { current: "active", message }, "juju-status": { current: "idle" } });
  const applications: World["juju"]["applications"] = {};
  for (const app of plan.applications.filter((a) => !a.subordinate)) {
    const units: Record<string, Record<string, unknown>> = {};
    app.machines.forEach((m, i) => (units[`${app.name}/${i}`] = { ...ready(), leader: i === 0, machine: machineIds.get(m), subordinates: {} }));
    applications[app.name] = { charm: app.charm, "application-status": { current: "active" }, units };
  }
  for (const sub of plan.applications.filter((a) => a.subordinate)) {
    const relation = plan.relations.find((r) => CONTAINER_SCOPED.has(r.interface) && (r.a.app === sub.name || r.b.app === sub.name));
    const principal = relation!.a.app === sub.name ? relation!.b.app : relation!.a.app;
    applications[sub.name] = { charm: sub.charm, "application-status": { current: "active" }, "subordinate-to": [principal] };
    Object.values(applications[principal]!.units!).forEach((unit, i) => {
      (unit.subordinates as Record<string, unknown>)[`${sub.name}/${i}`] = { ...ready(), leader: i === 0 };
    });
  }
  const osds = plan.applications.filter((a) => a.charm === "ceph-osd").length > 0 ? Number(plan.applications.find((a) => a.name === "ceph-mon")!.config["expected-osd-count"]) : 0;
  return {
    juju: { model: "maas-controller:openstack", machines, applications, networkGet: { "keystone/0": "203.0.113.50" } },
    vault: { initialized: false, t: 0, n: 0, units: Object.fromEntries(Object.keys(applications.vault!.units!).map((u) => [u, { sealed: true, parts: [] }])), tokens: {}, tokenCount: 0, authorized: false, rootCa: null },
    ceph: {
      health: { status: "HEALTH_OK", checks: {} },
      osdmap: { num_osds: osds, num_up_osds: osds, num_in_osds: osds },
    },
    openstack: {
      authUrl: "https://203.0.113.50:5000/v3",
      endpoints: [],
      computeServices: [
        { ID: 1, Binary: "nova-scheduler", Host: "juju-2-lxd-1", Zone: "internal", Status: "enabled", State: "up" },
        { ID: 2, Binary: "nova-conductor", Host: "juju-2-lxd-1", Zone: "internal", Status: "enabled", State: "up" },
        ...plan.applications.find((a) => a.name === "nova-compute")!.machines.map((m, i) => ({ ID: 3 + i, Binary: "nova-compute", Host: m, Zone: "nova", Status: "enabled", State: "up" })),
      ],
      networkAgents: plan.applications.find((a) => a.name === "nova-compute")!.machines.flatMap((m) => [
        { ID: `ovn-${m}`, "Agent Type": "OVN Controller Gateway agent", Host: m, "Availability Zone": "", Alive: true, State: "UP", Binary: "ovn-controller" },
        { ID: `meta-${m}`, "Agent Type": "OVN Metadata agent", Host: m, "Availability Zone": "", Alive: true, State: "UP", Binary: "neutron-ovn-metadata-agent" },
      ]),
      images: ["ubuntu-22.04"],
      flavors: ["m1.small"],
      externalNetworks: ["external"],
      floatingPool: { start: "203.0.113.100", end: "203.0.113.199" },
      projects: [],
      networks: [],
      subnets: [],
      routers: [],
      securityGroups: [],
      keypairs: [],
      servers: [],
      floatingIps: [],
    },
  };
}
