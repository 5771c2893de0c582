/**
 * Test bench: run real `terraform` against the provider simulator.
 *
 *     const bench = createBench();                 // vendored maas/lxd/juju/openstack
 *     const dir = stackDir({ "main.tf.json": {...} }); // or a cdktf.out/stacks/<name> dir
 *     await bench.tf(dir, ["init"]);
 *     const plan = await bench.plan(dir);          // parsed `show -json` of the saved plan
 *     bench.world.update("maas", (w) => { ... });  // change the world behind Terraform's back
 *
 * Every bench has its own filesystem mirror, CLI configuration and world
 * directory under a temporary folder; the simulator bundle itself is built
 * once into <project>/.sim/build. If `terraform` is not on PATH, creating a
 * bench throws (tests fail, they never skip).
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  DEFAULT_SCHEMA_DIR,
  ProviderFiles,
  SIMULATOR_DIR,
  SimulatorInstall,
  discoverProviders,
  ensureSimulator,
  simulatorEnv,
} from "../simulator/build";
import { WorldData, WorldObject, readWorldFile, withFileLock, worldFile, writeWorldFile } from "../simulator/src/world";

export type { ProviderFiles, SimulatorInstall } from "../simulator/build";
export type { WorldData, WorldObject } from "../simulator/src/world";

/** The fixture provider `example/sim` used by the simulator's own tests. */
export function fixtureProvider(): ProviderFiles {
  const dir = path.join(SIMULATOR_DIR, "__fixtures__");
  return { schemaFile: path.join(dir, "sim.json"), metaFile: path.join(dir, "sim.meta.json") };
}

/** The vendored providers (providers/schemas/<name>.json + .meta.json). */
export function vendoredProviders(): ProviderFiles[] {
  return discoverProviders(DEFAULT_SCHEMA_DIR);
}

let terraformChecked: string | undefined;

/** The `terraform` version line; throws a clear error when terraform is missing. */
export function requireTerraform(): string {
  if (terraformChecked) return terraformChecked;
  const r = spawnSync("terraform", ["version"], { encoding: "utf8", env: { ...process.env, CHECKPOINT_DISABLE: "1" } });
  if (r.error || r.status !== 0) {
    throw new Error(
      "terraform is required by the simulator test bench but could not be run " +
        `(${r.error ? r.error.message : `exit ${r.status}: ${r.stderr}`}). Install Terraform 1.11+ and put it on PATH.`,
    );
  }
  terraformChecked = r.stdout.split("\n")[0]!;
  return terraformChecked;
}

export interface TfResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Milliseconds the command took. */
  ms: number;
}

/** Access to a bench's world files, one per provider short name (maas, lxd, juju, openstack, sim). */
export class WorldFiles {
  constructor(readonly dir: string) {}

  file(provider: string): string {
    return worldFile(this.dir, provider);
  }

  read(provider: string): WorldData {
    return readWorldFile(this.file(provider));
  }

  /** Locked read-modify-write (safe against a running plugin). */
  update<T>(provider: string, fn: (w: WorldData) => T): T {
    const f = this.file(provider);
    return withFileLock(f, () => {
      const w = readWorldFile(f);
      const r = fn(w);
      writeWorldFile(f, w);
      return r;
    });
  }

  /** The objects of one type, keyed by id. */
  objects(provider: string, type: string): Record<string, WorldObject> {
    return this.read(provider).objects[type] ?? {};
  }

  /** Puts (or replaces) an object, e.g. to seed what a data source finds. */
  put(provider: string, type: string, id: string, obj: WorldObject): void {
    this.update(provider, (w) => void ((w.objects[type] ??= {})[id] = obj));
  }

  /** Changes attributes of an existing object; throws if it does not exist. */
  patch(provider: string, type: string, id: string, attrs: WorldObject): void {
    this.update(provider, (w) => {
      const obj = w.objects[type]?.[id];
      if (!obj) throw new Error(`world ${provider}: no ${type} "${id}"`);
      Object.assign(obj, attrs);
    });
  }

  /** Deletes an object out of band; throws if it does not exist. */
  remove(provider: string, type: string, id: string): void {
    this.update(provider, (w) => {
      if (!w.objects[type]?.[id]) throw new Error(`world ${provider}: no ${type} "${id}"`);
      delete w.objects[type]![id];
    });
  }
}

/** go-plugin's handshake cookie for Terraform providers. */
const MAGIC_COOKIE = { TF_PLUGIN_MAGIC_COOKIE: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2" };

/**
 * Starts one long-lived simulator process per provider and returns the
 * TF_REATTACH_PROVIDERS value pointing Terraform at them.
 */
async function startReattached(
  install: SimulatorInstall,
  env: NodeJS.ProcessEnv,
  children: ChildProcess[],
): Promise<string> {
  const entries = await Promise.all(
    install.providers.map(
      (p) =>
        new Promise<[string, object]>((resolve, reject) => {
          const child = spawn(p.executable, [], {
            env: { ...env, ...MAGIC_COOKIE, SIM_REATTACH: "1", PLUGIN_PROTOCOL_VERSIONS: "6" },
            stdio: ["ignore", "pipe", "pipe"],
          });
          children.push(child);
          let out = "";
          let err = "";
          const timer = setTimeout(() => reject(new Error(`simulator for ${p.address} did not start within 20 s: ${err}`)), 20_000);
          child.stderr!.on("data", (d: Buffer) => (err += d.toString()));
          child.stdout!.on("data", (d: Buffer) => {
            out += d.toString();
            const nl = out.indexOf("\n");
            if (nl < 0) return;
            clearTimeout(timer);
            const [, , network, address] = out.slice(0, nl).split("|");
            resolve([p.address, { Protocol: "grpc", ProtocolVersion: 6, Pid: child.pid, Test: true, Addr: { Network: network, String: address } }]);
          });
          child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`simulator for ${p.address} exited with ${code} before its handshake: ${err}`));
          });
        }),
    ),
  );
  return JSON.stringify(Object.fromEntries(entries));
}

export interface Bench {
  install: SimulatorInstall;
  /** Temporary folder holding mirror, CLI config and world. */
  root: string;
  world: WorldFiles;
  /** Environment for terraform (process env + simulator settings). */
  env: NodeJS.ProcessEnv;
  /**
   * Runs terraform in `cwd`; `-no-color` is added for you (except to
   * `providers`, `state` and `workspace` subcommands). With a reattaching
   * bench, every command but `init` talks to the long-lived simulator
   * processes unless `launch` is set (then Terraform starts the plugins
   * itself, as for a user).
   */
  tf(cwd: string, args: string[], opts?: TfOptions): Promise<TfResult>;
  /** Like tf() but throws with terraform's output unless the exit code is one of `codes` (default [0]). */
  tfOk(cwd: string, args: string[], codes?: number[], opts?: TfOptions): Promise<TfResult>;
  /** `init -input=false`. */
  init(cwd: string): Promise<TfResult>;
  /**
   * `plan -input=false -out=<file> [args]`, then `show -json <file>`; returns
   * the exit code (with -detailed-exitcode: 0 no changes, 2 changes) and the parsed plan.
   */
  plan(cwd: string, args?: string[], opts?: TfOptions): Promise<{ code: number; plan: TfPlanJson; result: TfResult }>;
  /** `apply -input=false -auto-approve [args]`. */
  apply(cwd: string, args?: string[], opts?: TfOptions): Promise<TfResult>;
  /** `show -json` of the state. */
  state(cwd: string): Promise<TfStateJson>;
  /**
   * The environment to run other tools (e.g. `npx cdktf deploy`) against
   * this bench: simulator settings, plus TF_REATTACH_PROVIDERS unless
   * `launch` is set.
   */
  toolEnv(opts?: { launch?: boolean }): Promise<NodeJS.ProcessEnv>;
  /** Stops the long-lived simulator processes and deletes the temporary folder. */
  dispose(): void;
}

export interface TfOptions {
  env?: NodeJS.ProcessEnv;
  stdin?: string;
  /** Let Terraform start the plugins itself even on a reattaching bench. */
  launch?: boolean;
}

export interface TfResourceChange {
  address: string;
  type: string;
  name: string;
  mode: "managed" | "data";
  change: {
    actions: string[];
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    after_unknown?: Record<string, unknown>;
    replace_paths?: (string | number)[][];
  };
  action_reason?: string;
}

export interface TfPlanJson {
  format_version: string;
  resource_changes?: TfResourceChange[];
  resource_drift?: TfResourceChange[];
  [key: string]: unknown;
}

export interface TfStateJson {
  values?: { root_module?: { resources?: { address: string; type: string; values: Record<string, unknown> }[] } };
  [key: string]: unknown;
}

/** Counts resource_changes by action ("create", "update", "delete", "replace", "no-op", "read"). */
export function countActions(plan: TfPlanJson, mode: "managed" | "data" = "managed"): Record<string, number> {
  const out: Record<string, number> = {};
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== mode) continue;
    const a = rc.change.actions;
    const key = a.length === 2 ? "replace" : a[0]!;
    out[key] = (out[key] ?? 0) + 1;
  }
  return out;
}

/** Writes files (objects are JSON-encoded) into a new temporary stack directory. */
export function stackDir(files: Record<string, string | object>, parent?: string): string {
  const dir = fs.mkdtempSync(path.join(parent ?? os.tmpdir(), "sim-stack-"));
  for (const [name, content] of Object.entries(files)) {
    const f = path.join(dir, name);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, typeof content === "string" ? content : JSON.stringify(content, null, 2));
  }
  return dir;
}

/**
 * A bench for the given providers (default: the vendored ones plus the
 * fixture provider), with a fresh world.
 *
 * `reattach` (default true) serves the providers from long-lived simulator
 * processes through TF_REATTACH_PROVIDERS, which takes a Terraform command
 * from ~1 s to a few hundred ms; `init` always installs them from the
 * mirror (writing the lock file), and `{ launch: true }` on a command makes
 * Terraform start the plugins itself as it does for a user.
 */
export function createBench(opts: { providers?: ProviderFiles[]; reattach?: boolean } = {}): Bench {
  requireTerraform();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sim-bench-"));
  const providers = opts.providers ?? [...vendoredProviders(), fixtureProvider()];
  const install = ensureSimulator({ stateDir: root, providers, worldDir: path.join(root, "world") });
  fs.mkdirSync(install.worldDir, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith("TF_") || k.startsWith("SIM_")) delete env[k];
  Object.assign(env, simulatorEnv(install), { SIM_LOG_FILE: path.join(root, "simulator.log") });

  const children: ChildProcess[] = [];
  let reattachValue: Promise<string> | undefined;
  const reattach = opts.reattach ?? true;

  const reattachEnv = async (launch?: boolean): Promise<NodeJS.ProcessEnv> => {
    if (!reattach || launch) return {};
    reattachValue ??= startReattached(install, env, children);
    return { TF_REATTACH_PROVIDERS: await reattachValue };
  };

  const tf = async (cwd: string, args: string[], o: TfOptions = {}): Promise<TfResult> => {
    const [cmd, ...rest] = args;
    const extra = cmd === "init" ? {} : await reattachEnv(o.launch);
    return new Promise((resolve, reject) => {
      const started = Date.now();
      // -no-color goes after the command; commands with subcommands (providers schema, state list...) get it as given.
      const argv = ["providers", "state", "workspace"].includes(cmd!) ? args : [cmd!, "-no-color", ...rest];
      const child = spawn("terraform", argv, {
        cwd,
        env: { ...env, ...extra, ...o.env },
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
      child.on("error", reject);
      child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr, ms: Date.now() - started }));
      child.stdin.end(o.stdin ?? "");
    });
  };

  const tfOk = async (cwd: string, args: string[], codes = [0], o: TfOptions = {}): Promise<TfResult> => {
    const r = await tf(cwd, args, o);
    if (!codes.includes(r.code)) {
      let log = "";
      try {
        log = fs.readFileSync(path.join(root, "simulator.log"), "utf8").split("\n").slice(-20).join("\n");
      } catch {
        /* no log */
      }
      throw new Error(
        `terraform ${args.join(" ")} exited ${r.code} (expected ${codes.join(" or ")}) in ${cwd}\n` +
          `--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}` +
          (log ? `\n--- simulator log (tail)\n${log}` : ""),
      );
    }
    return r;
  };

  let planCounter = 0;
  return {
    install,
    root,
    world: new WorldFiles(install.worldDir),
    env,
    tf,
    tfOk,
    init: (cwd) => tfOk(cwd, ["init", "-input=false"]),
    async plan(cwd, args = [], o = {}) {
      const file = path.join(root, `plan-${++planCounter}.tfplan`);
      const codes = args.includes("-detailed-exitcode") ? [0, 2] : [0];
      const result = await tfOk(cwd, ["plan", "-input=false", `-out=${file}`, ...args], codes, o);
      const show = await tfOk(cwd, ["show", "-json", file], [0], o);
      return { code: result.code, plan: JSON.parse(show.stdout) as TfPlanJson, result };
    },
    apply: (cwd, args = [], o = {}) => tfOk(cwd, ["apply", "-input=false", "-auto-approve", ...args], [0], o),
    async state(cwd) {
      const r = await tfOk(cwd, ["show", "-json"]);
      return JSON.parse(r.stdout) as TfStateJson;
    },
    toolEnv: async (o = {}) => ({ ...env, ...(await reattachEnv(o.launch)) }),
    dispose: () => {
      for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGTERM");
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}
