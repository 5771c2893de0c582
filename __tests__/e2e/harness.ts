/**
 * End-to-end harness: the app helpers of tools/testbench/scenarios.ts (build, synth as a fresh process, fake
 * secrets, loopback MAAS stand-in) plus the secret-leak check on terraform's output and `show -json`.
 */
import type { TfPlanJson, TfStateJson } from "../../tools/testbench";
import { SECRET_MARKERS } from "../../tools/testbench/scenarios";

export {
  ROOT, STACKS, SECRETS, SECRET_MARKERS, STACK_ENV, addWorker, appScript, defaultSite, loopbackSite, seedRackController, startFakeMaas,
  synth, tempDir,
} from "../../tools/testbench/scenarios";
export type { FakeMaas, SiteData, StackName, Synth } from "../../tools/testbench/scenarios";

/** The markers of SECRETS found in a text. */
export function leakedSecrets(text: string): string[] {
  return SECRET_MARKERS.filter((m) => text.includes(m));
}

type Json = unknown;
/** Replaces every value the mask marks sensitive (true), at any depth. */
function redact(value: Json, mask: Json): Json {
  if (mask === true) return "(sensitive)";
  if (mask === null || typeof mask !== "object" || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v, i) => redact(v, (mask as Json[])[i]));
  const m = mask as Record<string, Json>;
  return Object.fromEntries(Object.entries(value as Record<string, Json>).map(([k, v]) => [k, redact(v, m[k])]));
}

interface JsonResource {
  values?: Json;
  sensitive_values?: Json;
}
interface JsonModule {
  resources?: JsonResource[];
  child_modules?: JsonModule[];
}
function redactModule(mod: JsonModule | undefined): void {
  for (const r of mod?.resources ?? []) r.values = redact(r.values, r.sensitive_values);
  for (const c of mod?.child_modules ?? []) redactModule(c);
}
function redactOutputs(outputs: Record<string, { sensitive?: boolean; value?: Json }> | undefined): void {
  for (const o of Object.values(outputs ?? {})) if (o.sensitive) o.value = "(sensitive)";
}
interface JsonValues {
  root_module?: JsonModule;
  outputs?: Record<string, { sensitive?: boolean; value?: Json }>;
}

/**
 * `show -json` (of a plan or of the state) with every value Terraform marks sensitive masked; secrets found in
 * what is left are leaks. Sensitive input variables count as masked (the plan file must carry their values).
 */
export function redactShowJson(doc: TfPlanJson | TfStateJson): Json {
  const d = structuredClone(doc) as Record<string, Json>;
  const config = (d.configuration as { root_module?: { variables?: Record<string, { sensitive?: boolean }> } } | undefined)?.root_module?.variables ?? {};
  for (const [name, v] of Object.entries((d.variables as Record<string, { value: Json }>) ?? {})) if (config[name]?.sensitive) v.value = "(sensitive)";
  for (const key of ["values", "planned_values"]) {
    const v = d[key] as JsonValues | undefined;
    redactModule(v?.root_module);
    redactOutputs(v?.outputs);
  }
  const prior = (d.prior_state as { values?: JsonValues } | undefined)?.values;
  redactModule(prior?.root_module);
  redactOutputs(prior?.outputs);
  for (const key of ["resource_changes", "resource_drift"]) {
    for (const rc of (d[key] as { change: Record<string, Json> }[] | undefined) ?? []) {
      rc.change.before = redact(rc.change.before, rc.change.before_sensitive);
      rc.change.after = redact(rc.change.after, rc.change.after_sensitive);
    }
  }
  for (const oc of Object.values((d.output_changes as Record<string, Record<string, Json>>) ?? {})) {
    oc.before = redact(oc.before, oc.before_sensitive);
    oc.after = redact(oc.after, oc.after_sensitive);
  }
  return d;
}

/** Leaks in a `show -json` document once sensitive values are masked. */
export function showJsonLeaks(doc: TfPlanJson | TfStateJson): string[] {
  return leakedSecrets(JSON.stringify(redactShowJson(doc)));
}

/** Resource addresses of a plan by action (create, update, delete, replace, no-op, read). */
export function addressesByAction(plan: TfPlanJson): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== "managed") continue;
    const a = rc.change.actions;
    const key = a.length === 2 ? "replace" : a[0]!;
    (out[key] ??= []).push(rc.address);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** Resource counts per type of a synthesized stack. */
export function resourceCounts(json: Record<string, unknown>): Record<string, number> {
  const res = (json.resource ?? {}) as Record<string, Record<string, unknown>>;
  return Object.fromEntries(Object.entries(res).map(([t, v]) => [t, Object.keys(v).length]));
}
