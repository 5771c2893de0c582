/**
 * Provider schemas in the JSON form of `terraform providers schema -json`,
 * the types they imply, schema-aware value walks, and their protobuf form.
 */
import { CtyType, ObjectValue, UNKNOWN, Value, coerce, isObject, isUnknown } from "./cty";

export type NestingMode = "single" | "list" | "set" | "map" | "group";

export interface JsonAttribute {
  type?: CtyType;
  nested_type?: JsonNestedType;
  description?: string;
  description_kind?: string;
  required?: boolean;
  optional?: boolean;
  computed?: boolean;
  sensitive?: boolean;
  deprecated?: boolean;
  write_only?: boolean;
}

export interface JsonNestedType {
  attributes: Record<string, JsonAttribute>;
  nesting_mode: Exclude<NestingMode, "group">;
  min_items?: number;
  max_items?: number;
}

export interface JsonBlock {
  attributes?: Record<string, JsonAttribute>;
  block_types?: Record<string, JsonBlockType>;
  description?: string;
  description_kind?: string;
  deprecated?: boolean;
}

export interface JsonBlockType {
  nesting_mode: NestingMode;
  block: JsonBlock;
  min_items?: number;
  max_items?: number;
}

export interface JsonSchema {
  version?: number;
  block: JsonBlock;
}

export interface JsonFunction {
  parameters?: JsonFunctionParameter[];
  variadic_parameter?: JsonFunctionParameter;
  return_type: CtyType;
  summary?: string;
  description?: string;
  description_kind?: string;
  deprecation_message?: string;
}

export interface JsonFunctionParameter {
  name?: string;
  type: CtyType;
  description?: string;
  description_kind?: string;
  is_nullable?: boolean;
}

export interface JsonProviderSchema {
  provider?: JsonSchema;
  resource_schemas?: Record<string, JsonSchema>;
  data_source_schemas?: Record<string, JsonSchema>;
  ephemeral_resource_schemas?: Record<string, JsonSchema>;
  functions?: Record<string, JsonFunction>;
}

export interface SchemaFile {
  format_version?: string;
  provider_schemas: Record<string, JsonProviderSchema>;
}

export interface ProviderMeta {
  provider: string;
  source: string;
  registryAddress?: string;
  version: string;
  tag?: string;
  commit?: string;
  /** "sdkv2" or "framework": how the provider was written, which changes some plan semantics. */
  framework?: string;
  forceNew?: Record<string, string[]>;
}

/** Picks the single provider out of a `terraform providers schema -json` document. */
export function providerSchemaOf(file: SchemaFile | JsonProviderSchema): { address: string; schema: JsonProviderSchema } {
  if ("provider_schemas" in file && file.provider_schemas) {
    const entries = Object.entries(file.provider_schemas);
    if (entries.length !== 1) throw new Error(`schema file holds ${entries.length} providers, expected exactly one`);
    return { address: entries[0]![0], schema: entries[0]![1] };
  }
  return { address: "", schema: file as JsonProviderSchema };
}

export function attrType(a: JsonAttribute): CtyType {
  if (a.nested_type) {
    const obj: CtyType = ["object", objectAttrTypes(a.nested_type.attributes)];
    switch (a.nested_type.nesting_mode) {
      case "single":
        return obj;
      case "list":
        return ["list", obj];
      case "set":
        return ["set", obj];
      case "map":
        return ["map", obj];
    }
  }
  if (!a.type) throw new Error("attribute has neither type nor nested_type");
  return a.type;
}

function objectAttrTypes(attrs: Record<string, JsonAttribute>): Record<string, CtyType> {
  const out: Record<string, CtyType> = {};
  for (const [n, a] of Object.entries(attrs)) out[n] = attrType(a);
  return out;
}

const typeCache = new WeakMap<JsonBlock, CtyType>();

/** The object type of values conforming to a block. */
export function blockType(b: JsonBlock): CtyType {
  const cached = typeCache.get(b);
  if (cached) return cached;
  const attrs = objectAttrTypes(b.attributes ?? {});
  for (const [n, bt] of Object.entries(b.block_types ?? {})) {
    const inner = blockType(bt.block);
    switch (bt.nesting_mode) {
      case "single":
      case "group":
        attrs[n] = inner;
        break;
      default:
        attrs[n] = [bt.nesting_mode, inner];
    }
  }
  const t: CtyType = ["object", attrs];
  typeCache.set(b, t);
  return t;
}

/**
 * Makes a JSON value conform to a block: every attribute present (null when
 * missing), extra keys dropped, absent list/set blocks [], map blocks {},
 * group blocks an object.
 */
export function normalizeBlock(v: unknown, b: JsonBlock): ObjectValue {
  const o = (isObject(v as Value) ? v : {}) as Record<string, unknown>;
  const out: ObjectValue = {};
  for (const [n, a] of Object.entries(b.attributes ?? {})) out[n] = normalizeAttr(o[n], a);
  for (const [n, bt] of Object.entries(b.block_types ?? {})) {
    const raw = o[n];
    switch (bt.nesting_mode) {
      case "single":
        out[n] = raw === null || raw === undefined ? null : isUnknown(raw) ? UNKNOWN : normalizeBlock(raw, bt.block);
        break;
      case "group":
        out[n] = isUnknown(raw) ? UNKNOWN : normalizeBlock(raw ?? {}, bt.block);
        break;
      case "list":
      case "set":
        out[n] = isUnknown(raw) ? UNKNOWN : Array.isArray(raw) ? raw.map((e) => normalizeBlock(e, bt.block)) : [];
        break;
      case "map": {
        const m: ObjectValue = {};
        if (isObject(raw as Value)) for (const [k, e] of Object.entries(raw as object)) m[k] = normalizeBlock(e, bt.block);
        out[n] = isUnknown(raw) ? UNKNOWN : m;
        break;
      }
    }
  }
  return out;
}

function normalizeAttr(v: unknown, a: JsonAttribute): Value {
  if (v === null || v === undefined) return null;
  if (isUnknown(v)) return UNKNOWN;
  if (!a.nested_type) return coerce(v, attrType(a));
  const inner: JsonBlock = { attributes: a.nested_type.attributes };
  switch (a.nested_type.nesting_mode) {
    case "single":
      return normalizeBlock(v, inner);
    case "list":
    case "set":
      return Array.isArray(v) ? v.map((e) => (e === null ? null : normalizeBlock(e, inner))) : null;
    case "map": {
      const m: ObjectValue = {};
      for (const [k, e] of Object.entries(v as object)) m[k] = normalizeBlock(e, inner);
      return m;
    }
  }
}

/** Visits every object conforming to `b` within `v` (itself included), with the attribute path. */
export type Path = (string | number)[];

function forEachNested(v: Value, nesting: NestingMode, path: Path, fn: (o: ObjectValue, p: Path) => void): void {
  if (v === null || isUnknown(v)) return;
  switch (nesting) {
    case "single":
    case "group":
      if (isObject(v)) fn(v, path);
      break;
    case "list":
    case "set":
      if (Array.isArray(v)) v.forEach((e, i) => isObject(e) && fn(e, [...path, i]));
      break;
    case "map":
      if (isObject(v)) for (const [k, e] of Object.entries(v)) if (isObject(e)) fn(e, [...path, k]);
      break;
  }
}

/**
 * Walks an object of block `b` and calls `visit` for every attribute
 * (top-level and nested), letting it replace the attribute's value.
 */
export function mapAttributes(
  v: ObjectValue,
  b: JsonBlock,
  visit: (value: Value, attr: JsonAttribute, name: string, path: Path) => Value,
  path: Path = [],
): void {
  for (const [n, a] of Object.entries(b.attributes ?? {})) {
    v[n] = visit(v[n] ?? null, a, n, [...path, n]);
    if (a.nested_type) {
      const inner: JsonBlock = { attributes: a.nested_type.attributes };
      forEachNested(v[n] ?? null, a.nested_type.nesting_mode, [...path, n], (o, p) => mapAttributes(o, inner, visit, p));
    }
  }
  for (const [n, bt] of Object.entries(b.block_types ?? {})) {
    forEachNested(v[n] ?? null, bt.nesting_mode, [...path, n], (o, p) => mapAttributes(o, bt.block, visit, p));
  }
}

/** Finds an attribute by dotted path (block and nested attribute names). */
export function lookupAttr(b: JsonBlock, dotted: string): { attr?: JsonAttribute; block?: JsonBlockType } | undefined {
  const parts = dotted.split(".");
  let cur: JsonBlock = b;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const last = i === parts.length - 1;
    const a = cur.attributes?.[p];
    if (a) {
      if (last) return { attr: a };
      if (!a.nested_type) return undefined;
      cur = { attributes: a.nested_type.attributes };
      continue;
    }
    const bt = cur.block_types?.[p];
    if (!bt) return undefined;
    if (last) return { block: bt };
    cur = bt.block;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Protobuf form (as plain objects for @grpc/proto-loader).

const BLOCK_NESTING: Record<NestingMode, number> = { single: 1, list: 2, set: 3, map: 4, group: 5 };
const kind = (k?: string): number => (k === "markdown" ? 1 : 0);
const typeBytes = (t: CtyType): Buffer => Buffer.from(JSON.stringify(t));

function protoAttribute(name: string, a: JsonAttribute): object {
  return {
    name,
    type: a.nested_type ? Buffer.alloc(0) : typeBytes(a.type!),
    nested_type: a.nested_type
      ? {
          attributes: Object.entries(a.nested_type.attributes).map(([n, x]) => protoAttribute(n, x)),
          nesting: BLOCK_NESTING[a.nested_type.nesting_mode],
        }
      : undefined,
    description: a.description ?? "",
    description_kind: kind(a.description_kind),
    required: !!a.required,
    optional: !!a.optional,
    computed: !!a.computed,
    sensitive: !!a.sensitive,
    deprecated: !!a.deprecated,
    write_only: !!a.write_only,
  };
}

function protoBlock(b: JsonBlock, version: number): object {
  return {
    version,
    attributes: Object.entries(b.attributes ?? {}).map(([n, a]) => protoAttribute(n, a)),
    block_types: Object.entries(b.block_types ?? {}).map(([n, bt]) => ({
      type_name: n,
      block: protoBlock(bt.block, 0),
      nesting: BLOCK_NESTING[bt.nesting_mode],
      min_items: bt.min_items ?? 0,
      max_items: bt.max_items ?? 0,
    })),
    description: b.description ?? "",
    description_kind: kind(b.description_kind),
    deprecated: !!b.deprecated,
  };
}

export function protoSchema(s: JsonSchema | undefined): object {
  const schema = s ?? { version: 0, block: {} };
  return { version: schema.version ?? 0, block: protoBlock(schema.block ?? {}, schema.version ?? 0) };
}

export function protoFunction(f: JsonFunction): object {
  const param = (p: JsonFunctionParameter): object => ({
    name: p.name ?? "",
    type: typeBytes(p.type),
    allow_null_value: !!p.is_nullable,
    allow_unknown_values: false,
    description: p.description ?? "",
    description_kind: kind(p.description_kind),
  });
  return {
    parameters: (f.parameters ?? []).map(param),
    variadic_parameter: f.variadic_parameter ? param(f.variadic_parameter) : undefined,
    return: { type: typeBytes(f.return_type) },
    summary: f.summary ?? "",
    description: f.description ?? "",
    description_kind: kind(f.description_kind),
    deprecation_message: f.deprecation_message ?? "",
  };
}
