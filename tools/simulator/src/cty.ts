/**
 * Terraform ("cty") types and values as the simulator handles them, and their
 * MessagePack wire form.
 *
 * In memory a value is plain JSON-like data: null, string, number, boolean,
 * arrays (list, set, tuple), plain objects (map, object), plus two markers:
 * {@link UNKNOWN} for a value not known until apply, and {@link Dyn} for a
 * value of the dynamic pseudo-type, which carries its own type.
 */
import { decode, encode, ExtensionCodec } from "@msgpack/msgpack";

export type CtyType =
  | "string"
  | "number"
  | "bool"
  | "dynamic"
  | ["list" | "set" | "map", CtyType]
  | ["object", Record<string, CtyType>]
  | ["object", Record<string, CtyType>, string[]]
  | ["tuple", CtyType[]];

/** The one unknown value (refinements such as "not null" are dropped). */
export class Unknown {
  toJSON(): string {
    return "(known after apply)";
  }
}
export const UNKNOWN = new Unknown();

/** A value of the dynamic pseudo-type together with its concrete type. */
export class Dyn {
  constructor(
    public readonly type: CtyType,
    public readonly value: Value,
  ) {}
}

export type Value = null | string | number | boolean | Unknown | Dyn | Value[] | { [key: string]: Value };
export type ObjectValue = { [key: string]: Value };

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

export function isObject(v: unknown): v is ObjectValue {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Unknown) && !(v instanceof Dyn);
}

const extensionCodec = new ExtensionCodec();
// Extension 0 is an unknown value; 12 is an unknown value with refinements.
extensionCodec.register({
  type: 0,
  encode: (input: unknown) => (input instanceof Unknown ? new Uint8Array([0]) : null),
  decode: () => UNKNOWN,
});
extensionCodec.register({
  type: 12,
  encode: () => null,
  decode: () => UNKNOWN,
});

/** Decodes a MessagePack DynamicValue into a value of type `t`. */
export function fromMsgpack(bytes: Uint8Array | undefined | null, t: CtyType): Value {
  if (!bytes || bytes.length === 0) return null;
  return fromWire(decode(bytes, { extensionCodec }), t);
}

/** Encodes a value of type `t` as MessagePack. Numbers go out as strings. */
export function toMsgpack(v: Value, t: CtyType): Uint8Array {
  return encode(toWire(v, t), { extensionCodec, ignoreUndefined: false });
}

function fromWire(raw: unknown, t: CtyType): Value {
  if (raw === null || raw === undefined) return null;
  if (raw instanceof Unknown) return UNKNOWN;
  if (t === "dynamic") {
    if (!Array.isArray(raw) || raw.length !== 2) throw new Error("malformed dynamic value");
    const typeJson = raw[0] instanceof Uint8Array ? new TextDecoder().decode(raw[0]) : String(raw[0]);
    const ty = JSON.parse(typeJson) as CtyType;
    return new Dyn(ty, fromWire(raw[1], ty));
  }
  if (t === "string") return String(raw);
  if (t === "number") return typeof raw === "number" ? raw : typeof raw === "bigint" ? Number(raw) : parseNumber(String(raw));
  if (t === "bool") return Boolean(raw);
  const [kind, elem] = t;
  switch (kind) {
    case "list":
    case "set":
      return (raw as unknown[]).map((e) => fromWire(e, elem as CtyType));
    case "tuple":
      return (raw as unknown[]).map((e, i) => fromWire(e, (elem as CtyType[])[i]!));
    case "map": {
      const out: ObjectValue = {};
      for (const [k, e] of Object.entries(raw as Record<string, unknown>)) out[k] = fromWire(e, elem as CtyType);
      return out;
    }
    case "object": {
      const attrs = elem as Record<string, CtyType>;
      const out: ObjectValue = {};
      const o = raw as Record<string, unknown>;
      for (const [k, at] of Object.entries(attrs)) out[k] = fromWire(o[k], at);
      return out;
    }
  }
  throw new Error(`unsupported type ${JSON.stringify(t)}`);
}

function parseNumber(s: string): number {
  const n = Number(s);
  if (Number.isNaN(n)) throw new Error(`not a number: ${s}`);
  return n;
}

function numberToString(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) >= 1e21) return BigInt(n).toString();
  return String(n);
}

function toWire(v: Value, t: CtyType): unknown {
  if (v === null || v === undefined) return null;
  if (v instanceof Unknown) return v;
  if (t === "dynamic") {
    if (v instanceof Dyn) return [new TextEncoder().encode(JSON.stringify(v.type)), toWire(v.value, v.type)];
    const inferred = inferType(v);
    return [new TextEncoder().encode(JSON.stringify(inferred)), toWire(v, inferred)];
  }
  if (v instanceof Dyn) return toWire(v.value, t);
  if (t === "string") return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  // Terraform compares refreshed numbers more reliably when they arrive as
  // strings (integers caused false drift in -refresh-only plans).
  if (t === "number") return typeof v === "number" ? numberToString(v) : String(v);
  if (t === "bool") return typeof v === "boolean" ? v : v === "true";
  const [kind, elem] = t;
  switch (kind) {
    case "list":
    case "set":
      return (v as Value[]).map((e) => toWire(e, elem as CtyType));
    case "tuple":
      return (v as Value[]).map((e, i) => toWire(e, (elem as CtyType[])[i]!));
    case "map": {
      const out: Record<string, unknown> = {};
      for (const [k, e] of Object.entries(v as ObjectValue)) out[k] = toWire(e, elem as CtyType);
      return out;
    }
    case "object": {
      const out: Record<string, unknown> = {};
      const o = v as ObjectValue;
      for (const [k, at] of Object.entries(elem as Record<string, CtyType>)) out[k] = toWire(o[k] ?? null, at);
      return out;
    }
  }
  throw new Error(`unsupported type ${JSON.stringify(t)}`);
}

/** The type of a JSON-ish value placed in a dynamic attribute. */
export function inferType(v: Value): CtyType {
  if (v instanceof Dyn) return v.type;
  if (typeof v === "string" || v === null || v instanceof Unknown) return "string";
  if (typeof v === "number") return "number";
  if (typeof v === "boolean") return "bool";
  if (Array.isArray(v)) return ["tuple", v.map(inferType)];
  const attrs: Record<string, CtyType> = {};
  for (const [k, e] of Object.entries(v)) attrs[k] = inferType(e);
  return ["object", attrs];
}

/** Converts a JSON value (from the world file or a state file) to type `t`. */
export function coerce(v: unknown, t: CtyType): Value {
  if (v === null || v === undefined) return null;
  if (v instanceof Unknown) return UNKNOWN;
  if (t === "dynamic") return v instanceof Dyn ? v : (v as Value);
  if (t === "string") return typeof v === "string" ? v : typeof v === "object" ? JSON.stringify(v) : String(v);
  if (t === "number") return typeof v === "number" ? v : parseNumber(String(v));
  if (t === "bool") return typeof v === "boolean" ? v : v === "true";
  const [kind, elem] = t;
  switch (kind) {
    case "list":
    case "set":
      return Array.isArray(v) ? v.map((e) => coerce(e, elem as CtyType)) : null;
    case "tuple":
      return (elem as CtyType[]).map((et, i) => coerce((v as unknown[])[i], et));
    case "map": {
      const out: ObjectValue = {};
      for (const [k, e] of Object.entries(v as Record<string, unknown>)) out[k] = coerce(e, elem as CtyType);
      return out;
    }
    case "object": {
      const out: ObjectValue = {};
      const o = v as Record<string, unknown>;
      for (const [k, at] of Object.entries(elem as Record<string, CtyType>)) out[k] = coerce(o[k], at);
      return out;
    }
  }
  throw new Error(`unsupported type ${JSON.stringify(t)}`);
}

/** Structural equality; sets are compared ignoring element order. */
export function equal(a: Value, b: Value, t?: CtyType): boolean {
  if (a === b) return true;
  if (a === null || b === null || a === undefined || b === undefined) return false;
  if (a instanceof Unknown || b instanceof Unknown) return false;
  if (a instanceof Dyn || b instanceof Dyn) {
    const av = a instanceof Dyn ? a.value : a;
    const bv = b instanceof Dyn ? b.value : b;
    return equal(av, bv);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return false;
    const elem = Array.isArray(t) && (t[0] === "list" || t[0] === "set") ? (t[1] as CtyType) : undefined;
    if (Array.isArray(t) && t[0] === "set") {
      const used = new Array<boolean>(b.length).fill(false);
      return a.every((x) => {
        const i = b.findIndex((y, j) => !used[j] && equal(x, y, elem));
        if (i < 0) return false;
        used[i] = true;
        return true;
      });
    }
    return a.every((x, i) => equal(x, b[i]!, Array.isArray(t) && t[0] === "tuple" ? (t[1] as CtyType[])[i] : elem));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      let at: CtyType | undefined;
      if (Array.isArray(t) && t[0] === "object") at = (t[1] as Record<string, CtyType>)[k];
      else if (Array.isArray(t) && t[0] === "map") at = t[1] as CtyType;
      if (!equal(a[k] ?? null, b[k] ?? null, at)) return false;
    }
    return true;
  }
  if (typeof a === "number" || typeof b === "number") return Number(a) === Number(b);
  return false;
}

/** True when the value contains no unknown anywhere. */
export function whollyKnown(v: Value): boolean {
  if (v instanceof Unknown) return false;
  if (v instanceof Dyn) return whollyKnown(v.value);
  if (Array.isArray(v)) return v.every(whollyKnown);
  if (isObject(v)) return Object.values(v).every(whollyKnown);
  return true;
}

/** Deep copy (markers are immutable and shared). */
export function clone<T extends Value>(v: T): T {
  if (Array.isArray(v)) return v.map((e) => clone(e)) as T;
  if (isObject(v)) {
    const out: ObjectValue = {};
    for (const [k, e] of Object.entries(v)) out[k] = clone(e);
    return out as T;
  }
  return v;
}

/** The JSON form of a known value, for the world file. */
export function toJson(v: Value): unknown {
  if (v instanceof Unknown) return null;
  if (v instanceof Dyn) return toJson(v.value);
  if (Array.isArray(v)) return v.map(toJson);
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of Object.entries(v)) out[k] = toJson(e);
    return out;
  }
  return v;
}
