/**
 * The subset of Terraform's JSON plan representation (`terraform show -json <planfile>`, format_version 1.x) that the
 * reports read. Unknown properties are kept and ignored, as the format's compatibility promise asks.
 */
import { readFileSync } from "node:fs";
import { z } from "zod";

export type PathStep = string | number;

export interface Change {
  readonly actions: readonly string[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  readonly replace_paths?: readonly (readonly PathStep[])[];
  readonly importing?: unknown;
}

export interface ResourceChange {
  readonly address: string;
  readonly previous_address?: string;
  readonly mode?: string;
  readonly type: string;
  readonly name?: string;
  readonly index?: unknown;
  readonly provider_name?: string;
  readonly deposed?: string;
  readonly change: Change;
  readonly action_reason?: string;
}

export interface OutputChange {
  readonly actions: readonly string[];
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
}

export interface Plan {
  readonly format_version: string;
  readonly terraform_version?: string;
  readonly timestamp?: string;
  readonly errored?: boolean;
  readonly resource_changes: readonly ResourceChange[];
  readonly resource_drift: readonly ResourceChange[];
  readonly output_changes: Readonly<Record<string, OutputChange>>;
}

const pathStep = z.union([z.string(), z.number()]);

const changeSchema = z.looseObject({
  actions: z.array(z.string()).min(1),
  before: z.unknown().optional(),
  after: z.unknown().optional(),
  after_unknown: z.unknown().optional(),
  before_sensitive: z.unknown().optional(),
  after_sensitive: z.unknown().optional(),
  replace_paths: z.array(z.array(pathStep)).nullish(),
  importing: z.unknown().optional(),
});

const resourceChangeSchema = z.looseObject({
  address: z.string(),
  previous_address: z.string().nullish(),
  mode: z.string().nullish(),
  type: z.string(),
  name: z.string().nullish(),
  index: z.unknown().optional(),
  provider_name: z.string().nullish(),
  deposed: z.string().nullish(),
  change: changeSchema,
  action_reason: z.string().nullish(),
});

const planSchema = z.looseObject({
  format_version: z.string().regex(/^1\.\d+$/, "format_version must be 1.x (this reader knows major version 1 only)"),
  terraform_version: z.string().nullish(),
  timestamp: z.string().nullish(),
  errored: z.boolean().nullish(),
  planned_values: z.unknown().optional(),
  resource_changes: z.array(resourceChangeSchema).nullish(),
  resource_drift: z.array(resourceChangeSchema).nullish(),
  output_changes: z.record(z.string(), z.looseObject({ actions: z.array(z.string()) })).nullish(),
});

/** A plan file that cannot be read: missing, not JSON, not a plan. The CLIs turn it into exit code 1. */
export class PlanInputError extends Error {
  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
    this.name = "PlanInputError";
  }
}

/** Drops nulls so that optional properties are either present or absent. */
function dropNulls<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null)) as T;
}

export function parsePlan(text: string, source: string): Plan {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new PlanInputError(source, `not JSON (${(e as Error).message}); expected the output of \`terraform show -json <planfile>\``);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new PlanInputError(source, "not a JSON object; expected the output of `terraform show -json <planfile>`");
  }
  const obj = raw as Record<string, unknown>;
  if (!("planned_values" in obj) && !("resource_changes" in obj) && !("resource_drift" in obj)) {
    const hint = "values" in obj ? " (this looks like a state, not a plan)" : "";
    throw new PlanInputError(source, `not a Terraform plan${hint}; run \`terraform show -json <planfile>\` on a saved plan`);
  }
  const parsed = planSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const where = first.path.length ? first.path.join(".") : "(top)";
    throw new PlanInputError(source, `unexpected plan JSON at ${where}: ${first.message}`);
  }
  const p = parsed.data;
  const rc = (r: z.infer<typeof resourceChangeSchema>): ResourceChange =>
    dropNulls({ ...r, change: dropNulls({ ...r.change }) as Change }) as ResourceChange;
  return {
    format_version: p.format_version,
    ...(p.terraform_version ? { terraform_version: p.terraform_version } : {}),
    ...(p.timestamp ? { timestamp: p.timestamp } : {}),
    ...(p.errored ? { errored: true } : {}),
    resource_changes: (p.resource_changes ?? []).map(rc),
    resource_drift: (p.resource_drift ?? []).map(rc),
    output_changes: (p.output_changes ?? {}) as Record<string, OutputChange>,
  };
}

export function loadPlanFile(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new PlanInputError(file, err.code === "ENOENT" ? "no such file" : `cannot read (${err.message})`);
  }
  if (text.trim() === "") throw new PlanInputError(file, "empty file; did `terraform show -json` fail?");
  return parsePlan(text, file);
}

export type ChangeKind = "create" | "update" | "replace" | "delete" | "forget" | "read" | "no-op";

/** Folds Terraform's action lists into one kind. Replacement is either order of delete and create. */
export function kindOf(actions: readonly string[]): ChangeKind {
  const has = (a: string) => actions.includes(a);
  if (has("delete") && has("create")) return "replace";
  if (has("create")) return "create";
  if (has("delete")) return "delete";
  if (has("update")) return "update";
  if (has("forget")) return "forget";
  if (has("read")) return "read";
  return "no-op";
}

/**
 * Guesses a stack's name from its plan file's path: `plans/substrate.json` and `substrate.plan.json` give
 * `substrate`; `cdktf.out/stacks/substrate/plan.json` gives the directory's name.
 */
export function stackNameFromPath(file: string): string {
  const parts = file.split(/[\\/]/).filter(Boolean);
  const base = parts[parts.length - 1] ?? file;
  const stem = base.replace(/(\.tfplan)?(\.plan)?\.json$/i, "");
  if (/^(plan|tfplan|show)$/i.test(stem) && parts.length > 1) return parts[parts.length - 2]!;
  return stem;
}
