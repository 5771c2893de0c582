/** Turns a plan into the facts the reports print: what changes, in which layer, and which changes are dangerous. */
import { DANGEROUS_TYPES, isStatefulApplication, layerOf, type LayerDef, type LayerId, LAYERS } from "./catalog";
import { kindOf, type ChangeKind, type Plan, type PathStep, type ResourceChange } from "./plan-json";
import { readVisibleString } from "./values";

export interface Danger {
  /** What is at stake, in words: "MAAS machine", "stateful application (charm ceph-osd)". */
  readonly what: string;
  readonly replacePaths: readonly (readonly PathStep[])[];
  readonly reason: string | undefined;
}

export interface ChangeItem {
  readonly stack: string;
  readonly rc: ResourceChange;
  readonly kind: ChangeKind;
  readonly layer: LayerDef;
  readonly danger: Danger | undefined;
  readonly importing: boolean;
  readonly movedFrom: string | undefined;
}

export type CountKey = "create" | "update" | "replace" | "delete" | "forget" | "import" | "move";
export type Counts = Record<CountKey, number>;

export interface OutputItem {
  readonly name: string;
  readonly kind: ChangeKind;
}

export interface StackSummary {
  readonly name: string;
  /** Set when the stack could not be planned; then nothing else is known about it. */
  readonly error?: string;
  /** Set when the stack was not planned on purpose: why, and what to deploy first. */
  readonly skipped?: string;
  readonly items: readonly ChangeItem[];
  readonly counts: Counts;
  readonly byLayer: ReadonlyMap<LayerId, Counts>;
  /** Data sources Terraform will read during apply. */
  readonly reads: number;
  readonly outputs: readonly OutputItem[];
  readonly planErrored: boolean;
  readonly timestamp?: string;
}

export function emptyCounts(): Counts {
  return { create: 0, update: 0, replace: 0, delete: 0, forget: 0, import: 0, move: 0 };
}

export function hasChanges(s: StackSummary): boolean {
  return s.items.length > 0 || s.outputs.length > 0;
}

function charmName(rc: ResourceChange, side: "before" | "after"): string | undefined {
  const c = rc.change;
  return side === "before"
    ? readVisibleString(c.before, c.before_sensitive, ["charm", 0, "name"])
    : readVisibleString(c.after, c.after_sensitive, ["charm", 0, "name"]);
}

export function dangerOf(rc: ResourceChange, kind: ChangeKind): Danger | undefined {
  if (kind !== "delete" && kind !== "replace") return undefined;
  const base = { replacePaths: rc.change.replace_paths ?? [], reason: rc.action_reason };
  const label = DANGEROUS_TYPES[rc.type];
  if (label) return { what: label, ...base };
  if (rc.type === "juju_application") {
    const charms = [charmName(rc, "before"), charmName(rc, "after")].filter((c): c is string => c !== undefined);
    const names = [
      readVisibleString(rc.change.before, rc.change.before_sensitive, ["name"]),
      readVisibleString(rc.change.after, rc.change.after_sensitive, ["name"]),
      rc.name,
    ].filter((n): n is string => n !== undefined);
    const stateful = charms.length > 0 ? charms.some((c) => isStatefulApplication(c, [])) : isStatefulApplication(undefined, names);
    if (stateful) {
      const charm = charms.find((c) => isStatefulApplication(c, [])) ?? charms[0];
      return { what: charm ? `stateful application (charm ${charm})` : "stateful application (by its name)", ...base };
    }
  }
  return undefined;
}

function bump(c: Counts, item: ChangeItem): void {
  switch (item.kind) {
    case "create":
    case "update":
    case "replace":
    case "delete":
    case "forget":
      c[item.kind]++;
      break;
    default:
      break;
  }
  if (item.importing) c.import++;
  if (item.movedFrom) c.move++;
}

/** Orders changes for reading: dangerous first, then by how much they destroy, then by address. */
export const KIND_RANK: Readonly<Record<ChangeKind, number>> = {
  replace: 0,
  delete: 1,
  forget: 2,
  update: 3,
  create: 4,
  "no-op": 5,
  read: 6,
};

export function compareItems(a: ChangeItem, b: ChangeItem): number {
  return (
    Number(!a.danger) - Number(!b.danger) ||
    KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
    (a.rc.address < b.rc.address ? -1 : a.rc.address > b.rc.address ? 1 : 0)
  );
}

function itemsOf(stack: string, changes: readonly ResourceChange[]): ChangeItem[] {
  const items: ChangeItem[] = [];
  for (const rc of changes) {
    const kind = kindOf(rc.change.actions);
    const importing = rc.change.importing !== undefined && rc.change.importing !== null;
    const movedFrom = rc.previous_address && rc.previous_address !== rc.address ? rc.previous_address : undefined;
    if (kind === "read") continue;
    if (kind === "no-op" && !importing && !movedFrom) continue;
    items.push({ stack, rc, kind, layer: layerOf(rc.type), danger: dangerOf(rc, kind), importing, movedFrom });
  }
  return items.sort(compareItems);
}

export function summarizePlan(name: string, plan: Plan): StackSummary {
  const items = itemsOf(name, plan.resource_changes);
  const counts = emptyCounts();
  const byLayer = new Map<LayerId, Counts>();
  for (const item of items) {
    bump(counts, item);
    if (!byLayer.has(item.layer.id)) byLayer.set(item.layer.id, emptyCounts());
    bump(byLayer.get(item.layer.id)!, item);
  }
  const reads = plan.resource_changes.filter((rc) => kindOf(rc.change.actions) === "read").length;
  const outputs = Object.entries(plan.output_changes)
    .map(([n, oc]) => ({ name: n, kind: kindOf(oc.actions) }))
    .filter((o) => o.kind !== "no-op")
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    name,
    items,
    counts,
    byLayer: new Map(LAYERS.filter((l) => byLayer.has(l.id)).map((l) => [l.id, byLayer.get(l.id)!])),
    reads,
    outputs,
    planErrored: plan.errored === true,
    ...(plan.timestamp ? { timestamp: plan.timestamp } : {}),
  };
}

export function skippedStack(name: string, reason: string): StackSummary {
  return { name, skipped: reason, items: [], counts: emptyCounts(), byLayer: new Map(), reads: 0, outputs: [], planErrored: false };
}

export function failedStack(name: string, error: string): StackSummary {
  return { name, error, items: [], counts: emptyCounts(), byLayer: new Map(), reads: 0, outputs: [], planErrored: true };
}

/** Drifted objects of a refresh-only plan: changed or deleted outside Terraform. */
export function driftItems(stack: string, plan: Plan): ChangeItem[] {
  return plan.resource_drift
    .map((rc) => ({ rc, kind: kindOf(rc.change.actions) }))
    .filter(({ kind }) => kind === "update" || kind === "delete" || kind === "replace" || kind === "create")
    .map(({ rc, kind }) => ({
      stack,
      rc,
      kind,
      layer: layerOf(rc.type),
      danger: undefined,
      importing: false,
      movedFrom: undefined,
    }))
    .sort((a, b) => KIND_RANK[a.kind] - KIND_RANK[b.kind] || (a.rc.address < b.rc.address ? -1 : 1));
}
