/**
 * For maintainers with network access: asks the real providers for their schemas
 * (`terraform init` + `terraform providers schema -json` at the vendored versions, or --upgrade to
 * the newest release matching cdktf.json) and shows how they differ from providers/schemas.
 * With --write it replaces the vendored schemas (and the version in each .meta.json); review the
 * diff, update `commit`/`forceNew` in the meta files from the provider's source, then `npm run get`.
 * A provider vendored as a subset (`subset` in its .meta.json) is compared and written for the listed
 * types only.
 *
 *   npm run schemas:refresh [-- --upgrade] [-- --write]
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadVendoredProviders, SCHEMA_DIR, type ProviderMeta, type ProviderSchemaFile } from "./vendored";

/** Keys sorted at every level, 2-space indent: the vendored files' canonical form, so diffs are small. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(sort) : v && typeof v === "object" ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, x]) => [k, sort(x)])) : v;
  return JSON.stringify(sort(value), null, 2) + "\n";
}

type ProviderSchemaJson = ProviderSchemaFile["provider_schemas"][string];

/** The part of a provider's schema that is vendored: all of it, or for a subset provider only the listed types. */
export function vendoredPart(meta: ProviderMeta, schema: ProviderSchemaJson): ProviderSchemaJson {
  if (!meta.subset) return schema;
  const pick = <T>(all: Record<string, T> | undefined, names: readonly string[]) => {
    const missing = names.filter((n) => !all?.[n]);
    if (missing.length) throw new Error(`${meta.source}: the subset in ${meta.provider}.meta.json names types the provider no longer has: ${missing.join(", ")}`);
    return Object.fromEntries(names.map((n) => [n, all![n]!]));
  };
  return {
    ...schema,
    resource_schemas: pick(schema.resource_schemas, meta.subset.resources),
    data_source_schemas: pick(schema.data_source_schemas, meta.subset.dataSources),
  };
}

function main(): void {
  const upgrade = process.argv.includes("--upgrade");
  const write = process.argv.includes("--write");
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(SCHEMA_DIR, "..", "..", "cdktf.json"), "utf8"));
  const constraints = new Map<string, string>((cdktfJson.terraformProviders as string[]).map((c) => c.split("@") as [string, string]));
  const vendored = loadVendoredProviders();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "schema-refresh-"));
  const required = vendored
    .map((v) => `    ${v.meta.provider} = { source = "${v.meta.source}", version = "${upgrade ? constraints.get(v.meta.source) : v.meta.version}" }`)
    .join("\n");
  fs.writeFileSync(path.join(work, "main.tf"), `terraform {\n  required_providers {\n${required}\n  }\n}\n`);
  // The maintainer's own CLI config may mirror or cache providers; an empty one asks the registry.
  const env = { ...process.env, TF_CLI_CONFIG_FILE: process.env.SCHEMA_REFRESH_CLI_CONFIG ?? "/dev/null", CHECKPOINT_DISABLE: "1" };
  execFileSync("terraform", ["init", "-input=false", "-no-color"], { cwd: work, env, stdio: ["ignore", "inherit", "inherit"] });
  const all = JSON.parse(execFileSync("terraform", ["providers", "schema", "-json"], { cwd: work, env, maxBuffer: 1 << 28 }).toString());
  const lock = fs.readFileSync(path.join(work, ".terraform.lock.hcl"), "utf8");
  let differs = false;
  for (const { meta } of vendored) {
    const fresh = canonicalJson({ format_version: all.format_version, provider_schemas: { [meta.registryAddress]: vendoredPart(meta, all.provider_schemas[meta.registryAddress]) } });
    const file = path.join(SCHEMA_DIR, `${meta.provider}.json`);
    const version = new RegExp(`provider "${meta.registryAddress.replace(/\./g, "\\.")}" {\\s*version\\s*=\\s*"([^"]+)"`).exec(lock)?.[1];
    const freshFile = path.join(work, `${meta.provider}.json`);
    fs.writeFileSync(freshFile, fresh);
    try {
      execFileSync("git", ["diff", "--no-index", "--stat", "--", file, freshFile], { stdio: "inherit" });
      console.log(`${meta.source}: vendored ${meta.version} matches ${version}`);
    } catch {
      differs = true;
      execFileSync("git", ["--no-pager", "diff", "--no-index", "--", file, freshFile], { stdio: "inherit" });
    }
    if (write) {
      fs.copyFileSync(freshFile, file);
      const metaFile = path.join(SCHEMA_DIR, `${meta.provider}.meta.json`);
      fs.writeFileSync(metaFile, JSON.stringify({ ...meta, version, tag: `v${version}` }, null, 2) + "\n");
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
  if (differs && !write) process.exitCode = 3;
}

if (require.main === module) main();
