/** Reads the vendored provider schemas and their metadata (providers/schemas). */
import * as fs from "node:fs";
import * as path from "node:path";

export const SCHEMA_DIR = path.resolve(__dirname, "..", "..", "providers", "schemas");

export interface ProviderMeta {
  readonly provider: string;
  readonly source: string;
  readonly registryAddress: string;
  readonly version: string;
  readonly tag: string;
  readonly commit: string;
  /** Per resource type, the attribute paths whose change forces replacement. */
  readonly forceNew: Readonly<Record<string, readonly string[]>>;
  /** Present when only some of the provider's types are vendored: which ones (each complete) and why. */
  readonly subset?: { readonly chosenBy: string; readonly resources: readonly string[]; readonly dataSources: readonly string[] };
}

export interface SchemaBlock {
  readonly attributes?: Record<string, SchemaAttribute>;
  readonly block_types?: Record<string, { nesting_mode: string; block: SchemaBlock; min_items?: number; max_items?: number }>;
}

export interface SchemaAttribute {
  readonly type?: unknown;
  readonly nested_type?: { attributes: Record<string, SchemaAttribute>; nesting_mode: string };
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
}

export interface ProviderSchemaFile {
  readonly format_version: string;
  readonly provider_schemas: Record<
    string,
    {
      provider: { block: SchemaBlock };
      resource_schemas?: Record<string, { version: number; block: SchemaBlock }>;
      data_source_schemas?: Record<string, { version: number; block: SchemaBlock }>;
    }
  >;
}

export interface VendoredProvider {
  readonly meta: ProviderMeta;
  readonly schema: ProviderSchemaFile;
}

/** Every provider vendored in providers/schemas, each schema checked to carry exactly its own registry address. */
export function loadVendoredProviders(dir: string = SCHEMA_DIR): VendoredProvider[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".meta.json"))
    .sort()
    .map((metaFile) => {
      const meta = JSON.parse(fs.readFileSync(path.join(dir, metaFile), "utf8")) as ProviderMeta;
      const schema = JSON.parse(
        fs.readFileSync(path.join(dir, metaFile.replace(/\.meta\.json$/, ".json")), "utf8"),
      ) as ProviderSchemaFile;
      const keys = Object.keys(schema.provider_schemas);
      if (keys.length !== 1 || keys[0] !== meta.registryAddress) {
        throw new Error(`${metaFile}: schema must hold exactly "${meta.registryAddress}", found ${JSON.stringify(keys)}`);
      }
      return { meta, schema };
    });
}

/** The file name `cdktf get`'s schema cache looks up for a constraint (see @cdktf/provider-schema cache.js). */
export function schemaCacheFileName(constraint: { fqn: string; version?: string }): string {
  return `${encodeURIComponent(constraint.fqn)}@${encodeURIComponent(constraint.version ?? "")}.json`;
}
