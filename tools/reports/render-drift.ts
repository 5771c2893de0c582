/**
 * Markdown for a drift issue from a refresh-only plan: each object changed or deleted outside Terraform, with the
 * attributes that moved (sensitive values masked as in the plan report).
 */
import { LAYERS } from "./catalog";
import { code, DEFAULT_MAX_CHARS, diffTable, text } from "./markdown";
import type { Plan } from "./plan-json";
import { driftItems, type ChangeItem } from "./summarize";
import { attributeDiffs } from "./values";

export interface DriftReportOptions {
  /** Hidden marker that identifies the issue body: `<!-- drift:KEY -->`. @default the stack's name */
  readonly markerKey?: string;
  /** A line of trusted Markdown under the title, e.g. a link to the run. */
  readonly context?: string;
  /** Where the full refresh-only plan is; printed whenever details are cut. */
  readonly detailsHint?: string;
  /** @default 60000 */
  readonly maxChars?: number;
  readonly maxRowsPerResource?: number;
  readonly maxValueChars?: number;
}

export interface DriftReport {
  readonly drifted: boolean;
  readonly markdown: string;
  readonly items: readonly ChangeItem[];
}

const VERB: Readonly<Record<string, string>> = {
  update: "changed outside Terraform",
  delete: "deleted outside Terraform",
  replace: "replaced outside Terraform",
  create: "appeared outside Terraform",
};

export function driftMarker(key: string): string {
  return `<!-- drift:${key.replace(/--+/g, "-").replace(/>/g, "")} -->`;
}

function itemBlock(i: ChangeItem, maxRows: number, maxValueChars: number, hint: string): string {
  const head = `#### ${code(i.rc.address)}: ${VERB[i.kind] ?? i.kind}`;
  if (i.kind === "delete") return [head, "", "_The object no longer exists; Terraform would create it again on the next apply._", ""].join("\n");
  const diffs = attributeDiffs(i.rc.change, { maxValueChars });
  const body = diffs.length
    ? diffTable(diffs, { maxRows, beforeTitle: "In Terraform's state", afterTitle: "Now", moreHint: hint })
    : "_The provider reports a change but no attribute differs._";
  return [head, "", body, ""].join("\n");
}

/** Every drifted object by address; only a drift of thousands of objects is cut, and then it says so. */
function objectList(items: readonly ChangeItem[], maxChars: number): string[] {
  const lines = items.map((i) => `- ${code(i.rc.address)}: ${VERB[i.kind] ?? i.kind}`);
  const budget = Math.floor(maxChars / 2);
  let used = 0;
  let n = 0;
  while (n < lines.length && used + lines[n]!.length + 1 <= budget) used += lines[n++]!.length + 1;
  const out = ["Objects:", "", ...lines.slice(0, n)];
  if (n < lines.length) out.push("", `_…and ${lines.length - n} more objects; all are in the full plan._`);
  return out;
}

export function renderDriftReport(stack: string, plan: Plan, opts: DriftReportOptions = {}): DriftReport {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const hint = opts.detailsHint ?? "run `terraform show <planfile>` on the saved refresh-only plan";
  const items = driftItems(stack, plan);
  const head = [driftMarker(opts.markerKey ?? stack)];
  const when = plan.timestamp ? ` (plan of ${text(plan.timestamp)})` : "";
  if (items.length === 0) {
    head.push(`## No drift in stack ${code(stack)}`, "", ...(opts.context ? [opts.context, ""] : []));
    head.push(`The real infrastructure matches Terraform's state${when}.`);
    return { drifted: false, markdown: head.join("\n") + "\n", items };
  }
  const changed = items.filter((i) => i.kind !== "delete").length;
  const deleted = items.length - changed;
  head.push(`## Drift in stack ${code(stack)}`, "", ...(opts.context ? [opts.context, ""] : []));
  head.push(
    `**${items.length} object${items.length === 1 ? "" : "s"} drifted** from Terraform's state${when}: ${changed} changed, ${deleted} deleted outside Terraform.`,
    "",
    "| Layer | Changed | Deleted |",
    "|---|---:|---:|",
    ...LAYERS.filter((l) => items.some((i) => i.layer.id === l.id)).map((l) => {
      const mine = items.filter((i) => i.layer.id === l.id);
      const d = mine.filter((i) => i.kind === "delete").length;
      return `| ${l.title} | ${mine.length - d} | ${d} |`;
    }),
    "",
    ...objectList(items, maxChars),
    "",
    "### What changed",
    "",
  );
  const skeleton = head.join("\n");
  let left = maxChars - skeleton.length - 600;
  const blocks: string[] = [];
  let cut = 0;
  for (const i of items) {
    const b = itemBlock(i, opts.maxRowsPerResource ?? 40, opts.maxValueChars ?? 300, hint);
    if (b.length + 1 <= left) {
      blocks.push(b);
      left -= b.length + 1;
    } else cut++;
  }
  const tail = cut
    ? [`✂️ **Shortened to fit GitHub's size limit**: the attributes of ${cut} of ${items.length} objects are not shown. For all of them, ${hint}.`]
    : [];
  const reconcile = [
    "",
    "---",
    "To reconcile: either change the configuration to match (and let a pull request's plan show no change), or apply to put the objects back as configured.",
  ];
  const markdown = [skeleton, ...blocks, ...tail, ...reconcile].join("\n") + "\n";
  return { drifted: true, markdown, items };
}
