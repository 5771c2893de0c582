/**
 * Renders the example comment and drift issue of docs/plan-previews.md from the real plans of the test bench
 * (__tests__/reports/fixtures/generated/), between the `<!-- example:NAME begin -->` and `end` lines. A test checks
 * that the document matches; after the bench regenerates its plans, run:
 *
 *   npx tsx tools/reports/docs-example.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadPlanFile } from "./plan-json";
import { renderDriftReport } from "./render-drift";
import { renderPlanReport } from "./render-plan";
import { summarizePlan } from "./summarize";

const ROOT = resolve(__dirname, "../..");
export const DOC = join(ROOT, "docs/plan-previews.md");
const GENERATED = join(ROOT, "__tests__/reports/fixtures/generated");
const RUN = "https://github.com/OWNER/REPO/actions/runs/123456789";

export function examples(): Record<string, string> {
  const plan = renderPlanReport(
    [summarizePlan("substrate", loadPlanFile(join(GENERATED, "replace-machine.json"))), summarizePlan("openstack", loadPlanFile(join(GENERATED, "delete-ceph-osd.json")))],
    {
      markerKey: "plan preview/cdktf.out",
      context: `Commit \`3f9c2d1a7b4e\` · [workflow run](${RUN})`,
      detailsHint: `download the \`plan-preview-pr42-run123456789-1\` artifact of [this run](${RUN}): \`<stack>.plan.txt\` is each stack's full plan`,
    },
  );
  const drift = renderDriftReport("substrate", loadPlanFile(join(GENERATED, "drift.json")), {
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

if (require.main === module) writeFileSync(DOC, withExamples(readFileSync(DOC, "utf8")));
