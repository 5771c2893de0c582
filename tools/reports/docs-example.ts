/**
 * Renders the example comment and drift issue of docs/plan-previews.md between the `<!-- example:NAME begin -->`
 * and `end` lines, from real plans of the test bench (tools/testbench/scenarios.ts realPlans(): a worker replaced,
 * a ceph-osd application deleted, a drift) kept in docs/plan-previews.plans.json: fresh plans differ run to run in
 * their timestamps and simulated ids. A test checks that the document matches that snapshot and that the snapshot
 * makes the same changes as today's real plans; after a change to the reports or the stacks, run:
 *
 *   npx tsx tools/reports/docs-example.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { realPlans } from "../testbench/scenarios";
import { parsePlan, type Plan } from "./plan-json";
import { renderDriftReport } from "./render-drift";
import { renderPlanReport } from "./render-plan";
import { summarizePlan } from "./summarize";

const ROOT = resolve(__dirname, "../..");
export const DOC = join(ROOT, "docs/plan-previews.md");
export const SNAPSHOT = join(ROOT, "docs/plan-previews.plans.json");
const RUN = "https://github.com/OWNER/REPO/actions/runs/123456789";

export interface ExamplePlans {
  /** Substrate: realPlans().replaceWorker. */
  replace: Plan;
  /** Openstack: realPlans().deleteCephOsd. */
  delete: Plan;
  /** Substrate, refresh-only: realPlans().drift. */
  drift: Plan;
}

/** The plans of the snapshot. */
export function snapshotPlans(): ExamplePlans {
  const raw = JSON.parse(readFileSync(SNAPSHOT, "utf8")) as Record<keyof ExamplePlans, unknown>;
  return { replace: parsePlan(JSON.stringify(raw.replace), "replace"), delete: parsePlan(JSON.stringify(raw.delete), "delete"), drift: parsePlan(JSON.stringify(raw.drift), "drift") };
}

export function examples(plans: ExamplePlans = snapshotPlans()): Record<string, string> {
  const plan = renderPlanReport(
    [summarizePlan("substrate", plans.replace), summarizePlan("openstack", plans.delete)],
    {
      markerKey: "plan preview/cdktf.out",
      context: `Commit \`3f9c2d1a7b4e\` · [workflow run](${RUN})`,
      detailsHint: `download the \`plan-preview-pr42-run123456789-1\` artifact of [this run](${RUN}): \`<stack>.plan.txt\` is each stack's full plan`,
    },
  );
  const drift = renderDriftReport("substrate", plans.drift, {
    context: `Checked by [workflow run](${RUN}).`,
    detailsHint: `download the \`drift-substrate-run123456789-1\` artifact of [the run](${RUN})`,
  }).markdown;
  return { "plan-report": plan, "drift-report": drift };
}

/** The document with each example section replaced by its current rendering. */
export function withExamples(doc: string, ex: Record<string, string> = examples()): string {
  let out = doc;
  for (const [name, md] of Object.entries(ex)) {
    const begin = `<!-- example:${name} begin -->`;
    const end = `<!-- example:${name} end -->`;
    const i = out.indexOf(begin);
    const j = out.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${DOC} has no section ${begin} … ${end}`);
    // As a quotation, so that the example's headings stay out of the document's outline.
    const quoted = md
      .trimEnd()
      .split("\n")
      .map((l) => (l === "" ? ">" : `> ${l}`))
      .join("\n");
    out = `${out.slice(0, i + begin.length)}\n\n${quoted}\n\n${out.slice(j)}`;
  }
  return out;
}

if (require.main === module) {
  void realPlans().then((p) => {
    // Only what the reports read: the changes, the drift and the outputs.
    const keep = ({ format_version, terraform_version, timestamp, resource_changes, resource_drift, output_changes }: Record<string, unknown>) => ({
      format_version,
      terraform_version,
      timestamp,
      resource_changes: (resource_changes as { change: { actions: string[] } }[] | undefined)?.filter((rc) => rc.change.actions.join() !== "no-op"),
      resource_drift,
      output_changes,
    });
    writeFileSync(SNAPSHOT, `${JSON.stringify({ replace: keep(p.replaceWorker), delete: keep(p.deleteCephOsd), drift: keep(p.drift) }, null, 1)}\n`);
    writeFileSync(DOC, withExamples(readFileSync(DOC, "utf8")));
  });
}
