/**
 * Checks a synthesized stack (cdk.tf.json) against vendored provider schemas (`terraform providers
 * schema -json` format, providers/schemas/*.json): every resource, data source and provider block must
 * exist, use only known attributes and blocks, set no read-only attribute, give every required one,
 * respect block item counts, and give literals of the right primitive type.
 */
import * as fs from "node:fs";
import * as path from "node:path";

interface SchemaAttribute {
  readonly type?: unknown;
  readonly nested_type?: { readonly nesting_mode: string; readonly attributes: Record<string, SchemaAttribute> };
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
}

interface SchemaBlock {
  readonly attributes?: Record<string, SchemaAttribute>;
  readonly block_types?: Record<string, { readonly nesting_mode: string; readonly block: SchemaBlock; readonly min_items?: number; readonly max_items?: number }>;
}

interface ProviderSchema {
  readonly provider?: { readonly block: SchemaBlock };
  readonly resource_schemas?: Record<string, { readonly block: SchemaBlock }>;
  readonly data_source_schemas?: Record<string, { readonly block: SchemaBlock }>;
}

/** Terraform's built-in provider, which has no schema file: terraform_data and terraform_remote_state. */
const BUILTIN: ProviderSchema = {
  resource_schemas: {
    terraform_data: {
      block: {
        attributes: {
          id: { type: "string", computed: true },
          input: { type: "dynamic", optional: true },
          output: { type: "dynamic", computed: true },
          triggers_replace: { type: "dynamic", optional: true },
        },
      },
    },
  },
  data_source_schemas: {
    terraform_remote_state: {
      block: {
        attributes: {
          backend: { type: "string", required: true },
          config: { type: "dynamic", optional: true },
          defaults: { type: "dynamic", optional: true },
          outputs: { type: "dynamic", computed: true },
          workspace: { type: "string", optional: true },
        },
      },
    },
  },
};

const RESOURCE_META = new Set(["//", "count", "for_each", "depends_on", "provider", "lifecycle", "provisioner", "connection"]);
const DATA_META = new Set(["//", "count", "for_each", "depends_on", "provider", "lifecycle"]);
const PROVIDER_META = new Set(["//", "alias"]);

export class SchemaConformance {
  /** Loads schema files, e.g. `SchemaConformance.fromFiles(["maas", "lxd"])` for providers/schemas/{maas,lxd}.json. */
  static fromFiles(namesOrPaths: readonly string[]): SchemaConformance {
    const schemasDir = path.resolve(__dirname, "..", "..", "providers", "schemas");
    const providers = new Map<string, ProviderSchema>();
    for (const entry of namesOrPaths) {
      const file = entry.endsWith(".json") ? path.resolve(entry) : path.join(schemasDir, `${entry}.json`);
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as { provider_schemas: Record<string, ProviderSchema> };
      for (const [address, schema] of Object.entries(json.provider_schemas)) providers.set(address.split("/").pop()!, schema);
    }
    return new SchemaConformance(providers);
  }

  private readonly resources = new Map<string, SchemaBlock>();
  private readonly dataSources = new Map<string, SchemaBlock>();

  private constructor(private readonly providers: ReadonlyMap<string, ProviderSchema>) {
    for (const schema of [...providers.values(), BUILTIN]) {
      for (const [type, s] of Object.entries(schema.resource_schemas ?? {})) this.resources.set(type, s.block);
      for (const [type, s] of Object.entries(schema.data_source_schemas ?? {})) this.dataSources.set(type, s.block);
    }
  }

  /** Every violation in a parsed cdk.tf.json, as "<where>: <what>"; empty when the stack conforms. */
  problems(stack: Record<string, unknown>): string[] {
    const problems: string[] = [];
    const sections: [string, Map<string, SchemaBlock>, Set<string>, string][] = [
      ["resource", this.resources, RESOURCE_META, ""],
      ["data", this.dataSources, DATA_META, "data."],
    ];
    for (const [section, schemas, meta, prefix] of sections) {
      for (const [type, instances] of Object.entries((stack[section] ?? {}) as Record<string, Record<string, unknown>>)) {
        const block = schemas.get(type);
        for (const [name, body] of Object.entries(instances)) {
          const where = `${prefix}${type}.${name}`;
          if (!block) problems.push(`${where}: no ${section === "data" ? "data source" : "resource"} type ${type} in the provider schemas`);
          else checkBlock(block, body, where, meta, problems);
        }
      }
    }
    for (const [name, configs] of Object.entries((stack.provider ?? {}) as Record<string, unknown[]>)) {
      const schema = this.providers.get(name);
      if (!schema?.provider) {
        problems.push(`provider.${name}: no schema for provider ${name}`);
        continue;
      }
      configs.forEach((config, i) => checkBlock(schema.provider!.block, config, `provider.${name}[${i}]`, PROVIDER_META, problems));
    }
    return problems;
  }
}

function checkBlock(block: SchemaBlock, body: unknown, where: string, meta: ReadonlySet<string>, problems: string[]): void {
  if (isExpression(body)) return;
  if (!isObject(body)) {
    problems.push(`${where}: expected an object, got ${JSON.stringify(body)}`);
    return;
  }
  const attributes = block.attributes ?? {};
  const blocks = block.block_types ?? {};
  for (const [key, value] of Object.entries(body)) {
    if (meta.has(key)) continue;
    const attribute = attributes[key];
    const nested = blocks[key];
    if (attribute) {
      if (attribute.computed && !attribute.optional && !attribute.required) problems.push(`${where}.${key}: read-only attribute is set`);
      else checkAttribute(attribute, value, `${where}.${key}`, problems);
    } else if (nested) {
      const items = nested.nesting_mode === "single" || nested.nesting_mode === "group" ? (Array.isArray(value) ? value : [value]) : value;
      if (isExpression(items)) continue;
      if (!Array.isArray(items)) {
        problems.push(`${where}.${key}: block ${nested.nesting_mode} expects a list of blocks`);
        continue;
      }
      const max = nested.nesting_mode === "single" ? 1 : nested.max_items;
      if (max !== undefined && max > 0 && items.length > max) problems.push(`${where}.${key}: at most ${max} block(s), got ${items.length}`);
      if (nested.min_items && items.length < nested.min_items) problems.push(`${where}.${key}: at least ${nested.min_items} block(s), got ${items.length}`);
      items.forEach((item, i) => checkBlock(nested.block, item, `${where}.${key}[${i}]`, new Set(), problems));
    } else {
      problems.push(`${where}: unknown attribute or block ${key}`);
    }
  }
  for (const [key, attribute] of Object.entries(attributes)) {
    if (attribute.required && !(key in body)) problems.push(`${where}: required attribute ${key} is missing`);
  }
  for (const [key, nested] of Object.entries(blocks)) {
    if (nested.min_items && !(key in body)) problems.push(`${where}: required block ${key} is missing`);
  }
}

function checkAttribute(attribute: SchemaAttribute, value: unknown, where: string, problems: string[]): void {
  if (value === null || isExpression(value)) return;
  if (attribute.nested_type) {
    const { nesting_mode: mode, attributes } = attribute.nested_type;
    const objects = mode === "single" ? [value] : mode === "map" && isObject(value) ? Object.values(value) : value;
    if (!Array.isArray(objects)) {
      problems.push(`${where}: nested ${mode} attribute expects ${mode === "map" ? "an object" : "a list"}`);
      return;
    }
    objects.forEach((o, i) => checkBlock({ attributes }, o, `${where}[${i}]`, new Set(), problems));
    return;
  }
  const expected = typeMismatch(attribute.type, value);
  if (expected) problems.push(`${where}: expected ${expected}, got ${JSON.stringify(value)}`);
}

/** What the literal should have been, or undefined when it fits (Terraform converts numbers and bools to strings). */
function typeMismatch(type: unknown, value: unknown): string | undefined {
  if (type === "dynamic" || type === undefined) return undefined;
  if (type === "string") return typeof value === "object" ? "a string" : undefined;
  if (type === "number") return typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) ? undefined : "a number";
  if (type === "bool") return typeof value === "boolean" || value === "true" || value === "false" ? undefined : "a bool";
  if (Array.isArray(type)) {
    const [kind, element] = type as [string, unknown];
    if (kind === "list" || kind === "set") {
      if (!Array.isArray(value)) return `a ${kind}`;
      return value.map((v) => (isExpression(v) ? undefined : typeMismatch(element, v))).find(Boolean);
    }
    if (kind === "map" || kind === "object") return isObject(value) ? undefined : `a ${kind}`;
  }
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A whole-value Terraform expression ("${…}"), whose shape is only known at plan time. */
function isExpression(value: unknown): boolean {
  return typeof value === "string" && value.startsWith("${") && value.endsWith("}");
}
