/**
 * Test helpers for the reports. Scenario plans come from up to three sources, and the scenario tests run on each:
 *   - "real": `terraform show -json` of real plans on our synthesized default site against the provider simulator,
 *     made at test time by tools/testbench/scenarios.ts realPlans() (call useRealPlans() in the test file);
 *   - "hand-written": __tests__/reports/fixtures/<name>.json, only for what real Terraform on our stacks cannot
 *     produce (a maas_machine replaced through replace_paths, secrets the provider does not mark);
 *   - "PLAN_FIXTURES_DIR": $PLAN_FIXTURES_DIR/<name>.json, if set (try a plan of your own).
 * The tests derive what they expect from the plan itself (addresses, replace_paths, sensitive values), never from
 * names that only one plan uses.
 */
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realPlans, type PlanJson, type RealPlans } from "../../tools/testbench/scenarios";
import { kindOf, loadPlanFile, parsePlan, type Plan, type ResourceChange } from "../../tools/reports/plan-json";
import { nameIsMasked } from "../../tools/reports/values";

export const FIXTURES = join(__dirname, "fixtures");

/** Each scenario's real plan(s), by source label. */
const REAL = {
  creates: { real: (p) => p.creates },
  update: { real: (p) => p.update },
  "replace-machine": { "real worker": (p) => p.replaceWorker, "real VM": (p) => p.replaceVm },
  "delete-ceph-osd": { real: (p) => p.deleteCephOsd },
  sensitive: {},
  "no-changes": { real: (p) => p.noChanges },
  drift: { real: (p) => p.drift },
  "drift-clean": { real: (p) => p.driftClean },
  "site-juju-controller": { real: (p) => p.createsJujuController },
  "site-openstack": { real: (p) => p.createsOpenstack },
} satisfies Record<string, Record<string, (p: RealPlans) => PlanJson>>;
export type Scenario = keyof typeof REAL;
export const SCENARIOS = Object.keys(REAL) as Scenario[];

let real: RealPlans | undefined;

/** Produces the real plans before the file's tests (~45 s the first time in a jest worker, then cached). */
export function useRealPlans(): void {
  beforeAll(async () => {
    real = await realPlans();
  }, 300_000);
}

function files(name: Scenario): [string, string][] {
  const dirs: [string, string][] = [["hand-written", FIXTURES]];
  if (process.env.PLAN_FIXTURES_DIR) dirs.push(["PLAN_FIXTURES_DIR", process.env.PLAN_FIXTURES_DIR]);
  return dirs.map(([label, d]): [string, string] => [label, join(d, `${name}.json`)]).filter(([, f]) => existsSync(f));
}

/** The sources of a scenario's plans (known before the plans exist, for test.each): a test runs on each. */
export function scenarioSources(name: Scenario): string[] {
  return [...Object.keys(REAL[name]), ...files(name).map(([label]) => label)];
}

/** A scenario's plan from one source (real plans: after useRealPlans()'s beforeAll). */
export function scenarioPlan(name: Scenario, source = scenarioSources(name)[0]!): Plan {
  const fromReal = (REAL[name] as Record<string, (p: RealPlans) => PlanJson>)[source];
  if (fromReal) {
    if (!real) throw new Error("real plans not loaded: call useRealPlans() in the test file");
    return parsePlan(JSON.stringify(fromReal(real)), `${name} (${source})`);
  }
  const file = files(name).find(([label]) => label === source);
  if (!file) throw new Error(`no plan for scenario ${name} from ${source}`);
  return loadPlanFile(file[1]);
}

let planDir: string | undefined;

/** The first plan of a scenario as a file, for the CLIs. */
export function scenarioFile(name: Scenario): string {
  planDir ??= mkdtempSync(join(tmpdir(), "reports-plans-"));
  const file = join(planDir, `${name}.json`);
  if (!existsSync(file)) writeFileSync(file, JSON.stringify(scenarioPlan(name)));
  return file;
}

export function changesOfKind(plan: Plan, kind: string): ResourceChange[] {
  return plan.resource_changes.filter((rc) => kindOf(rc.change.actions) === kind);
}

function leaves(v: unknown, shape: unknown, hidden: boolean, out: { hidden: Set<string>; visible: Set<string> }): void {
  const isHidden = hidden || shape === true;
  if (Array.isArray(v)) v.forEach((x, i) => leaves(x, Array.isArray(shape) ? shape[i] : shape === true ? true : undefined, isHidden, out));
  else if (v !== null && typeof v === "object") {
    for (const [k, x] of Object.entries(v)) {
      const s = shape !== null && typeof shape === "object" ? (shape as Record<string, unknown>)[k] : shape === true ? true : undefined;
      leaves(x, s, isHidden || nameIsMasked(k), out);
    }
  } else if (typeof v === "string" || typeof v === "number") (isHidden ? out.hidden : out.visible).add(String(v));
}

/**
 * Every value of the plan that must never be printed: under a sensitive marker or an attribute named like a secret,
 * less short values and values that also appear unhidden elsewhere (those prove nothing).
 */
export function secretValues(plan: Plan): string[] {
  const acc = { hidden: new Set<string>(), visible: new Set<string>() };
  for (const rc of [...plan.resource_changes, ...plan.resource_drift]) {
    leaves(rc.change.before, rc.change.before_sensitive, false, acc);
    leaves(rc.change.after, rc.change.after_sensitive, false, acc);
  }
  for (const oc of Object.values(plan.output_changes) as { before?: unknown; after?: unknown; before_sensitive?: unknown; after_sensitive?: unknown }[]) {
    leaves(oc.before, oc.before_sensitive, false, acc);
    leaves(oc.after, oc.after_sensitive, false, acc);
  }
  return [...acc.hidden].filter((s) => s.length >= 6 && !acc.visible.has(s));
}

/** A copy of the plan with every hidden string replaced by one of another length. */
export function reshapeSecrets(plan: Plan, secrets: readonly string[]): Plan {
  const longestFirst = [...secrets].sort((a, b) => b.length - a.length);
  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return longestFirst.reduce((t, s) => t.split(s).join(`${s}-and-some-more-characters`), v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(plan) as Plan;
}

export interface Captured {
  readonly stdout: string[];
  readonly stderr: string[];
  readonly files: Map<string, string>;
}

export function captureIo(): Captured & { io: { stdout: (s: string) => void; stderr: (s: string) => void; writeFile: (f: string, c: string) => void } } {
  const c = { stdout: [] as string[], stderr: [] as string[], files: new Map<string, string>() };
  return { ...c, io: { stdout: (s) => c.stdout.push(s), stderr: (s) => c.stderr.push(s), writeFile: (f, t) => c.files.set(f, t) } };
}
