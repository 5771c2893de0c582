/**
 * Builds the provider simulator and installs it for Terraform:
 *
 * - bundles src/server.ts (with the protocol descriptors inlined) into
 *   `<state>/build/simulator.cjs` with esbuild;
 * - writes one wrapper script per provider into a filesystem mirror, unpacked
 *   layout: `<mirror>/<host>/<ns>/<type>/<version>/<os>_<arch>/terraform-provider-<type>_v<version>`;
 * - writes a Terraform CLI configuration that installs those providers from
 *   the mirror only.
 *
 * `<state>` defaults to `<project>/.sim` (ignored by git through its own
 * .gitignore).
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROTO_FILES, parseProtoFiles } from "./src/protoparse";
import type { ProviderMeta } from "./src/schema";

export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");
export const SIMULATOR_DIR = path.join(PROJECT_ROOT, "tools", "simulator");
export const DEFAULT_STATE_DIR = path.join(PROJECT_ROOT, ".sim");
export const DEFAULT_SCHEMA_DIR = path.join(PROJECT_ROOT, "providers", "schemas");

export interface ProviderFiles {
  /** `terraform providers schema -json` output holding this one provider. */
  schemaFile: string;
  /** {provider, source, version, forceNew, ...} */
  metaFile: string;
}

export interface InstalledProvider {
  name: string;
  /** e.g. registry.terraform.io/canonical/maas */
  address: string;
  version: string;
  executable: string;
}

export interface SimulatorInstall {
  stateDir: string;
  bundle: string;
  mirrorDir: string;
  cliConfigFile: string;
  worldDir: string;
  providers: InstalledProvider[];
}

/** The vendored providers: every `<name>.meta.json` with a `<name>.json` beside it. */
export function discoverProviders(dir = DEFAULT_SCHEMA_DIR): ProviderFiles[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".meta.json"))
    .sort()
    .map((f) => ({ metaFile: path.join(dir, f), schemaFile: path.join(dir, f.replace(/\.meta\.json$/, ".json")) }))
    .filter((p) => fs.existsSync(p.schemaFile));
}

function newestMtime(files: string[]): number {
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

function sourceFiles(): string[] {
  const src = path.join(SIMULATOR_DIR, "src");
  // Recursive: the twin's rule tables live in src/twin/, and seed.ts beside build.ts is bundled too.
  const ts = (fs.readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts")).map((f) => path.join(src, f));
  return [
    ...ts,
    path.join(SIMULATOR_DIR, "seed.ts"),
    ...PROTO_FILES.map((f) => path.join(SIMULATOR_DIR, f)),
    path.join(SIMULATOR_DIR, "loader.cjs"),
  ];
}

/** Bundles the simulator unless the bundle is newer than every source file. */
export function buildBundle(bundle: string, force = false): void {
  if (!force && fs.existsSync(bundle) && fs.existsSync(loaderOf(bundle)) && fs.statSync(bundle).mtimeMs >= newestMtime(sourceFiles())) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  fs.mkdirSync(path.dirname(bundle), { recursive: true });
  const tmp = `${bundle}.${process.pid}.tmp`;
  esbuild.buildSync({
    entryPoints: [path.join(SIMULATOR_DIR, "src", "server.ts")],
    outfile: tmp,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    sourcemap: false,
    legalComments: "none",
    logLevel: "error",
    define: { __SIM_PROTO_JSON__: JSON.stringify(parseProtoFiles(SIMULATOR_DIR)) },
  });
  fs.renameSync(tmp, bundle);
  fs.rmSync(`${bundle}.cache`, { force: true });
  fs.copyFileSync(path.join(SIMULATOR_DIR, "loader.cjs"), loaderOf(bundle));
}

/** The start script beside the bundle (uses a V8 code cache). */
export function loaderOf(bundle: string): string {
  return path.join(path.dirname(bundle), "loader.cjs");
}

function platformDir(): string {
  const arch = process.arch === "x64" ? "amd64" : process.arch === "ia32" ? "386" : process.arch;
  return `${process.platform}_${arch}`;
}

const shQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Writes a file only when its content changes (keeps the mirror's hashes and mtimes stable). */
function writeIfChanged(file: string, content: string, mode?: number): void {
  if (fs.existsSync(file) && fs.readFileSync(file, "utf8") === content) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content, { mode });
  fs.renameSync(tmp, file);
}

export function providerIdentity(p: ProviderFiles): { name: string; address: string; version: string } {
  const meta = JSON.parse(fs.readFileSync(p.metaFile, "utf8")) as ProviderMeta;
  const address = meta.registryAddress ?? (meta.source.split("/").length === 3 ? meta.source : `registry.terraform.io/${meta.source}`);
  const type = address.split("/")[2]!;
  return { name: meta.provider ?? type, address, version: meta.version };
}

export interface ProviderSettings {
  numericIds?: boolean;
}

/** tools/simulator/settings.json: per-provider simulator behaviour. */
export function providerSettings(name: string): ProviderSettings {
  const all = JSON.parse(fs.readFileSync(path.join(SIMULATOR_DIR, "settings.json"), "utf8")) as Record<string, ProviderSettings>;
  return all[name] ?? {};
}

/** Installs one wrapper per provider into the mirror. */
export function installMirror(mirrorDir: string, bundle: string, defaultWorldDir: string, providers: ProviderFiles[]): InstalledProvider[] {
  return providers.map((p) => {
    const { name, address, version } = providerIdentity(p);
    const settings = providerSettings(name);
    const type = address.split("/")[2]!;
    const executable = path.join(mirrorDir, address, version, platformDir(), `terraform-provider-${type}_v${version}`);
    const script = [
      "#!/bin/sh",
      `# Terraform provider simulator for ${address} ${version} (written by tools/simulator/build.ts)`,
      `SIM_PROVIDER=${shQuote(name)}`,
      `SIM_SCHEMA_FILE=${shQuote(path.resolve(p.schemaFile))}`,
      `SIM_META_FILE=${shQuote(path.resolve(p.metaFile))}`,
      `SIM_NUMERIC_IDS=${settings.numericIds ? "1" : "0"}`,
      `: "\${SIM_WORLD_DIR:=${defaultWorldDir}}"`,
      "export SIM_PROVIDER SIM_SCHEMA_FILE SIM_META_FILE SIM_NUMERIC_IDS SIM_WORLD_DIR",
      `exec ${shQuote(process.execPath)} ${shQuote(loaderOf(path.resolve(bundle)))} "$@"`,
      "",
    ].join("\n");
    writeIfChanged(executable, script, 0o755);
    fs.chmodSync(executable, 0o755);
    return { name, address, version, executable };
  });
}

/** Starts one plugin briefly so that loader.cjs writes the V8 code cache. */
function warmCodeCache(p: InstalledProvider, worldDir: string): void {
  spawnSync(p.executable, [], {
    env: {
      ...process.env,
      TF_PLUGIN_MAGIC_COOKIE: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
      PLUGIN_PROTOCOL_VERSIONS: "6",
      SIM_REATTACH: "1",
      SIM_WARMUP: "1",
      SIM_WORLD_DIR: worldDir,
    },
    stdio: "ignore",
    timeout: 15_000,
  });
}

export function cliConfig(mirrorDir: string, addresses: string[]): string {
  const list = addresses.map((a) => JSON.stringify(a)).join(", ");
  return [
    "# Terraform CLI configuration for the provider simulator (written by tools/simulator/build.ts).",
    "disable_checkpoint = true",
    "provider_installation {",
    "  filesystem_mirror {",
    `    path    = ${JSON.stringify(mirrorDir)}`,
    `    include = [${list}]`,
    "  }",
    "  direct {",
    `    exclude = [${list}]`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/**
 * Builds (when stale) and installs the simulator for the given providers
 * (default: the vendored ones) under `stateDir`.
 */
export function ensureSimulator(
  opts: { stateDir?: string; providers?: ProviderFiles[]; worldDir?: string; force?: boolean } = {},
): SimulatorInstall {
  const stateDir = path.resolve(opts.stateDir ?? DEFAULT_STATE_DIR);
  fs.mkdirSync(stateDir, { recursive: true });
  if (stateDir === DEFAULT_STATE_DIR) writeIfChanged(path.join(stateDir, ".gitignore"), "*\n");
  const bundle = path.join(DEFAULT_STATE_DIR, "build", "simulator.cjs");
  buildBundle(bundle, opts.force);
  const mirrorDir = path.join(stateDir, "mirror");
  const worldDir = path.resolve(opts.worldDir ?? path.join(stateDir, "world"));
  const providers = installMirror(mirrorDir, bundle, worldDir, opts.providers ?? discoverProviders());
  if (providers.length > 0 && !fs.existsSync(`${bundle}.cache`)) warmCodeCache(providers[0]!, worldDir);
  const cliConfigFile = path.join(stateDir, "terraform.rc");
  writeIfChanged(cliConfigFile, cliConfig(mirrorDir, providers.map((p) => p.address)));
  return { stateDir, bundle, mirrorDir, cliConfigFile, worldDir, providers };
}

/** Environment under which plain `terraform` runs against the simulator. */
export function simulatorEnv(install: SimulatorInstall, worldDir = install.worldDir): Record<string, string> {
  return {
    TF_CLI_CONFIG_FILE: install.cliConfigFile,
    SIM_WORLD_DIR: worldDir,
    CHECKPOINT_DISABLE: "1",
    TF_IN_AUTOMATION: "1",
  };
}

if (require.main === module) {
  const install = ensureSimulator({ force: process.argv.includes("--force") });
  process.stdout.write(
    `simulator bundle: ${install.bundle}\nmirror: ${install.mirrorDir}\nCLI config: ${install.cliConfigFile}\n` +
      install.providers.map((p) => `  ${p.address} ${p.version}\n`).join(""),
  );
}
