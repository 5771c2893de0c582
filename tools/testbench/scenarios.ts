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
import { distinct, isOnController, parseSite, type Site } from "../../constructs/site";
import { generateSite, type GeneratedSiteOptions } from "../sitegen/generate";
import { createBench, type Bench, type TfPlanJson } from "./index";
import { newCredentials, seedWorlds, type TwinCredentials } from "../simulator/seed";

export type PlanJson = TfPlanJson;

export const ROOT = path.resolve(__dirname, "..", "..");
export const STACKS = ["substrate", "juju-controller", "openstack", "cloud"] as const;
export type StackName = (typeof STACKS)[number];

/**
 * The twin's credentials for the tests: real certificates and keys (LXD checks fingerprints), made once per
 * process, and passwords with a recognisable marker. Every e2e world is seeded with them (seedTwin).
 */
const generated = newCredentials();
export const TWIN_CREDENTIALS: TwinCredentials = {
  ...generated,
  maasApiKey: "e2econsumer:e2e-token-2c9d:e2e-secret-4a2b",
  ipmiPassword: "e2e-ipmi-password-7d1f",
  juju: { ...generated.juju, password: "e2e-juju-password-8e3c" },
};
/** A distinctive slice of a PEM's base64 body (a whole PEM would not match its JSON-escaped copy). */
const pemMarker = (pem: string): string => pem.split("\n")[2]!.slice(0, 40);
/** Secrets the stacks are given; each holds a marker (SECRET_MARKERS) that must never show outside a value Terraform marks sensitive. */
export const SECRETS = {
  TF_VAR_ipmi_password: TWIN_CREDENTIALS.ipmiPassword,
  TF_VAR_lxd_client_certificate: TWIN_CREDENTIALS.lxdClient.certificate,
  TF_VAR_lxd_client_key: TWIN_CREDENTIALS.lxdClient.key,
  TF_VAR_maas_lxd_key: TWIN_CREDENTIALS.maasLxd.key,
  TF_VAR_maas_api_key: TWIN_CREDENTIALS.maasApiKey,
  MAAS_API_KEY: TWIN_CREDENTIALS.maasApiKey,
  JUJU_PASSWORD: TWIN_CREDENTIALS.juju.password,
  TF_VAR_juju_password: TWIN_CREDENTIALS.juju.password,
  OS_PASSWORD: "e2e-os-password-61d0",
  OS_APPLICATION_CREDENTIAL_SECRET: "e2e-os-appcred-9b27",
} as const;
export const SECRET_MARKERS = [
  "e2e-ipmi-password-7d1f",
  pemMarker(TWIN_CREDENTIALS.lxdClient.certificate),
  pemMarker(TWIN_CREDENTIALS.lxdClient.key),
  pemMarker(TWIN_CREDENTIALS.maasLxd.key),
  "e2e-token-2c9d",
  "e2e-secret-4a2b",
  "e2e-juju-password-8e3c",
  "e2e-os-password-61d0",
  "e2e-os-appcred-9b27",
];
/**
 * Everything the stacks need at plan/apply time, except the LXD trust token, which seedTwin mints per world.
 * maas_lxd_certificate is public, not a secret.
 */
export const STACK_ENV: NodeJS.ProcessEnv = {
  ...SECRETS,
  TF_VAR_maas_lxd_certificate: TWIN_CREDENTIALS.maasLxd.certificate,
  JUJU_CONTROLLER_ADDRESSES: TWIN_CREDENTIALS.juju.addresses,
  JUJU_USERNAME: TWIN_CREDENTIALS.juju.username,
  // The openstack stack's explicit controller connection (the juju-controller stack's outputs).
  TF_VAR_juju_controller_addresses: TWIN_CREDENTIALS.juju.addresses,
  TF_VAR_juju_username: TWIN_CREDENTIALS.juju.username,
  TF_VAR_juju_ca_certificate: TWIN_CREDENTIALS.juju.caCert,
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
  // Segments the controller is cabled to exist in MAAS already: their VLAN and subnet, and their fabric, are imported.
  const onController = segments.filter((s) => isOnController(site, s));
  const adoptedFabrics = distinct(onController.map((s) => s.fabric)).length;
  const zones = distinct(workers.map((w) => w.zone)).filter((z) => z !== "default");
  const substrate =
    distinct(segments.map((s) => s.fabric)).length - adoptedFabrics + // fabrics and spaces are shared by the segments naming them
    distinct(segments.map((s) => s.space)).length +
    2 * (segments.length - onController.length) + // VLAN and subnet per segment off the controller
    ranges + // reserved, dynamic and floating IP ranges
    segments.filter((s) => s.dhcp).length + // maas_vlan_dhcp of each DHCP segment
    zones.length + // MAAS zones other than "default"
    pools.length + // resource pools other than MAAS's default
    roles.length + // one MAAS tag per role in use
    workerObjects +
    1 + 2 * controller.vms.length + // VM host, its VMs and their hardware records (disk and NICs)
    2 + // LXD storage pool and the trust of MAAS's certificate
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

/**
 * What the first plan of each stack imports from what MAAS discovered (and updates: names, spaces, DHCP
 * options): the fabric, VLAN and subnet of every segment the controller is cabled to.
 */
export function expectedAdopted(site: Site): Record<StackName, number> {
  const onController = site.segments.filter((s) => isOnController(site, s));
  const substrate = distinct(onController.map((s) => s.fabric)).length + 2 * onController.length;
  return { substrate, "juju-controller": 0, openstack: 0, cloud: 0 };
}

/** The action counts of a stack's first plan: its creates, and the adopted objects it updates. */
export function expectedFirstPlan(site: Site, stack: StackName): Record<string, number> {
  const adopted = expectedAdopted(site)[stack];
  return { create: expectedCreates(site)[stack], ...(adopted > 0 ? { update: adopted } : {}) };
}

/** Resources in a stack's synthesized JSON: the ones it creates and the ones it adopts. */
export function expectedResources(site: Site, stack: StackName): number {
  return expectedCreates(site)[stack] + expectedAdopted(site)[stack];
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

/**
 * Seeds the bench's world with what exists before the first plan of `site` (tools/simulator/seed.ts), with
 * TWIN_CREDENTIALS, and puts the world's LXD trust token into STACK_ENV, so every later plan and apply of
 * the process uses it.
 */
export function seedTwin(bench: Bench, site: SiteData = defaultSite()): void {
  const { credentials } = seedWorlds(siteModel(site), bench.world.dir, TWIN_CREDENTIALS);
  STACK_ENV["TF_VAR_lxd_trust_token"] = credentials.lxdTrustToken;
  // Reattached plugins start once with the bench's environment, not each command's: the MAAS provider reads
  // its key from there, as the real one reads it from Terraform's environment.
  bench.env["MAAS_API_KEY"] = credentials.maasApiKey;
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
    seedTwin(bench);
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
