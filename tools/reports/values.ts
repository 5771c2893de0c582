/**
 * Attribute-level diffs of a resource change, with sensitive values masked.
 *
 * Two rules hide a value, and no value they hide reaches the output in any form (not its length, not a hash):
 *  1. Terraform's own markers: `before_sensitive` / `after_sensitive` mirror the value's shape with `true` where a
 *     value is sensitive; `true` at the top hides the whole object.
 *  2. Defence in depth: any attribute, map key or nested attribute whose name matches {@link MASKED_NAME} is hidden
 *     too, because providers do not always mark secrets (LXD's `lxd_trust_token.token` is not marked; a value copied
 *     into a derived attribute loses its mark).
 */
import type { Change, PathStep } from "./plan-json";

export const MASKED_NAME = /(passw(or)?d|passphrase|power_pass|api_?key|secret|token|private_key|client_key)/i;

/** What the reports print in place of a value. */
export const SENSITIVE = "(sensitive)";
export const MASKED = "(masked)";
export const UNKNOWN = "(known after apply)";

export interface AttributeDiff {
  readonly path: readonly PathStep[];
  /** `undefined` when the side is absent (create, delete) or null. */
  readonly before: string | undefined;
  readonly after: string | undefined;
}

type Shape = unknown;

function child(shape: Shape, key: PathStep): Shape {
  if (shape === true) return true;
  if (shape !== null && typeof shape === "object") return (shape as Record<string, unknown>)[key as string];
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function isNullish(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export function nameIsMasked(step: PathStep): boolean {
  return typeof step === "string" && MASKED_NAME.test(step);
}

/** Deep equality that treats null and absent as the same. */
export function equalish(a: unknown, b: unknown): boolean {
  if (isNullish(a) && isNullish(b)) return true;
  if (isNullish(a) || isNullish(b)) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equalish(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) if (!equalish(a[k], b[k])) return false;
    return true;
  }
  return a === b;
}

/**
 * A copy of `value` with every sensitive or name-masked part replaced by a placeholder. Used before any value that
 * is not a plain leaf is printed.
 */
export function redact(value: unknown, shape: Shape, unknownShape: Shape = undefined): unknown {
  if (shape === true) return SENSITIVE;
  if (unknownShape === true) return UNKNOWN;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, child(shape, i), child(unknownShape, i)));
  if (isObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = nameIsMasked(k) && !isNullish(v) ? MASKED : redact(v, child(shape, k), child(unknownShape, k));
    }
    return out;
  }
  return value;
}

export interface FormatOptions {
  /** Longest rendering of one value before it is cut; cutting states how much was cut. */
  readonly maxValueChars: number;
}

export const DEFAULT_FORMAT: FormatOptions = { maxValueChars: 300 };

function formatPlain(value: unknown, opts: FormatOptions): string | undefined {
  if (isNullish(value)) return undefined;
  if (value === SENSITIVE || value === MASKED || value === UNKNOWN) return value;
  const s = JSON.stringify(value);
  if (s.length <= opts.maxValueChars) return s;
  return `${s.slice(0, opts.maxValueChars)}… (${s.length - opts.maxValueChars} more characters in the full plan)`;
}

/** Renders one side of a diff: its value, or a placeholder if it is hidden. */
function side(value: unknown, shape: Shape, masked: boolean, opts: FormatOptions): string | undefined {
  if (isNullish(value)) return undefined;
  if (shape === true) return SENSITIVE;
  if (masked) return MASKED;
  return formatPlain(redact(value, shape), opts);
}

/**
 * The attributes that differ between `before` and `after`, one entry per leaf (or per hidden subtree), in the order
 * Terraform lists them. Unknown values show as "(known after apply)".
 */
export function attributeDiffs(change: Change, opts: FormatOptions = DEFAULT_FORMAT): AttributeDiff[] {
  const out: AttributeDiff[] = [];
  walk(change.before, change.after, change.after_unknown, change.before_sensitive, change.after_sensitive, [], false, out, opts);
  return out;
}

function walk(
  b: unknown,
  a: unknown,
  u: Shape,
  bs: Shape,
  as: Shape,
  path: PathStep[],
  maskedAbove: boolean,
  out: AttributeDiff[],
  opts: FormatOptions,
): void {
  const masked = maskedAbove || (path.length > 0 && nameIsMasked(path[path.length - 1]!));
  if (u === true) {
    out.push({ path, before: side(b, bs, masked, opts), after: UNKNOWN });
    return;
  }
  if (bs === true || as === true || masked) {
    if (!equalish(b, a)) out.push({ path, before: side(b, bs, masked, opts), after: side(a, as, masked, opts) });
    return;
  }
  const bothArrays = (Array.isArray(b) || isNullish(b)) && (Array.isArray(a) || isNullish(a)) && (Array.isArray(b) || Array.isArray(a));
  const bothObjects = (isObject(b) || isNullish(b)) && (isObject(a) || isNullish(a)) && (isObject(b) || isObject(a));
  if (bothArrays || bothObjects) {
    const keys: PathStep[] = [];
    if (bothArrays) {
      const n = Math.max((b as unknown[] | null)?.length ?? 0, (a as unknown[] | null)?.length ?? 0, Array.isArray(u) ? u.length : 0);
      for (let i = 0; i < n; i++) keys.push(i);
    } else {
      const seen = new Set<string>();
      for (const src of [b, a, u]) if (isObject(src)) for (const k of Object.keys(src)) seen.add(k);
      keys.push(...[...seen].sort());
    }
    const before = out.length;
    for (const k of keys) {
      walk(child(b, k), child(a, k), child(u, k), child(bs, k), child(as, k), [...path, k], masked, out, opts);
    }
    // An empty container appearing or vanishing has no leaves; show it whole.
    if (out.length === before && !equalish(b, a)) {
      out.push({ path, before: side(b, bs, masked, opts), after: side(a, as, masked, opts) });
    }
    return;
  }
  if (!equalish(b, a)) out.push({ path, before: side(b, bs, masked, opts), after: side(a, as, masked, opts) });
}

/** `charm[0].name`, `config["admin-password"]`. */
export function formatPath(path: readonly PathStep[]): string {
  if (path.length === 0) return "(whole object)";
  let s = "";
  for (const step of path) {
    if (typeof step === "number") s += `[${step}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(step)) s += s === "" ? step : `.${step}`;
    else s += `[${JSON.stringify(step)}]`;
  }
  return s;
}

/** Reads a plain string at `path` if it is known and not hidden, for labels such as a charm's name. */
export function readVisibleString(value: unknown, shape: Shape, path: readonly PathStep[]): string | undefined {
  let v = value;
  let s = shape;
  for (const step of path) {
    if (s === true || nameIsMasked(step)) return undefined;
    v = child(v, step);
    s = child(s, step);
  }
  if (s === true) return undefined;
  return typeof v === "string" ? v : undefined;
}
