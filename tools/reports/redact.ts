/**
 * Secrets out of what leaves the runner: `terraform show -json` documents and text bound for reports and logs.
 *
 * `redactShowJson` masks, in a plan's or a state's JSON, every value of:
 *  1. Terraform's markers: `before_sensitive`/`after_sensitive` of resource changes, drift and outputs,
 *     `sensitive_values` of resources in planned values, prior state and state, sensitive outputs, and the value and
 *     default of every variable declared sensitive;
 *  2. (unless `names: false`) any attribute, map key or variable whose name matches {@link MASKED_NAME}, as the
 *     reports do, because providers do not mark every secret;
 *  3. (with `env`) the value of any secret-looking environment variable, wherever it appears in a string.
 * The markers themselves stay, so the masked document still reads as the same plan (plan-report renders the same
 * report from it).
 */
import { MASKED, MASKED_NAME, SENSITIVE } from "./values";

type Json = unknown;
type JsonObject = Record<string, Json>;

const SECRET_ENV = /(KEY|SECRET|TOKEN|PASSWORD|PASSWD|PASS|CONN_STR|CERT|CREDENTIAL)/i;

/** The values of secret-looking environment variables (and every TF_VAR_), longest first. */
function secretValues(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([k, v]) => v && v.length >= 4 && (SECRET_ENV.test(k) || k.startsWith("TF_VAR_")))
    .map(([, v]) => v!)
    .sort((a, b) => b.length - a.length);
}

/** Replaces the values of secret-looking environment variables (and every TF_VAR_) in text bound for a report. */
export function scrubSecrets(text: string, env: NodeJS.ProcessEnv = process.env): string {
  let out = text;
  for (const v of secretValues(env)) out = out.split(v).join("***");
  return out;
}

export interface RedactOptions {
  /** Mask by name as well as by Terraform's markers (default true). */
  readonly names?: boolean;
  /** Scrub the values of this environment's secret-looking variables from every string. */
  readonly env?: NodeJS.ProcessEnv;
}

const isObject = (v: Json): v is JsonObject => v !== null && typeof v === "object" && !Array.isArray(v);

/** A copy of a `terraform show -json` document (plan or state) with its secrets masked. */
export function redactShowJson(doc: Json, options: RedactOptions = {}): Json {
  const names = options.names ?? true;
  const byName = (key: string) => names && MASKED_NAME.test(key);

  /** `value` with what `mask` (Terraform's sensitivity shape) marks true, and masked names, replaced. */
  const mask = (value: Json, shape: Json): Json => {
    if (shape === true) return SENSITIVE;
    if (Array.isArray(value)) return value.map((v, i) => mask(v, Array.isArray(shape) ? shape[i] : undefined));
    if (!isObject(value)) return value;
    const s = isObject(shape) ? shape : {};
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, s[k] !== true && byName(k) && v !== null && v !== undefined ? MASKED : mask(v, s[k])]));
  };

  const d = structuredClone(doc) as JsonObject;
  if (!isObject(d)) return d;

  const declared = (((d.configuration as JsonObject | undefined)?.root_module as JsonObject | undefined)?.variables ?? {}) as Record<string, JsonObject>;
  const secretVariable = (name: string) => declared[name]?.sensitive === true || byName(name);
  for (const [name, v] of Object.entries((d.variables ?? {}) as Record<string, JsonObject>)) if (secretVariable(name)) v.value = SENSITIVE;
  for (const [name, v] of Object.entries(declared)) if (secretVariable(name) && "default" in v) v.default = SENSITIVE;
  if (names && isObject(d.configuration)) d.configuration = maskConstantsByName(d.configuration);

  const values = (v: Json) => {
    if (!isObject(v)) return;
    module(v.root_module);
    for (const [name, o] of Object.entries((v.outputs ?? {}) as Record<string, JsonObject>)) if (o.sensitive === true || byName(name)) o.value = SENSITIVE;
  };
  const module = (m: Json) => {
    if (!isObject(m)) return;
    for (const r of (m.resources ?? []) as JsonObject[]) r.values = mask(r.values, r.sensitive_values);
    for (const c of (m.child_modules ?? []) as Json[]) module(c);
  };
  values(d.values);
  values(d.planned_values);
  values((d.prior_state as JsonObject | undefined)?.values);
  for (const key of ["resource_changes", "resource_drift"]) {
    for (const rc of (d[key] ?? []) as JsonObject[]) {
      const c = rc.change as JsonObject;
      c.before = mask(c.before, c.before_sensitive);
      c.after = mask(c.after, c.after_sensitive);
    }
  }
  for (const [name, oc] of Object.entries((d.output_changes ?? {}) as Record<string, JsonObject>)) {
    oc.before = byName(name) ? SENSITIVE : mask(oc.before, oc.before_sensitive);
    oc.after = byName(name) ? SENSITIVE : mask(oc.after, oc.after_sensitive);
  }

  const secrets = options.env ? secretValues(options.env) : [];
  return secrets.length ? mapStrings(d, (s) => secrets.reduce((out, v) => out.split(v).join("***"), s)) : d;
}

/** The configuration's literal values (`constant_value`) under a secret-like name: a secret written into the code. */
function maskConstantsByName(value: Json, masked = false): Json {
  if (Array.isArray(value)) return value.map((v) => maskConstantsByName(v, masked));
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, masked && k === "constant_value" ? MASKED : maskConstantsByName(v, masked || MASKED_NAME.test(k))]),
  );
}

function mapStrings(value: Json, f: (s: string) => string): Json {
  if (typeof value === "string") return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f));
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, f)]));
}
