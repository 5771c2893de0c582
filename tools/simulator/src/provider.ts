/**
 * What the simulated provider does, independent of gRPC: plan, apply, read,
 * import, data sources, validation, all against the world file.
 */
import { CtyType, ObjectValue, UNKNOWN, Value, clone, equal, isObject, isUnknown, toJson } from "./cty";
import {
  JsonAttribute,
  JsonBlock,
  JsonProviderSchema,
  JsonSchema,
  NestingMode,
  ProviderMeta,
  attrType,
  blockType,
  mapAttributes,
  normalizeBlock,
} from "./schema";
import * as path from "node:path";
import { World, WorldData, WorldObject, readWorldFile, worldFile } from "./world";
import { Rule, Worlds, rulesFor } from "./twin/rule";

/** One step of an attribute path, in the shape of the protocol's AttributePath.Step. */
export type Step = { attribute_name: string } | { element_key_int: number } | { element_key_string: string };

export interface Diag {
  severity: "ERROR" | "WARNING";
  summary: string;
  detail?: string;
  attribute?: { steps: Step[] };
}

export interface PrivateData {
  /** The object's key in the world. */
  key?: string;
  /** The number the object was created with (used to fill unknowns). */
  n?: number;
}

function err(summary: string, detail?: string, steps?: Step[]): Diag {
  return { severity: "ERROR", summary, detail, attribute: steps ? { steps } : undefined };
}

export function encodePrivate(p: PrivateData | undefined): Buffer {
  return p && p.key !== undefined ? Buffer.from(JSON.stringify(p)) : Buffer.alloc(0);
}

export function decodePrivate(b: Uint8Array | undefined | null): PrivateData {
  if (!b || b.length === 0) return {};
  try {
    return JSON.parse(Buffer.from(b).toString("utf8")) as PrivateData;
  } catch {
    return {};
  }
}

export class ProviderSim {
  readonly forceNew: Record<string, string[]>;
  /** The twin's behaviour rules for this provider (tools/simulator/src/twin). */
  readonly rules: readonly Rule[];
  /** The provider configuration from ConfigureProvider, for rules that depend on it. */
  private providerConfig: ObjectValue | null = null;

  constructor(
    readonly schema: JsonProviderSchema,
    readonly meta: ProviderMeta,
    readonly world: World,
    readonly options: { numericIds?: boolean; rules?: readonly Rule[] } = {},
  ) {
    this.forceNew = meta.forceNew ?? {};
    this.rules = options.rules ?? [];
  }

  /** This provider's world (`own`, as given) and read-only snapshots of the other providers' worlds. */
  private worlds(own: WorldData): Worlds {
    const dir = path.dirname(this.world.file);
    const cache = new Map<string, WorldData>();
    return {
      own,
      other: (provider) => {
        if (!cache.has(provider)) cache.set(provider, readWorldFile(worldFile(dir, provider)));
        return cache.get(provider)!;
      },
    };
  }

  /** ConfigureProvider: keeps the configuration and applies the rules about it (credentials, connections). */
  configure(config: Value): Diag[] {
    this.providerConfig = isObject(config) ? config : null;
    if (!this.providerConfig || this.rules.every((r) => !r.configure)) return [];
    const worlds = this.worlds(this.world.read());
    const diags: Diag[] = [];
    for (const rule of this.rules) {
      const d = rule.configure?.({ config: this.providerConfig, worlds });
      if (d) diags.push(d);
    }
    return diags;
  }

  // -------------------------------------------------------------------------
  // Schema lookups

  resourceSchema(type: string): JsonSchema {
    const s = this.schema.resource_schemas?.[type];
    if (!s) throw new Error(`resource type ${type} is not in the simulated schema`);
    return s;
  }

  dataSourceSchema(type: string): JsonSchema {
    const s = this.schema.data_source_schemas?.[type];
    if (!s) throw new Error(`data source ${type} is not in the simulated schema`);
    return s;
  }

  ephemeralSchema(type: string): JsonSchema {
    const s = this.schema.ephemeral_resource_schemas?.[type];
    if (!s) throw new Error(`ephemeral resource ${type} is not in the simulated schema`);
    return s;
  }

  providerBlock(): JsonBlock {
    return this.schema.provider?.block ?? {};
  }

  // -------------------------------------------------------------------------
  // Validation

  /** Required attributes (at any depth) must not be null. */
  validate(block: JsonBlock, config: Value): Diag[] {
    const diags: Diag[] = [];
    if (!isObject(config)) return diags;
    const c = clone(config);
    mapAttributes(c, block, (v, a, name, path) => {
      if (a.required && v === null) {
        diags.push(err("Missing required argument", `The argument "${name}" is required, but no definition was found.`, toSteps(path)));
      }
      return v;
    });
    return diags;
  }

  // -------------------------------------------------------------------------
  // Managed resources

  upgradeResourceState(type: string, rawJson: Uint8Array | undefined): ObjectValue {
    const block = this.resourceSchema(type).block;
    const parsed: unknown = rawJson && rawJson.length ? JSON.parse(Buffer.from(rawJson).toString("utf8")) : {};
    return this.stripWriteOnly(normalizeBlock(parsed, block), block);
  }

  planResourceChange(
    type: string,
    prior: Value,
    proposed: Value,
  ): { planned: Value; requiresReplace: Step[][]; diags: Diag[] } {
    if (proposed === null) return { planned: null, requiresReplace: [], diags: [] };
    const block = this.resourceSchema(type).block;
    const t = blockType(block);
    if (prior !== null && equal(prior, proposed, t)) return { planned: clone(prior), requiresReplace: [], diags: [] };
    const planned = clone(proposed) as ObjectValue;
    // A computed attribute that is null here is not set in the configuration
    // (and has no prior value): its value is known only after apply.
    mapAttributes(planned, block, (v, a) => (a.write_only ? null : a.computed && v === null ? UNKNOWN : v));
    const requiresReplace: Step[][] = [];
    if (prior !== null) {
      for (const dotted of this.forceNew[type] ?? []) {
        diffPaths(prior, planned, dotted.split("."), block, [], requiresReplace);
      }
    }
    const diags: Diag[] = [];
    const rules = rulesFor(this.rules, type).filter((r) => r.plan);
    if (rules.length > 0) {
      const worlds = this.worlds(this.world.read());
      for (const rule of rules) {
        const d = rule.plan!({ type, prior: prior as ObjectValue | null, planned, requiresReplace, provider: this.providerConfig, worlds });
        if (d) diags.push(d);
      }
    }
    return { planned, requiresReplace, diags };
  }

  applyResourceChange(
    type: string,
    prior: Value,
    planned: Value,
    priv: PrivateData,
  ): { newState: Value; private: PrivateData; diags: Diag[] } {
    const block = this.resourceSchema(type).block;
    if (planned === null) {
      if (prior !== null) {
        const key = this.keyOf(type, prior as ObjectValue, priv);
        if (key !== undefined) {
          this.world.update((w) => {
            delete w.objects[type]?.[key];
            // What the real system removes along with the object (e.g. Juju drops an application's relations).
            const worlds = this.worlds(w);
            for (const rule of rulesFor(this.rules, type)) rule.destroyed?.({ type, prior: prior as ObjectValue, key, worlds });
          });
        }
      }
      return { newState: null, private: {}, diags: [] };
    }
    return this.world.update((w) => {
      let n = priv.n;
      let key = prior !== null ? this.keyOf(type, prior as ObjectValue, priv, w.objects[type]) : undefined;
      if (n === undefined) {
        n = (w.counters[type] ?? 0) + 1;
        w.counters[type] = n;
      }
      const state = fillUnknowns(planned, blockType(block), { resourceType: type, n, numericIds: this.options.numericIds }) as ObjectValue;
      const objects = (w.objects[type] ??= {});
      if (key === undefined) {
        key = newKey(block, state, `${type}-${n}`);
        if (objects[key]) {
          return {
            newState: null,
            private: {},
            diags: [err(`${type} "${key}" already exists`, `The simulated world already holds a ${type} with id "${key}".`)],
          };
        }
      }
      const worlds = this.worlds(w);
      for (const rule of rulesFor(this.rules, type)) {
        const refusal = rule.apply?.({ type, prior: prior as ObjectValue | null, planned: planned as ObjectValue, state, key, provider: this.providerConfig, worlds });
        if (!refusal) continue;
        if (refusal.keep) {
          objects[key] = this.stored(objects[key], state, block);
          return { newState: state as Value, private: { key, n }, diags: [refusal.error] };
        }
        return { newState: prior, private: priv, diags: [refusal.error] };
      }
      objects[key] = this.stored(objects[key], state, block);
      return { newState: state as Value, private: { key, n }, diags: [] as Diag[] };
    });
  }

  readResource(type: string, state: Value, priv: PrivateData): { newState: Value; private: PrivateData; diags: Diag[] } {
    if (state === null) return { newState: null, private: priv, diags: [] };
    const block = this.resourceSchema(type).block;
    const w = this.world.read();
    const objects = w.objects[type] ?? {};
    const key = this.keyOf(type, state as ObjectValue, priv, objects);
    const obj = key !== undefined ? objects[key] : undefined;
    if (!obj) return { newState: null, private: {}, diags: [] };
    const newState = this.fromWorld(obj, key!, block);
    const rules = rulesFor(this.rules, type).filter((r) => r.read);
    const worlds = rules.length > 0 ? this.worlds(w) : undefined;
    for (const rule of rules) {
      const refused = rule.read!({ type, state: newState, stored: obj, provider: this.providerConfig, worlds: worlds! });
      if (refused) return { newState: state, private: priv, diags: [refused] };
    }
    return { newState, private: { ...priv, key }, diags: [] };
  }

  importResourceState(type: string, id: string): { state: Value; private: PrivateData; diags: Diag[] } {
    const block = this.resourceSchema(type).block;
    const w = this.world.read();
    const objects = w.objects[type] ?? {};
    const importer = rulesFor(this.rules, type).find((r) => r.importKey);
    if (importer) {
      const found = importer.importKey!({ type, id, worlds: this.worlds(w) });
      if (found !== undefined && typeof found !== "string") return { state: null, private: {}, diags: [found] };
      if (found === undefined || !objects[found]) {
        return { state: null, private: {}, diags: [err("Cannot import non-existent remote object", `No ${type} "${id}" exists in the simulated world.`)] };
      }
      return { state: this.fromWorld(objects[found]!, found, block), private: { key: found }, diags: [] };
    }
    // Ids as given, or without a `<remote>:` prefix (LXD style), or a unique name.
    const candidates = [id, id.slice(id.indexOf(":") + 1), id.slice(id.lastIndexOf("/") + 1)];
    let key: string | undefined = candidates.slice(0, 2).find((c) => objects[c]);
    for (const name of candidates) {
      if (key !== undefined) break;
      const byName = Object.keys(objects).filter((k) => objects[k]!["name"] === name);
      if (byName.length === 1) key = byName[0];
    }
    if (key === undefined) {
      return {
        state: null,
        private: {},
        diags: [err("Cannot import non-existent remote object", `No ${type} with id or name "${id}" exists in the simulated world.`)],
      };
    }
    return { state: this.fromWorld(objects[key]!, key, block), private: { key }, diags: [] };
  }

  // -------------------------------------------------------------------------
  // Data sources and ephemeral resources

  readDataSource(type: string, config: Value, kind = "data source"): { state: Value; diags: Diag[] } {
    const schema = kind === "data source" ? this.dataSourceSchema(type) : this.ephemeralSchema(type);
    return this.lookup(type, schema.block, config as ObjectValue, kind);
  }

  private lookup(type: string, block: JsonBlock, config: ObjectValue, kind: string): { state: Value; diags: Diag[] } {
    const attrs = block.attributes ?? {};
    const filter: [string, Value, JsonAttribute][] = [];
    for (const [n, a] of Object.entries(attrs)) {
      const v = config[n] ?? null;
      if (v !== null && !isUnknown(v)) filter.push([n, v, a]);
    }
    const objects = this.world.read().objects[type] ?? {};
    const matches = Object.entries(objects).filter(([key, obj]) => {
      const norm = this.fromWorld(obj, key, block);
      return filter.every(([n, v, a]) => equal(norm[n] ?? null, v, attrType(a)));
    });
    const filterText = JSON.stringify(Object.fromEntries(filter.map(([n, v]) => [n, toJson(v)])));
    if (matches.length !== 1) {
      const what = matches.length === 0 ? "no object matches" : `${matches.length} objects match (${matches.map(([k]) => k).join(", ")})`;
      return {
        state: null,
        diags: [
          err(
            `Simulated ${kind} ${type}: ${what} the filter ${filterText}`,
            `The simulated world (${this.world.file}) must hold exactly one "${type}" object whose attributes equal ${filterText}. Seed it under objects.${type}.`,
          ),
        ],
      };
    }
    const [key, obj] = matches[0]!;
    const result = this.fromWorld(obj, key, block);
    // What the configuration sets stays as configured.
    for (const [n, a] of Object.entries(attrs)) {
      const v = config[n] ?? null;
      if (!a.computed || v !== null) result[n] = clone(v);
    }
    for (const n of Object.keys(block.block_types ?? {})) result[n] = clone(config[n] ?? null);
    return { state: normalizeBlock(result, block), diags: [] };
  }

  // -------------------------------------------------------------------------
  // Helpers

  /**
   * What the world keeps of a new state: the state, plus whatever the stored object held outside the
   * resource's schema (the real system keeps fields a resource does not manage, e.g. a subnet's VID that
   * only the data source shows).
   */
  private stored(old: WorldObject | undefined, state: ObjectValue, block: JsonBlock): WorldObject {
    const known = new Set([...Object.keys(block.attributes ?? {}), ...Object.keys(block.block_types ?? {})]);
    const kept = Object.fromEntries(Object.entries(old ?? {}).filter(([k]) => !known.has(k)));
    return { ...kept, ...(toJson(state) as WorldObject) };
  }

  /** A world object as a value of `block`; a missing `id` is the world key. */
  private fromWorld(obj: WorldObject, key: string, block: JsonBlock): ObjectValue {
    const v = normalizeBlock(obj, block);
    if (hasIdAttr(block) && v["id"] === null) v["id"] = key;
    return this.stripWriteOnly(v, block);
  }

  private stripWriteOnly(v: ObjectValue, block: JsonBlock): ObjectValue {
    mapAttributes(v, block, (x, a) => (a.write_only ? null : x));
    return v;
  }

  /** The world key of a resource instance: its `id`, else the key kept in private state, else a unique name. */
  keyOf(type: string, state: ObjectValue, priv: PrivateData, objects?: Record<string, WorldObject>): string | undefined {
    const block = this.resourceSchema(type).block;
    if (hasIdAttr(block) && typeof state["id"] === "string" && state["id"] !== "") return state["id"];
    if (priv.key !== undefined) return priv.key;
    const natural = newKey(block, state, "");
    if (natural !== "" && (!objects || objects[natural])) return natural;
    if (objects && typeof state["name"] === "string") {
      const byName = Object.keys(objects).filter((k) => objects[k]!["name"] === state["name"]);
      if (byName.length === 1) return byName[0];
    }
    return undefined;
  }
}

/**
 * The world key of a new object: its `id`; for types without one (LXD), its
 * `name`, prefixed with `<project>/` when a project is set; else `fallback`.
 */
function newKey(block: JsonBlock, state: ObjectValue, fallback: string): string {
  if (hasIdAttr(block)) return typeof state["id"] === "string" && state["id"] !== "" ? state["id"] : fallback;
  const name = state["name"];
  if (block.attributes?.["name"]?.type === "string" && typeof name === "string" && name !== "") {
    const project = state["project"];
    return typeof project === "string" && project !== "" ? `${project}/${name}` : name;
  }
  return fallback;
}

function hasIdAttr(block: JsonBlock): boolean {
  const a = block.attributes?.["id"];
  return !!a && a.type === "string";
}

function toSteps(path: (string | number)[]): Step[] {
  return path.map((p) => (typeof p === "number" ? { element_key_int: p } : { attribute_name: p }));
}

interface FillContext {
  resourceType: string;
  n: number;
  numericIds?: boolean;
  path?: string;
}

/**
 * Fills every unknown in a planned value deterministically: the top-level
 * `id` becomes `<type>-<n>` (or `<n>` with numericIds), other strings `<type>-<n>-<path>` (path like
 * `fingerprint` or `disk.0.serial`), numbers 0, bools false, collections
 * empty, dynamic null.
 */
export function fillUnknowns(v: Value, t: CtyType, ctx: FillContext): Value {
  const at = (step: string | number): FillContext => ({
    ...ctx,
    path: ctx.path ? `${ctx.path}.${step}` : String(step),
  });
  if (isUnknown(v)) {
    if (t === "string") {
      if (ctx.path === "id") return ctx.numericIds ? String(ctx.n) : `${ctx.resourceType}-${ctx.n}`;
      return `${ctx.resourceType}-${ctx.n}-${ctx.path ?? ""}`;
    }
    if (t === "number") return 0;
    if (t === "bool") return false;
    if (t === "dynamic") return null;
    switch (t[0]) {
      case "list":
      case "set":
        return [];
      case "map":
        return {};
      case "tuple":
        return t[1].map((et, i) => fillUnknowns(UNKNOWN, et, at(i)));
      case "object": {
        const out: ObjectValue = {};
        for (const [k, kt] of Object.entries(t[1])) out[k] = fillUnknowns(UNKNOWN, kt, at(k));
        return out;
      }
    }
  }
  if (v === null || typeof v !== "object" || t === "dynamic" || typeof t === "string") return v;
  switch (t[0]) {
    case "list":
    case "set":
      return (v as Value[]).map((e, i) => fillUnknowns(e, t[1], at(i)));
    case "tuple":
      return (v as Value[]).map((e, i) => fillUnknowns(e, t[1][i]!, at(i)));
    case "map": {
      const out: ObjectValue = {};
      for (const [k, e] of Object.entries(v as ObjectValue)) out[k] = fillUnknowns(e, t[1], at(k));
      return out;
    }
    case "object": {
      const out: ObjectValue = {};
      const o = v as ObjectValue;
      for (const [k, kt] of Object.entries(t[1])) out[k] = fillUnknowns(o[k] ?? null, kt, at(k));
      return out;
    }
  }
  return v;
}

/**
 * Adds to `out` the paths under which the force-new attribute `parts`
 * differs between prior and planned values of block `block`.
 */
function diffPaths(prior: Value, planned: Value, parts: string[], block: JsonBlock, path: Step[], out: Step[][]): void {
  if (!isObject(prior) || !isObject(planned)) return;
  const [head, ...rest] = parts;
  if (head === undefined) return;
  const here: Step[] = [...path, { attribute_name: head }];
  const a = block.attributes?.[head];
  const bt = block.block_types?.[head];
  if (!a && !bt) return;
  const pv = prior[head] ?? null;
  const nv = planned[head] ?? null;
  if (rest.length === 0) {
    const t = a ? attrType(a) : blockType(bt!.block);
    const whole: CtyType = bt && bt.nesting_mode !== "single" && bt.nesting_mode !== "group" ? [bt.nesting_mode, t] : t;
    if (!equal(pv, nv, whole)) out.push(here);
    return;
  }
  let nesting: NestingMode;
  let inner: JsonBlock;
  if (a) {
    if (!a.nested_type) return;
    nesting = a.nested_type.nesting_mode;
    inner = { attributes: a.nested_type.attributes };
  } else {
    nesting = bt!.nesting_mode;
    inner = bt!.block;
  }
  if (isUnknown(nv)) {
    out.push(here);
    return;
  }
  switch (nesting) {
    case "single":
    case "group":
      if (isObject(pv) && isObject(nv)) diffPaths(pv, nv, rest, inner, here, out);
      else if (!(pv === null && nv === null)) out.push(here);
      return;
    case "list": {
      const pa = Array.isArray(pv) ? pv : [];
      const na = Array.isArray(nv) ? nv : [];
      if (pa.length !== na.length) {
        if (!equal(project(pa, rest), project(na, rest), ["list", "dynamic"])) out.push(here);
        return;
      }
      pa.forEach((e, i) => diffPaths(e, na[i]!, rest, inner, [...here, { element_key_int: i }], out));
      return;
    }
    case "set": {
      const pa = Array.isArray(pv) ? pv : [];
      const na = Array.isArray(nv) ? nv : [];
      if (!equal(project(pa, rest), project(na, rest), ["set", "dynamic"])) out.push(here);
      return;
    }
    case "map": {
      const po = isObject(pv) ? pv : {};
      const no = isObject(nv) ? nv : {};
      const keys = new Set([...Object.keys(po), ...Object.keys(no)]);
      for (const k of keys) {
        if (!(k in po) || !(k in no)) {
          if (!equal(project([po[k] ?? null], rest), project([no[k] ?? null], rest), ["list", "dynamic"])) {
            out.push([...here, { element_key_string: k }]);
          }
        } else diffPaths(po[k]!, no[k]!, rest, inner, [...here, { element_key_string: k }], out);
      }
      return;
    }
  }
}

/** The values found at a dotted sub-path in each element (for comparing sets). */
function project(elems: Value[], parts: string[]): Value[] {
  return elems.map((e) => {
    let cur: Value = e;
    for (const p of parts) cur = isObject(cur) ? (cur[p] ?? null) : null;
    return cur;
  });
}
