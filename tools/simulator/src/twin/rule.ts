/**
 * The twin's rules: what the real MAAS, LXD and Juju (and their Terraform providers) do beyond their
 * schemas, as data. Each rule states one fact, cites where it was read, and hooks into one or more of the
 * provider's calls. Rules are on by default; SIM_RULES_OFF=<id>[,<id>] (or `all`) turns some off, for a
 * test that isolates another rule.
 */
import type { ObjectValue } from "../cty";
import type { Diag, Step } from "../provider";
import type { WorldData, WorldObject } from "../world";

/** Where a fact was read: repository, commit, file and function (or "unverified" in `note`). */
export interface Citation {
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
  readonly symbol: string;
  readonly note?: string;
}

/** The worlds a rule sees: its own provider's (mutable during apply) and the others' (read-only snapshots). */
export interface Worlds {
  readonly own: WorldData;
  other(provider: string): WorldData;
}

export interface ConfigureContext {
  /** The provider's configuration as Terraform sent it. */
  readonly config: ObjectValue;
  readonly worlds: Worlds;
}

export interface PlanContext {
  readonly type: string;
  readonly prior: ObjectValue | null;
  /** The planned state; a rule may change it (for example, mark an attribute unknown as the real provider does). */
  readonly planned: ObjectValue;
  /** Attribute paths that force replacement; a rule may add or drop some. */
  readonly requiresReplace: Step[][];
  readonly provider: ObjectValue | null;
  readonly worlds: Worlds;
}

export interface ApplyContext {
  readonly type: string;
  /** null on create. */
  readonly prior: ObjectValue | null;
  /** The planned state, unknowns included: what the configuration left to the provider. */
  readonly planned: ObjectValue;
  /** The new state with unknowns filled; a rule may change what is stored and returned. */
  readonly state: ObjectValue;
  readonly key: string;
  readonly provider: ObjectValue | null;
  readonly worlds: Worlds;
}

/**
 * A refused apply. With `keep`, the object is stored and its state returned together with the error, as a
 * provider does when it saves an ID before waiting: Terraform then records a new resource as tainted.
 */
export interface Refusal {
  readonly error: Diag;
  readonly keep?: boolean;
}

export interface DestroyedContext {
  readonly type: string;
  /** The state of the object that was deleted. */
  readonly prior: ObjectValue;
  readonly key: string;
  readonly worlds: Worlds;
}

export interface ReadContext {
  readonly type: string;
  /** The state Terraform will see; a rule may change it (values read back differently from what was sent). */
  readonly state: ObjectValue;
  readonly stored: WorldObject;
  readonly provider: ObjectValue | null;
  readonly worlds: Worlds;
}

export interface ImportContext {
  readonly type: string;
  readonly id: string;
  readonly worlds: Worlds;
}

export interface Rule {
  /** Stable id, `<provider>.<topic>`, used in tests and SIM_RULES_OFF. */
  readonly id: string;
  /** The real system's behaviour, in one or two sentences. */
  readonly fact: string;
  readonly cites: readonly Citation[];
  /** Resource (or data source) types the plan/apply/read hooks apply to. */
  readonly types?: readonly string[];
  configure?(c: ConfigureContext): Diag | undefined;
  plan?(c: PlanContext): Diag | undefined;
  apply?(c: ApplyContext): Refusal | undefined;
  /** After a delete, inside the same world update: what the real system removes along with the object. */
  destroyed?(c: DestroyedContext): void;
  /** May change what is read back, or refuse the read (the provider's error). */
  read?(c: ReadContext): Diag | undefined;
  /** The world key an import ID names, as the provider's importer resolves it (undefined: not found), or its error. */
  importKey?(c: ImportContext): string | Diag | undefined;
}

export function error(summary: string, detail?: string): Diag {
  return { severity: "ERROR", summary, detail };
}

export function warning(summary: string, detail?: string): Diag {
  return { severity: "WARNING", summary, detail };
}

/** The rules in force: all of `rules` except those SIM_RULES_OFF names. */
export function activeRules(rules: readonly Rule[], off = process.env["SIM_RULES_OFF"] ?? ""): Rule[] {
  const names = new Set(off.split(",").map((s) => s.trim()).filter(Boolean));
  if (names.has("all")) return [];
  return rules.filter((r) => !names.has(r.id));
}

/** The rules whose hooks apply to `type`. */
export function rulesFor(rules: readonly Rule[], type: string): Rule[] {
  return rules.filter((r) => !r.types || r.types.includes(type));
}

/** `[type, key, object]` of every object of a type in a world. */
export function objectsOf(w: WorldData, type: string): [string, WorldObject][] {
  return Object.entries(w.objects[type] ?? {});
}

/** A fact of a world, typed by the caller (facts are written by the seeding and by rules). */
export function fact<T>(w: WorldData, name: string, fallback: T): T {
  return (w.facts[name] as T | undefined) ?? fallback;
}

/** A Terraform/Go duration ("60m", "1h30m") as Go's time.Duration.String() prints it ("1h0m0s"), as providers' timeout errors show it. */
export function goDuration(v: string): string {
  let seconds = 0;
  for (const [, n, unit] of v.matchAll(/(\d+)([hms])/g)) seconds += Number(n) * (unit === "h" ? 3600 : unit === "m" ? 60 : 1);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const sec = seconds % 60;
  return h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
}
