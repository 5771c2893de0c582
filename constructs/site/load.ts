/**
 * The edge of the system: reads the selected site file, checks it, and derives the site model.
 * This module is the only one that reads files or the environment for configuration (including the key
 * files a site names).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { load as parseYaml, YAMLException } from "js-yaml";
import type { z } from "zod";
import { defaultKeyThreshold, type Controller, type Site, type VaultPgpKey, type VaultSettings, type Worker } from "./model";
import { parsePgpPublicKey } from "./pgp-key";
import { checkSite, type Problem } from "./rules";
import { siteFileSchema, type SiteFile } from "./schema";

/** The project root: the nearest folder above this module holding cdktf.json (works from source and from the dist/ bundle). */
export const PROJECT_ROOT = findProjectRoot(__dirname);
export const SITES_DIR = path.join(PROJECT_ROOT, "sites");
export const DEFAULT_SITE = "default";

/** Every problem of a site file, each with the path of its field. */
export class SiteError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"} in the site file; nothing was synthesized.\n` +
        problems.map((p) => `  - ${p.path || "(file)"}: ${p.message}`).join("\n"),
    );
    this.name = "SiteError";
  }
}

export interface SiteSelection {
  /** A site name (sites/<name>.yaml) or a path to a YAML/JSON file. */
  readonly site?: string;
  /** Hostnames whose stateful objects may be destroyed, or "*" for all. */
  readonly allowDestroy?: string;
}

/**
 * Which site to build, from the environment: SITE (name or path), else cdktf context `site`
 * (cdktf.json "context" or CDKTF_CONTEXT_JSON), else the default site. SITE_ALLOW_DESTROY lifts destroy protection.
 */
export function selectionFromEnvironment(env: NodeJS.ProcessEnv = process.env): SiteSelection {
  let contextSite: string | undefined;
  if (env.CDKTF_CONTEXT_JSON) {
    const context = JSON.parse(env.CDKTF_CONTEXT_JSON) as Record<string, unknown>;
    if (typeof context.site === "string") contextSite = context.site;
  }
  return { site: env.SITE || contextSite || DEFAULT_SITE, allowDestroy: env.SITE_ALLOW_DESTROY };
}

export function resolveSitePath(site: string = DEFAULT_SITE): string {
  if (/[/\\]|\.(ya?ml|json)$/.test(site)) return path.resolve(site);
  for (const ext of [".yaml", ".yml", ".json"]) {
    const candidate = path.join(SITES_DIR, site + ext);
    if (fs.existsSync(candidate)) return candidate;
  }
  const known = fs.readdirSync(SITES_DIR).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith(".schema.json"));
  throw new SiteError(site, [{ path: "", message: `no site named "${site}" in sites/ (known: ${known.join(", ")}); pass a name or a path to a .yaml/.json file` }]);
}

export function loadSite(selection: SiteSelection = selectionFromEnvironment()): Site {
  const file = resolveSitePath(selection.site);
  const source = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) throw new SiteError(source, [{ path: "", message: "file not found" }]);
  return parseSite(fs.readFileSync(file, "utf8"), source, selection.allowDestroy);
}

/**
 * Checks a site document (YAML or JSON text) and derives the model; throws SiteError listing every problem.
 * Files the site names (the Vault operators' keys) are read relative to the folder of `source`.
 */
export function parseSite(text: string, source: string, allowDestroy?: string): Site {
  const raw = parseText(text, source);
  const parsed = siteFileSchema.safeParse(raw);
  if (!parsed.success) throw new SiteError(source, parsed.error.issues.map(shapeProblem));
  const problems = checkSite(parsed.data);
  const vault = readVaultKeys(parsed.data, path.dirname(path.resolve(source)), problems);
  if (problems.length > 0) throw new SiteError(source, problems);
  return { ...deriveSite(parsed.data, source, allowDestroy), ...(vault ? { vault } : {}) };
}

/** Reads and checks each operator's public key file; a missing or wrong file is a problem at its list index. */
function readVaultKeys(file: SiteFile, baseDir: string, problems: Problem[]): VaultSettings | undefined {
  if (!file.vault) return undefined;
  const keys: VaultPgpKey[] = [];
  file.vault.pgpKeys.forEach((keyFile, i) => {
    try {
      keys.push(readPgpKeyFile(keyFile, baseDir));
    } catch (err) {
      const hint = fs.existsSync(path.resolve(baseDir, keyFile)) ? "" : "; paths are relative to the site file's folder";
      problems.push({ path: `vault.pgpKeys[${i}]`, message: (err as Error).message + hint });
    }
  });
  return { pgpKeys: keys, keyThreshold: file.vault.keyThreshold ?? defaultKeyThreshold(keys.length) };
}

function parseText(text: string, source: string): unknown {
  if (source.endsWith(".json")) {
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new SiteError(source, [{ path: "", message: `not valid JSON: ${(err as Error).message}` }]);
    }
  }
  // js-yaml: ~15x faster than the yaml package on a 1,000-worker site, and it rejects duplicate keys.
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    if (!(err instanceof YAMLException)) throw err;
    throw new SiteError(source, [{ path: `line ${err.mark.line + 1}`, message: `not valid YAML: ${err.reason}` }]);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new SiteError(source, [{ path: "", message: "a site file must be a mapping with name, maas, segments, controller and workers" }]);
  }
  return value;
}

const SECRET_KEY = /pass(word)?|secret|api_?key|token|private|credential/i;

function shapeProblem(issue: z.core.$ZodIssue): Problem {
  const pathText = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "");
  if (issue.code === "unrecognized_keys") {
    const secret = issue.keys.filter((k) => SECRET_KEY.test(k));
    const hint = secret.length
      ? `; secrets never go in the site file: export them as sensitive Terraform variables (TF_VAR_...) or the providers' environment variables, see README "Secrets"`
      : "; check the spelling against sites/site.schema.json";
    return { path: pathText, message: `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.join(", ")}${hint}` };
  }
  if (issue.code === "invalid_type" && issue.input === undefined && issue.message.startsWith("Invalid input")) {
    return { path: pathText, message: `is required (${issue.message.replace(/^Invalid input: /, "")})` };
  }
  return { path: pathText, message: issue.message };
}

function deriveSite(file: SiteFile, source: string, allowDestroy?: string): Site {
  const segments = file.segments.map((s) => ({
    ...s,
    fabric: s.fabric ?? s.name,
    space: s.space ?? s.purpose,
    dhcp: s.dhcp ?? s.purpose === "management",
  }));
  const purposeOf = (name: string) => segments.find((s) => s.name === name)?.purpose;
  const managementAddress = file.controller.nics.find((n) => purposeOf(n.segment) === "management" && n.address)!.address!;
  const controller: Controller = {
    ...file.controller,
    managementAddress,
    lxd: { ...file.controller.lxd, address: file.controller.lxd.address ?? `https://${managementAddress}:8443` },
  };
  const workers: Worker[] = file.workers.map((w) => ({
    ...w,
    pxeNic: w.pxeNic ? w.nics.find((n) => n.name === w.pxeNic)! : w.nics.find((n) => purposeOf(n.segment) === "management")!,
  }));
  const allow = (allowDestroy ?? "").split(",").map((h) => h.trim()).filter(Boolean);
  return {
    name: file.name,
    description: file.description,
    source,
    maas: file.maas,
    state: file.state,
    segments,
    controller,
    workers,
    openstack: file.openstack,
    protection: { allowDestroy: allow.filter((h) => h !== "*"), allowDestroyAll: allow.includes("*") },
  };
}

/** One operator's armored public key file; the Error says what is wrong with it. */
export function readPgpKeyFile(keyFile: string, baseDir: string = process.cwd()): VaultPgpKey {
  const full = path.resolve(baseDir, keyFile);
  if (!fs.existsSync(full)) throw new Error(`${keyFile} not found (looked for ${full})`);
  try {
    const key = parsePgpPublicKey(fs.readFileSync(full, "utf8"));
    return { file: keyFile, fingerprint: key.fingerprint, userId: key.userId, armored: key.armored };
  } catch (err) {
    throw new Error(`${keyFile} ${(err as Error).message}`);
  }
}

function findProjectRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "cdktf.json"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no cdktf.json above ${start}; run from inside the project`);
  }
}
