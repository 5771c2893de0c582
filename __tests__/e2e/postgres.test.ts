/**
 * State for teams: the pg backend against a real PostgreSQL on 127.0.0.1, started here as an unprivileged user
 * (initdb refuses root). The same apply works, and two concurrent applies on one state are serialized by
 * Terraform's lock: one fails with "Error acquiring the state lock" (or waits), the state stays complete.
 * Missing terraform or PostgreSQL fails the suite; it never skips.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createBench, countActions, type Bench } from "../../tools/testbench";
import { STACK_ENV, appScript, loopbackSite, seedTwin, startFakeMaas, synth, tempDir, type FakeMaas, type Synth } from "./harness";

/** The PostgreSQL server binaries: on PATH, else the newest /usr/lib/postgresql/<v>/bin. */
function pgBin(): string {
  const onPath = spawnSync("sh", ["-c", "command -v initdb"], { encoding: "utf8" }).stdout.trim();
  if (onPath) return path.dirname(fs.realpathSync(onPath));
  const base = "/usr/lib/postgresql";
  const versions = fs.existsSync(base) ? fs.readdirSync(base).filter((v) => fs.existsSync(path.join(base, v, "bin", "initdb"))) : [];
  if (versions.length === 0) throw new Error("PostgreSQL is required by the pg backend test: initdb/postgres not found on PATH or in /usr/lib/postgresql/*/bin. Install postgresql.");
  return path.join(base, versions.sort((a, b) => Number(b) - Number(a))[0]!, "bin");
}

/** Runs a command as `user` when we are root (initdb and postgres refuse root). */
function asUser(user: string | undefined, cmd: string, args: string[]): [string, string[]] {
  return user ? ["setpriv", ["--reuid", user, "--regid", user, "--init-groups", "--", cmd, ...args]] : [cmd, args];
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

let server: ChildProcess | undefined;
let pgRoot: string;
let bench: Bench;
let maas: FakeMaas;
let connStr: string;

beforeAll(async () => {
  const bin = pgBin();
  const user = process.getuid?.() === 0 ? (spawnSync("id", ["-u", "postgres"]).status === 0 ? "postgres" : "nobody") : undefined;
  pgRoot = fs.mkdtempSync(path.join(os.tmpdir(), "e2e-pg-"));
  const data = path.join(pgRoot, "data");
  fs.mkdirSync(data, { mode: 0o700 });
  if (user) {
    const uid = Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout);
    const gid = Number(spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout);
    fs.chmodSync(pgRoot, 0o755);
    fs.chownSync(data, uid, gid);
  }
  const [initCmd, initArgs] = asUser(user, path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "terraform", "--no-sync", "-E", "UTF8"]);
  const init = spawnSync(initCmd, initArgs, { encoding: "utf8" });
  if (init.status !== 0) throw new Error(`initdb failed (${init.error?.message ?? init.status}): ${init.stderr}`);
  const port = await freePort();
  const [cmd, args] = asUser(user, path.join(bin, "postgres"), ["-D", data, "-p", String(port), "-k", data, "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"]);
  server = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  server.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 20_000;
  while (spawnSync(path.join(bin, "pg_isready"), ["-h", "127.0.0.1", "-p", String(port)]).status !== 0) {
    if (Date.now() > deadline || server.exitCode !== null) throw new Error(`PostgreSQL did not start on 127.0.0.1:${port}: ${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  connStr = `postgres://terraform@127.0.0.1:${port}/postgres?sslmode=disable`;

  bench = createBench();
  seedTwin(bench);
  maas = await startFakeMaas();
}, 60_000);

afterAll(async () => {
  bench?.dispose();
  await maas?.close();
  if (server && server.exitCode === null) {
    server.kill("SIGINT"); // fast shutdown
    await new Promise((r) => server!.once("exit", r));
  }
  if (pgRoot) fs.rmSync(pgRoot, { recursive: true, force: true });
});

const pgSite = (port: number) => loopbackSite(port, (s) => (s.state = { backend: "pg" }));

describe("pg backend", () => {
  let s: Synth;
  let env: NodeJS.ProcessEnv;
  beforeAll(() => {
    s = synth(appScript(), tempDir("pg"), pgSite(maas.port));
    // The removal guard reads the last apply's hosts through terraform_remote_state, which fails before any state exists.
    env = { ...STACK_ENV, PG_CONN_STR: connStr, TF_VAR_removal_guard: "false" };
  });

  it("synthesizes a pg backend without the connection string", () => {
    const backend = (s.json("substrate").terraform as { backend: Record<string, unknown> }).backend;
    expect(backend).toEqual({ pg: { schema_name: "openstack_metal_guia_implantacao_substrate" } });
  });

  it("the substrate apply works with state in PostgreSQL, and then plans no changes", async () => {
    const dir = s.dir("substrate");
    await bench.tfOk(dir, ["init", "-input=false"], [0], { env });
    await bench.apply(dir, [], { env });
    const again = await bench.plan(dir, ["-detailed-exitcode"], { env: { ...env, TF_VAR_removal_guard: "true" } });
    expect(again.code).toBe(0);
    expect(countActions(again.plan)).toEqual({ "no-op": 46 });
    // DHCP is the provider's maas_vlan_dhcp now: nothing calls the MAAS API behind Terraform's back.
    expect(maas.requests).toHaveLength(0);
  });

  it("two concurrent applies on one state: one holds the lock, the state ends complete, each resource once", async () => {
    const dir = s.dir("openstack");
    await bench.tfOk(dir, ["init", "-input=false"], [0], { env });
    const [a, b] = await Promise.all([bench.tf(dir, ["apply", "-input=false", "-auto-approve"], { env }), bench.tf(dir, ["apply", "-input=false", "-auto-approve"], { env })]);
    const results = [a, b].sort((x, y) => x.code - y.code);
    expect(results[0]!.code).toBe(0);
    expect(results[0]!.stdout).toContain("Apply complete! Resources: 131 added");
    // The other one either failed on the lock or waited for it and then had nothing left to do.
    if (results[1]!.code !== 0) expect(results[1]!.stderr).toContain("Error acquiring the state lock");
    else expect(results[1]!.stdout).toContain("Apply complete! Resources: 0 added");

    const list = (await bench.tfOk(dir, ["state", "list"], [0], { env })).stdout.trim().split("\n").filter((l) => !l.startsWith("data."));
    expect(list).toHaveLength(131);
    expect(new Set(list).size).toBe(131);
    const resources = (s.json("openstack").resource ?? {}) as Record<string, Record<string, unknown>>;
    const configured = Object.entries(resources).flatMap(([t, v]) => Object.keys(v).map((n) => `${t}.${n}`));
    expect(list.sort()).toEqual(configured.sort());
    // And the world holds each object once: nothing was created twice.
    expect(Object.keys(bench.world.objects("juju", "juju_application"))).toHaveLength(26);
    expect(Object.keys(bench.world.objects("juju", "juju_machine"))).toHaveLength(24);
  }, 60_000);
});
