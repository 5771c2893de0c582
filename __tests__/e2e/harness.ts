/**
 * End-to-end harness: the app helpers of tools/testbench/scenarios.ts (build, synth as a fresh process, fake
 * secrets, loopback MAAS stand-in) plus the secret-leak check on terraform's output and `show -json`.
 */
import * as fs from "node:fs";
import { redactShowJson } from "../../tools/reports/redact";
import { tempDir } from "../../tools/testbench/scenarios";
import type { TfPlanJson, TfStateJson } from "../../tools/testbench";
import { SECRET_MARKERS } from "../../tools/testbench/scenarios";

export {
  ROOT, STACKS, SECRETS, SECRET_MARKERS, STACK_ENV, addWorker, appScript, defaultSite, loopbackSite, seedTwin, startFakeMaas,
  synth, tempDir,
} from "../../tools/testbench/scenarios";
export type { FakeMaas, SiteData, StackName, Synth } from "../../tools/testbench/scenarios";

/** The markers of SECRETS found in a text. */
export function leakedSecrets(text: string): string[] {
  return SECRET_MARKERS.filter((m) => text.includes(m));
}

/**
 * Leaks in a `show -json` document (of a plan or of the state) once every value Terraform marks sensitive is masked:
 * secrets left are values a provider or our stacks failed to mark. Masking by name is off, so it cannot hide one.
 */
export function showJsonLeaks(doc: TfPlanJson | TfStateJson): string[] {
  return leakedSecrets(JSON.stringify(redactShowJson(doc, { names: false })));
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

/** A maker of temporary folders that are removed after the calling test file's tests. */
export function tempDirsRemovedAfterAll(): (prefix: string) => string {
  const made: string[] = [];
  afterAll(() => {
    for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
  });
  return (prefix) => {
    const dir = tempDir(prefix);
    made.push(dir);
    return dir;
  };
}
