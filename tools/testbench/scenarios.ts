/**
 * Our own stacks on the test bench: build the app, synthesize a site variant as a fresh process (as users run
 * it), fake secrets, a loopback stand-in for the MAAS API, and `realPlans()`: `terraform show -json` of real
 * plans on the default site for the reports and their tests.
 *
 *     const plans = await realPlans();   // ~15 s the first time in a process, then cached
 *     plans.replaceWorker.resource_changes
 *
 * Network rule: nothing here sends traffic to a non-loopback address. Every site that gets applied has its
 * maas.url moved to a loopback server (loopbackSite), because the substrate's DHCP provisioner curls MAAS.
 */
import { spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { planDeployment } from "../../constructs/openstack/deployment";
import { distinct, parseSite, type Site } from "../../constructs/site";
import { generateSite, type GeneratedSiteOptions } from "../sitegen/generate";
import { createBench, type Bench, type TfPlanJson } from "./index";
import { newCredentials, seedWorlds } from "../simulator/seed";
import { RULE_TABLES } from "../simulator/src/twin";

export type PlanJson = TfPlanJson;

export const ROOT = path.resolve(__dirname, "..", "..");
export const STACKS = ["substrate", "juju-controller", "openstack", "cloud"] as const;
export type StackName = (typeof STACKS)[number];

/** Made-up secrets; each holds a marker (SECRET_MARKERS) that must never show outside a value Terraform marks sensitive. */
export const SECRETS = {
  TF_VAR_ipmi_password: "e2e-ipmi-password-7d1f",
  TF_VAR_lxd_client_certificate: "-----BEGIN CERTIFICATE-----\ne2e-client-cert-51ab\n-----END CERTIFICATE-----",
  TF_VAR_lxd_client_key: "-----BEGIN PRIVATE KEY-----\ne2e-client-key-0b3e\n-----END PRIVATE KEY-----",
  TF_VAR_maas_api_key: "e2econsumer:e2e-token-2c9d:e2e-secret-4a2b",
  MAAS_API_KEY: "e2econsumer:e2e-token-2c9d:e2e-secret-4a2b",
  JUJU_PASSWORD: "e2e-juju-password-8e3c",
  TF_VAR_juju_password: "e2e-juju-password-8e3c",
  OS_PASSWORD: "e2e-os-password-61d0",
  OS_APPLICATION_CREDENTIAL_SECRET: "e2e-os-appcred-9b27",
} as const;
/** The distinctive parts of SECRETS (a whole PEM would not match its JSON-escaped copy). */
export const SECRET_MARKERS = [
  "e2e-ipmi-password-7d1f", "e2e-client-cert-51ab", "e2e-client-key-0b3e", "e2e-token-2c9d", "e2e-secret-4a2b", "e2e-juju-password-8e3c",
  "e2e-os-password-61d0", "e2e-os-appcred-9b27",
];
/** Everything the stacks need at plan/apply time. maas_lxd_certificate is MAAS's public certificate, not a secret. */
export const STACK_ENV: NodeJS.ProcessEnv = {
  ...SECRETS,
  TF_VAR_maas_lxd_certificate: "-----BEGIN CERTIFICATE-----\ne2e-public-maas-cert\n-----END CERTIFICATE-----",
  JUJU_CONTROLLER_ADDRESSES: "127.0.0.1:17070",
  JUJU_USERNAME: "admin",
  // The openstack stack's explicit controller connection (the juju-controller stack's outputs).
  TF_VAR_juju_controller_addresses: "127.0.0.1:17070",
  TF_VAR_juju_username: "admin",
  TF_VAR_juju_ca_certificate: "-----BEGIN CERTIFICATE-----\ne2e-juju-ca\n-----END CERTIFICATE-----",
  OS_AUTH_URL: "https://127.0.0.1:5000/v3",
  OS_USERNAME: "admin",
  OS_PROJECT_NAME: "admin",
  OS_APPLICATION_CREDENTIAL_ID: "e2e-appcred-id",
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SiteData = any;

/** sites/default.yaml as mutable data. */
export function defaultSite(): SiteData {
  return parse(fs.readFileSync(path.join(ROOT, "sites", "default.yaml"), "utf8"));
}

/** A small local file and its SHA-256, in place of the site's image downloads. */
export const TEST_IMAGE = (() => {
  const file = path.join(ROOT, "tools", "testbench", "fixtures", "test-image.img");
  return { file, sha256: crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex") };
})();

/**
 * The default site with its MAAS API on a loopback port (nothing ever reaches 10.20.0.2), and its images read from
 * TEST_IMAGE instead of downloaded (the cloud stack's verify step still checks the checksum at apply).
 */
export function loopbackSite(port: number, edit?: (s: SiteData) => void): SiteData {
  const s = defaultSite();
  s.maas.url = `http://127.0.0.1:${port}/MAAS`;
  for (const image of s.cloud?.images ?? []) {
    delete image.url;
    Object.assign(image, { file: TEST_IMAGE.file, sha256: TEST_IMAGE.sha256 });
  }
  edit?.(s);
  return s;
}

/** A generated site (tools/sitegen, as sites/scale-<n>.yaml) with its MAAS API on a loopback port. */
export function loopbackGeneratedSite(port: number, options: GeneratedSiteOptions): SiteData {
  const s: SiteData = generateSite(options);
  s.maas.url = `http://127.0.0.1:${port}/MAAS`;
  return s;
}

/** The validated model of site data, as the app loads it. */
export function siteModel(data: SiteData): Site {
  return parseSite(JSON.stringify(data), `${String(data.name)}.json`);
}

/**
 * What the first plan of each stack creates, derived from the site model and planDeployment (never from the
 * synthesized JSON it checks).
 */
export function expectedCreates(site: Site): Record<StackName, number> {
  const { segments, workers, controller } = site;
  const ranges = segments.reduce((n, s) => n + s.reserved.length + s.dynamic.length + (s.floating ? 1 : 0), 0);
  const roles = distinct([...workers.flatMap((w) => w.roles), ...controller.vms.map((v) => v.role)]);
  const pools = distinct(workers.map((w) => w.pool)).filter((p) => p !== "default");
  // machine + its hardware record (replace_triggered_by on a new PXE MAC) + (interface + link) per NIC
  const workerObjects = workers.reduce((n, w) => n + 2 + 2 * w.nics.length, 0);
  const substrate =
    distinct(segments.map((s) => s.fabric)).length + // fabrics and spaces are shared by the segments naming them
    distinct(segments.map((s) => s.space)).length +
    2 * segments.length + // VLAN and subnet per segment
    ranges + // reserved, dynamic and floating IP ranges
    segments.filter((s) => s.dhcp).length + // the DHCP enabling of each DHCP segment
    pools.length + // resource pools other than MAAS's default
    roles.length + // one MAAS tag per role in use
    workerObjects +
    1 + controller.vms.length + // VM host and its VMs
    3 + Object.keys(controller.lxd.bridges).length + // LXD project, storage pool, trust certificate, a profile per bridge
    1; // removal guard
  const d = planDeployment(site);
  // model + Juju machines (workers, control-plane VMs, LXD containers) + applications + integrations + removal guard
  // + a hardware identity per worker machine + a host identity per container
  const openstack =
    1 + d.machines.length + d.applications.length + d.relations.length + 1 + d.machines.filter((m) => m.pxeMac).length + d.machines.filter((m) => m.parent).length;
  const { flavors, images, projects } = site.cloud;
  const projectObjects = projects.reduce(
    (n, p) =>
      n +
      1 + // the project
      Object.values(p.quotas).filter((q) => Object.keys(q).length > 0).length + // a quota resource per service with quotas
      4 + // network, subnet, router, router interface
      1 + p.access.from.length * (p.access.tcpPorts.length + (p.access.icmp ? 1 : 0)) + // security group and its rules
      p.members.length, // a role assignment per member
    0,
  );
  // external network and subnet + flavors + (verify step + image) per image + projects + removal guard
  const cloud = 2 + flavors.length + 2 * images.length + projectObjects + 1;
  return { substrate, "juju-controller": site.openstack.controller.bootstrap ? 1 : 0, openstack, cloud };
}

/** Adds a third worker like worker-2 (compute + storage) with its own MACs and addresses. */
export function addWorker(s: SiteData, hostname = "worker-3", n = 23): SiteData {
  const w = structuredClone(s.workers[s.workers.length - 1]);
  w.hostname = hostname;
  w.bmc.address = `10.10.0.${n}`;
  w.nics[0].mac = `3c:ec:ef:10:00:${n}`;
  w.nics[0].address = `10.20.0.${n}`;
  w.nics[1].mac = `3c:ec:ef:10:01:${n}`;
  s.workers.push(w);
  return s;
}

/**
 * The script of cdktf.json's `app` command (`node tools/app/run.cjs`): synthesizing through it runs exactly
 * what `cdktf synth` runs. It rebuilds its bundle when a source changed, atomically, so parallel test
 * files may share it.
 */
export function appScript(): string {
  const app = (JSON.parse(fs.readFileSync(path.join(ROOT, "cdktf.json"), "utf8")) as { app: string }).app;
  const script = /^node (\S+)$/.exec(app)?.[1];
  if (!script) throw new Error(`cdktf.json app is "${app}"; the test bench expects "node <script>"`);
  return path.join(ROOT, script);
}

export interface Synth {
  out: string;
  dir(stack: StackName): string;
  json(stack: StackName): Record<string, unknown>;
}

/**
 * `SITE=<work>/site.json CDKTF_OUTDIR=<work>/out node <app script>`. The local backend keeps state in <work>/state, so
 * successive syntheses into one work dir share state and `.terraform` (no second init needed).
 */
export function synth(app: string, work: string, site: SiteData, env: NodeJS.ProcessEnv = {}): Synth {
  fs.mkdirSync(work, { recursive: true });
  const siteFile = path.join(work, "site.json");
  fs.writeFileSync(siteFile, JSON.stringify(site, null, 2));
  const out = path.join(work, "out");
  const r = spawnSync("node", [app], { cwd: ROOT, encoding: "utf8", env: { ...process.env, SITE: siteFile, CDKTF_OUTDIR: out, SITE_ALLOW_DESTROY: "", ...env } });
  if (r.status !== 0) throw new Error(`synth failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  const dir = (s: StackName) => path.join(out, "stacks", s);
  return { out, dir, json: (s) => JSON.parse(fs.readFileSync(path.join(dir(s), "cdk.tf.json"), "utf8")) };
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `e2e-${prefix}-`));
}

/** Seeds what the substrate's data source `maas_rack_controller` (hostname = controller) finds in MAAS. */
export function seedRackController(bench: Bench, hostname = "controller"): void {
  bench.world.put("maas", "maas_rack_controller", "rack-e2e", { id: "rack-e2e", hostname, version: "3.5.0" });
}

/**
 * Seeds the bench's world from `site` (tools/simulator/seed.ts) and turns the twin's Juju rules on, with MAAS's and
 * LXD's still off: the substrate here predates them (issue 11 moves it onto the twin). Call before the bench's first
 * command: reattached plugins start once, with the bench's environment. Returns what the openstack stack needs on
 * top of STACK_ENV: the seeded controller's connection, as the juju-controller stack would output it.
 */
export function seedJujuTwin(bench: Bench, site: SiteData): NodeJS.ProcessEnv {
  // The controller's password is the marked one, so the leak checks cover it.
  const given = newCredentials();
  const { credentials } = seedWorlds(siteModel(site), bench.world.dir, { ...given, juju: { ...given.juju, password: SECRETS.JUJU_PASSWORD } });
  bench.env["SIM_RULES_OFF"] = [...RULE_TABLES["maas"]!, ...RULE_TABLES["lxd"]!].map((r) => r.id).join(",");
  return {
    ...STACK_ENV,
    TF_VAR_juju_controller_addresses: credentials.juju.addresses,
    TF_VAR_juju_username: credentials.juju.username,
    TF_VAR_juju_password: credentials.juju.password,
    TF_VAR_juju_ca_certificate: credentials.juju.caCert,
  };
}

export interface FakeMaas {
  port: number;
  requests: { method: string; url: string; authorization: string; body: string }[];
  close(): Promise<void>;
}

/** A loopback HTTP server standing in for the MAAS API: records every request and answers 200. */
export async function startFakeMaas(): Promise<FakeMaas> {
  const requests: FakeMaas["requests"] = [];
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", authorization: String(req.headers.authorization ?? ""), body });
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return { port, requests, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface RealPlans {
  /** First plan of the substrate stack: 45 creates. */
  creates: PlanJson;
  /** First plan of the openstack stack: 131 creates. */
  createsOpenstack: PlanJson;
  /** First plan of the juju-controller stack (with creates and createsOpenstack, the whole default site). */
  createsJujuController: PlanJson;
  /** Substrate, management segment MTU 1500 → 9000: in-place updates (VLAN and the worker interfaces on it). */
  update: PlanJson;
  /** Substrate, worker-1's PXE MAC changed with SITE_ALLOW_DESTROY=worker-1: the machine is replaced (replace_triggered_by its hardware record), with what hangs off it. */
  replaceWorker: PlanJson;
  /** The same MAC change without SITE_ALLOW_DESTROY: prevent_destroy fails the substrate plan; exit code and stderr. */
  replaceBlocked: { code: number; stderr: string };
  /** Substrate, control-1's cores 12 → 16 with SITE_ALLOW_DESTROY=control-1: its VM replaced through replace_paths (cores is ForceNew). */
  replaceVm: PlanJson;
  /** Openstack applied with worker-2's OSDs on /dev/sdd (a second ceph-osd application), then planned with the default site: that application deleted. */
  deleteCephOsd: PlanJson;
  /** Openstack with worker-1's PXE MAC changed: nothing to do. */
  replaceWorkerOpenstack: PlanJson;
  /** Openstack, worker-2 removed with SITE_ALLOW_DESTROY=worker-2: its Juju machine deleted, its units leave ceph-osd, nova-compute... */
  deleteStateful: PlanJson;
  /** Substrate, the same removal: worker-2's machine, interfaces and links deleted. */
  deleteStatefulSubstrate: PlanJson;
  /** Substrate, `plan -refresh-only` after worker-1's power parameters (sensitive, with its BMC address) changed in MAAS and the storage tag deleted. */
  drift: PlanJson;
  /** Substrate, `plan -refresh-only` after apply, before the drift: clean. */
  driftClean: PlanJson;
  /** Substrate after apply: nothing to do. */
  noChanges: PlanJson;
  /** Substrate and openstack with a worker-3 added. */
  addWorker: { substrate: PlanJson; openstack: PlanJson };
  /** Substrate and openstack with worker-2 removed and no SITE_ALLOW_DESTROY: the plans fail; terraform's exit code and stderr. */
  removalBlocked: Record<"substrate" | "openstack", { code: number; stderr: string }>;
  /** `-detailed-exitcode` of the noChanges and drift plans (0 no changes, 2 changes). */
  exitCodes: { noChanges: number; drift: number };
}

let cached: Promise<RealPlans> | undefined;

/** Real plans on the default site (cached per process: a jest test file). `app` is the app script (default: cdktf.json's). */
export function realPlans(opts: { app?: string } = {}): Promise<RealPlans> {
  cached ??= produceRealPlans(opts.app ?? appScript());
  return cached;
}

/**
 * One apply of the default site, then each scenario as a site variant synthesized into its own work dir that
 * shares the applied state (<work>/state) with the base. Substrate and openstack run side by side.
 */
async function produceRealPlans(app: string): Promise<RealPlans> {
  const bench = createBench();
  const maas = await startFakeMaas();
  const root = tempDir("real-plans");
  try {
    seedRackController(bench);
    const o = { env: STACK_ENV };
    const site = (edit?: (s: SiteData) => void) => loopbackSite(maas.port, edit);
    const plan = async (s: Synth, stack: StackName, args: string[] = []) => bench.plan(s.dir(stack), args, o);
    const work = (name: string) => path.join(root, "scenarios", name);
    // A variant shares the base's state (its <work>/state is a link to the base's, or to `stateOf`'s; with `copy`, a
    // copy to apply to) and its initialized .terraform.
    const variant = (name: string, edit: (s: SiteData) => void, env: NodeJS.ProcessEnv = {}, state: { of?: string; copy?: boolean } = {}): Synth => {
      fs.mkdirSync(work(name), { recursive: true });
      const from = path.join(work(state.of ?? "base"), "state");
      if (state.copy) fs.cpSync(from, path.join(work(name), "state"), { recursive: true });
      else fs.symlinkSync(from, path.join(work(name), "state"), "dir");
      const s = synth(app, work(name), site(edit), env);
      for (const stack of ["substrate", "openstack"] as const) {
        fs.rmSync(path.join(s.dir(stack), ".terraform"), { recursive: true, force: true });
        fs.symlinkSync(path.join(base.dir(stack), ".terraform"), path.join(s.dir(stack), ".terraform"));
        fs.copyFileSync(path.join(base.dir(stack), ".terraform.lock.hcl"), path.join(s.dir(stack), ".terraform.lock.hcl"));
      }
      return s;
    };

    const base = synth(app, work("base"), site());
    const chain = async (stack: "substrate" | "openstack") => {
      await bench.init(base.dir(stack));
      const creates = (await plan(base, stack)).plan;
      await bench.apply(base.dir(stack), [], o);
      return creates;
    };
    const controllerPlan = async () => {
      await bench.init(base.dir("juju-controller"));
      return (await plan(base, "juju-controller")).plan;
    };
    const [creates, createsOpenstack, createsJujuController] = await Promise.all([chain("substrate"), chain("openstack"), controllerPlan()]);

    const added = variant("add-worker", (s) => addWorker(s));
    const mtu = variant("update", (s) => (s.segments.find((g: { name: string }) => g.name === "management").mtu = 9000));
    const newMac = (s: SiteData) => (s.workers[0].nics[0].mac = "3c:ec:ef:10:00:99");
    const mac = variant("replace-worker", newMac, { SITE_ALLOW_DESTROY: "worker-1" });
    const macBlocked = variant("replace-worker-blocked", newMac);
    // One storage worker left holds one copy: the site must say so (replicas above the storage workers are refused).
    const removeStorageWorker = (s: SiteData) => {
      s.workers.pop();
      s.openstack.ceph.replicas = 1;
    };
    const removed = variant("remove-worker", removeStorageWorker, { SITE_ALLOW_DESTROY: "worker-2" });
    const blocked = variant("remove-worker-blocked", removeStorageWorker);
    const cores = variant("replace-vm", (s) => (s.controller.vms.find((v: { hostname: string }) => v.hostname === "control-1").cores = 16), { SITE_ALLOW_DESTROY: "control-1" });
    // Copied before any plan runs (no lock files); applied to only after the other openstack plans.
    const twoOsd = variant("two-osd", (s) => (s.workers[1].osdDevices = ["/dev/sdd"]), {}, { copy: true });
    const oneOsd = variant("one-osd", () => {}, { SITE_ALLOW_DESTROY: "*" }, { of: "two-osd" });

    const substrateSide = async () => {
      const noChanges = await plan(base, "substrate", ["-detailed-exitcode"]);
      const r = {
        noChanges,
        added: (await plan(added, "substrate")).plan,
        update: (await plan(mtu, "substrate")).plan,
        replaceWorker: (await plan(mac, "substrate")).plan,
        deleteStatefulSubstrate: (await plan(removed, "substrate")).plan,
        blocked: await bench.tf(blocked.dir("substrate"), ["plan", "-input=false"], o),
        replaceBlocked: await bench.tf(macBlocked.dir("substrate"), ["plan", "-input=false"], o),
        replaceVm: (await plan(cores, "substrate")).plan,
        driftClean: (await plan(base, "substrate", ["-refresh-only"])).plan,
      };
      // Drift last: it changes the world behind Terraform's back.
      const machines = bench.world.objects("maas", "maas_machine");
      const [id, worker1] = Object.entries(machines).find(([, m]) => m.hostname === "worker-1")!;
      const power = JSON.parse(String(worker1.power_parameters));
      bench.world.patch("maas", "maas_machine", id, { power_parameters: JSON.stringify({ ...power, power_address: "10.10.0.121", power_pass: "changed-by-hand" }) });
      const [tagId] = Object.entries(bench.world.objects("maas", "maas_tag")).find(([, t]) => t.name === "storage")!;
      bench.world.remove("maas", "maas_tag", tagId);
      return { ...r, drift: await plan(base, "substrate", ["-refresh-only", "-detailed-exitcode"]) };
    };
    const openstackSide = async () => {
      const r = {
        added: (await plan(added, "openstack")).plan,
        deleteStateful: (await plan(removed, "openstack")).plan,
        replaceWorker: (await plan(mac, "openstack")).plan,
        blocked: await bench.tf(blocked.dir("openstack"), ["plan", "-input=false"], o),
      };
      // Last: the apply changes the simulated Juju model behind the base's state.
      await bench.apply(twoOsd.dir("openstack"), [], o);
      return { ...r, deleteCephOsd: (await plan(oneOsd, "openstack")).plan };
    };
    const [sub, os] = await Promise.all([substrateSide(), openstackSide()]);

    return {
      creates,
      createsOpenstack,
      createsJujuController,
      update: sub.update,
      replaceWorker: sub.replaceWorker,
      replaceWorkerOpenstack: os.replaceWorker,
      replaceVm: sub.replaceVm,
      deleteCephOsd: os.deleteCephOsd,
      driftClean: sub.driftClean,
      replaceBlocked: { code: sub.replaceBlocked.code, stderr: sub.replaceBlocked.stderr },
      deleteStateful: os.deleteStateful,
      deleteStatefulSubstrate: sub.deleteStatefulSubstrate,
      drift: sub.drift.plan,
      noChanges: sub.noChanges.plan,
      addWorker: { substrate: sub.added, openstack: os.added },
      removalBlocked: {
        substrate: { code: sub.blocked.code, stderr: sub.blocked.stderr },
        openstack: { code: os.blocked.code, stderr: os.blocked.stderr },
      },
      exitCodes: { noChanges: sub.noChanges.code, drift: sub.drift.code },
    };
  } finally {
    bench.dispose();
    await maas.close();
    fs.rmSync(root, { recursive: true, force: true });
  }
}
