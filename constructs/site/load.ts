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
import { DEFAULT_FLAVORS, siteFileSchema, type SiteFile } from "./schema";
import { defaultGateways } from "./gateways";
import type { Cloud, OpenStackSettings, Segment } from "./model";

/** The project root: the nearest folder above this module holding cdktf.json (works from source and from the dist/ bundle). */
export const PROJECT_ROOT = findProjectRoot(__dirname);
export const SITES_DIR = path.join(PROJECT_ROOT, "sites");
export const DEFAULT_SITE = "default";

/**
 * Every problem of the user's input, each with the path of its field (or the setting that holds it): the site file's
 * problems, or those of the site selection (SITE, the cdktf context) when there is no file to read.
 */
export class SiteError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly Problem[],
    subject = "in the site file",
  ) {
    super(
      `${source}: ${problems.length} problem${problems.length === 1 ? "" : "s"} ${subject}; nothing was synthesized.\n` +
        problems.map((p) => `  - ${p.path || "(file)"}: ${p.message}`).join("\n"),
    );
    this.name = "SiteError";
  }
}

function selectionError(source: string, setting: string, message: string): SiteError {
  return new SiteError(source, [{ path: setting, message }], "in the site selection");
}

export interface SiteSelection {
  /** A site name (sites/<name>.yaml) or a path to a YAML/JSON file. */
  readonly site?: string;
  /** The setting that named the site, for messages (SITE, the cdktf context's site). */
  readonly setting?: string;
  /** Hostnames whose stateful objects may be destroyed, or "*" for all. */
  readonly allowDestroy?: string;
}

const CONTEXT_SITE = 'cdktf context "site"';

/**
 * Which site to build, from the environment: SITE (name or path), else cdktf context `site`
 * (cdktf.json "context" or CDKTF_CONTEXT_JSON), else the default site. SITE_ALLOW_DESTROY lifts destroy protection.
 */
export function selectionFromEnvironment(env: NodeJS.ProcessEnv = process.env): SiteSelection {
  const allowDestroy = env.SITE_ALLOW_DESTROY;
  if (env.SITE) return { site: env.SITE, setting: "SITE", allowDestroy };
  if (env.CDKTF_CONTEXT_JSON) {
    let context: unknown;
    try {
      context = JSON.parse(env.CDKTF_CONTEXT_JSON);
    } catch (err) {
      throw selectionError("CDKTF_CONTEXT_JSON", "CDKTF_CONTEXT_JSON", `not valid JSON (${(err as Error).message}); it holds the cdktf context, e.g. {"site":"sites/my-site.yaml"}: fix it or unset it`);
    }
    const site = (context as Record<string, unknown> | null)?.site;
    if (typeof site === "string" && site !== "") return { site, setting: CONTEXT_SITE, allowDestroy };
    if (site !== undefined) {
      throw selectionError(CONTEXT_SITE, CONTEXT_SITE, `must be a site name or the path of a .yaml/.json site file, got ${JSON.stringify(site)}; fix "context" in cdktf.json (or CDKTF_CONTEXT_JSON)`);
    }
  }
  return { site: DEFAULT_SITE, allowDestroy };
}

/** The file a site name or path stands for; `setting` names where it came from, for the message when there is none. */
export function resolveSitePath(site: string = DEFAULT_SITE, setting = "site"): string {
  if (/[/\\]|\.(ya?ml|json)$/.test(site)) return path.resolve(site);
  for (const ext of [".yaml", ".yml", ".json"]) {
    const candidate = path.join(SITES_DIR, site + ext);
    if (fs.existsSync(candidate)) return candidate;
  }
  const known = fs.readdirSync(SITES_DIR).filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith(".schema.json"));
  throw selectionError(site, setting, `no site named "${site}" in sites/ (known: ${known.join(", ")}); give one of those names or the path of a .yaml/.json site file`);
}

export function loadSite(selection: SiteSelection = selectionFromEnvironment()): Site {
  const setting = selection.setting ?? "site";
  const file = resolveSitePath(selection.site, setting);
  const source = path.relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === "ENOENT" ? `no file ${file}; check the path (a relative one starts from ${process.cwd()})`
      : code === "EISDIR" ? `${file} is a folder; name a .yaml or .json site file in it`
      : `cannot read ${file} (${(err as Error).message}); check its permissions`;
    throw selectionError(selection.site ?? source, setting, what);
  }
  return parseSite(text, source, selection.allowDestroy);
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
  const cloud = deriveCloud(file, segments);
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
    openstack: deriveOpenStack(file, cloud),
    cloud,
    protection: { allowDestroy: allow.filter((h) => h !== "*"), allowDestroyAll: allow.includes("*") },
  };
}

function deriveOpenStack(file: SiteFile, cloud: Cloud): OpenStackSettings {
  const ovn = file.openstack.ovn;
  return { ...file.openstack, ovn: { ...ovn, gateways: ovn.gateways ?? defaultGateways(file.workers, cloud.external.segment.name) } };
}

function deriveCloud(file: SiteFile, segments: readonly Segment[]): Cloud {
  const c = file.cloud;
  // The rules made sure this finds exactly one external segment, with a floating range and a gateway.
  const named = c.external.segment;
  const segment = (named ? segments.find((s) => s.name === named) : segments.find((s) => s.purpose === "external" && s.floating))!;
  const vlan = c.external.switchPort === "tagged";
  return {
    external: {
      name: c.external.name,
      segment,
      physnet: file.openstack.ovn.physnet,
      switchPort: c.external.switchPort,
      networkType: vlan ? "vlan" : "flat",
      segmentationId: vlan ? segment.vlan : undefined,
      gateway: segment.gateway!,
      allocationPool: segment.floating!,
    },
    flavors: (c.flavors ?? DEFAULT_FLAVORS).map((f) => ({ extraSpecs: {}, ...f })),
    imageCache: c.imageCache,
    images: c.images.map(({ url, file: imageFile, ...image }) => ({
      ...image,
      url,
      // The checksum in the name: a new checksum is a new file, never a stale download of the old one.
      localFile: imageFile ?? `${c.imageCache.replace(/\/$/, "")}/${image.name}-${image.sha256.slice(0, 16)}.img`,
    })),
    projects: c.projects.map((p) => ({
      name: p.name,
      description: p.description,
      members: p.members,
      role: p.role,
      quotas: {
        compute: pick(p.quotas, ["instances", "cores", "ramMiB"]),
        volume: pick(p.quotas, ["volumes", "volumeGiB", "snapshots"]),
        network: pick(p.quotas, ["networks", "subnets", "ports", "routers", "floatingIps", "securityGroups", "securityGroupRules"]),
      },
      network: { cidr: p.network.cidr, dns: p.network.dns ?? segment.dns },
      access: p.access,
    })),
  };
}

function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  return Object.fromEntries(keys.filter((k) => from[k] !== undefined).map((k) => [k, from[k]])) as Pick<T, K>;
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
