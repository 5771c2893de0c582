/**
 * Markdown for a pull-request comment from the plans of one or more stacks.
 *
 * Layout, top to bottom: a hidden sticky marker, the summary per stack (or "No changes." plainly), the dangerous
 * changes, then per stack the counts by layer and each change's attributes in a collapsible section.
 *
 * Size: the comment must stay under GitHub's 65,536 characters. The marker, the summary, the dangerous list and the
 * counts are never cut. The attribute details are given out by priority (dangerous, replace, delete, update, create)
 * until the budget is spent; the rest are listed by address only, then only counted, and the comment says so and
 * where the full plan is.
 */
import { operatorHint } from "./hints";
import { LAYERS } from "./catalog";
import {
  code,
  countWords,
  DEFAULT_MAX_CHARS,
  diffTable,
  KIND_SYMBOL,
  KIND_VERB,
  reasonText,
  text,
} from "./markdown";
import { compareItems, hasChanges, type ChangeItem, type Counts, type StackSummary } from "./summarize";
import { attributeDiffs, formatPath } from "./values";

export interface PlanReportOptions {
  /** Identifies the sticky comment: `<!-- plan-preview:KEY -->`. @default "default" */
  readonly markerKey?: string;
  /** @default "Terraform plan preview" */
  readonly title?: string;
  /** A line of Markdown under the title, e.g. the commit and a link to the run. Trusted: the caller writes it. */
  readonly context?: string;
  /** Where the full plan can be read; printed whenever details are cut. Trusted Markdown. */
  readonly detailsHint?: string;
  /** @default 60000 (GitHub's limit is 65,536) */
  readonly maxChars?: number;
  /** Attribute rows per resource before the rest are cut. @default 40 */
  readonly maxRowsPerResource?: number;
  /** Characters of one attribute value before it is cut. @default 300 */
  readonly maxValueChars?: number;
}

export const DEFAULT_DETAILS_HINT = "run `terraform show <planfile>` on the saved plan";

export function markerFor(key: string): string {
  return `<!-- plan-preview:${key.replace(/--+/g, "-").replace(/>/g, "")} -->`;
}

const COUNT_WORDS: readonly (readonly [keyof Counts, string])[] = [
  ["create", "to create"],
  ["update", "to update"],
  ["replace", "to replace"],
  ["delete", "to delete"],
  ["forget", "to forget"],
  ["import", "to import"],
  ["move", "to move"],
];

function stackLine(s: StackSummary): string {
  if (s.error !== undefined) return "❌ plan failed";
  if (s.skipped !== undefined) return "⏭️ not planned yet";
  if (!hasChanges(s)) return "no changes";
  const words = countWords(s.counts, COUNT_WORDS, ["create", "update", "replace", "delete"]);
  const outputs = s.outputs.length ? `; ${s.outputs.length} output${s.outputs.length === 1 ? "" : "s"} changing` : "";
  return `${words}${outputs}`;
}

function headline(item: ChangeItem): string {
  const actions = item.rc.change.actions;
  const symbol = item.kind === "replace" && actions[0] === "create" ? "+/-" : KIND_SYMBOL[item.kind];
  const verb = item.kind === "no-op" ? (item.importing ? "import" : "move") : KIND_VERB[item.kind];
  const deposed = item.rc.deposed ? ` (deposed object ${code(item.rc.deposed)})` : "";
  return `${code(symbol)} ${verb} ${code(item.rc.address)}${deposed}${item.danger ? " ⚠️" : ""}`;
}

function forcedBy(paths: readonly (readonly (string | number)[])[]): string {
  return paths.length ? paths.map((p) => code(formatPath(p))).join(", ") : "";
}

interface RenderSettings {
  readonly maxRows: number;
  readonly maxValueChars: number;
  readonly hint: string;
}

function itemFull(item: ChangeItem, st: RenderSettings): string {
  const facts: string[] = [];
  if (item.danger) facts.push(`⚠️ **Dangerous**: ${text(item.danger.what)}.`);
  const paths = item.rc.change.replace_paths ?? [];
  if (paths.length) facts.push(`Replacement forced by ${forcedBy(paths)}.`);
  const reason = reasonText(item.rc.action_reason);
  if (reason) facts.push(`Reason: ${reason}.`);
  const hint = operatorHint(item);
  if (hint) facts.push(`**Before you apply**: ${text(hint.say)}${hint.run ? `: ${code(hint.run)}` : ""}.`);
  if (item.movedFrom) facts.push(`Moved from ${code(item.movedFrom)}.`);
  if (item.importing) facts.push("Imported into the state.");
  let body: string;
  if (item.kind === "delete" || item.kind === "forget") {
    body = item.kind === "delete" ? "_The object is destroyed with all its attributes._" : "_Removed from the state; the object itself is left alone._";
  } else {
    const diffs = attributeDiffs(item.rc.change, { maxValueChars: st.maxValueChars });
    body = diffs.length
      ? diffTable(diffs, { maxRows: st.maxRows, beforeTitle: "Before", afterTitle: "After", moreHint: st.hint })
      : "_No attribute changes._";
  }
  return [`<details><summary>${headline(item)}</summary>`, "", ...(facts.length ? [facts.join(" "), ""] : []), body, "", "</details>", ""].join(
    "\n",
  );
}

function itemLine(item: ChangeItem): string {
  return `- ${headline(item)}`;
}

type DangerMode = "table" | "compact" | "cut";

function dangerSection(items: readonly ChangeItem[], mode: DangerMode, cutTo: number, hint: string): string {
  if (items.length === 0) return "**No dangerous changes**: no machine, VM host, storage pool, Juju machine or model, or stateful application is deleted or replaced.\n";
  const head = [
    `### ⚠️ ${items.length} dangerous change${items.length === 1 ? "" : "s"}`,
    "",
    "These destroy or recreate machines, VM hosts, storage pools, Juju machines or models, or stateful applications. Check each before merging.",
    "",
  ];
  if (mode === "table") {
    const rows = items.map(
      (i) =>
        `| ${code(i.stack)} | **${i.kind}** | ${code(i.rc.address)} | ${text(i.danger!.what)} | ${forcedBy(i.danger!.replacePaths) || "—"} | ${reasonText(i.danger!.reason) ?? "—"} |`,
    );
    return [...head, "| Stack | Change | Resource | What | Forced by | Reason |", "|---|---|---|---|---|---|", ...rows, ""].join("\n");
  }
  const shown = mode === "cut" ? items.slice(0, cutTo) : items;
  const lines = shown.map((i) => {
    const f = forcedBy(i.danger!.replacePaths);
    const r = i.danger!.reason ? code(i.danger!.reason) : "";
    return `- ${code(i.stack)} **${i.kind}** ${code(i.rc.address)} — ${text(i.danger!.what)}${f ? `; forced by ${f}` : ""}${r ? `; ${r}` : ""}`;
  });
  if (shown.length < items.length) {
    lines.push(
      "",
      `**⚠️ ${items.length - shown.length} more dangerous changes do not fit in one comment.** All ${items.length} are in the full plan: ${hint}.`,
    );
  }
  return [...head, ...lines, ""].join("\n");
}

function layerTable(s: StackSummary): string {
  const rows = LAYERS.filter((l) => s.byLayer.has(l.id)).map((l) => {
    const c = s.byLayer.get(l.id)!;
    return `| ${l.title} | ${c.create} | ${c.update} | ${c.replace} | ${c.delete} |`;
  });
  const t = s.counts;
  return [
    "| Layer | Create | Update | Replace | Delete |",
    "|---|---:|---:|---:|---:|",
    ...rows,
    `| **Total** | **${t.create}** | **${t.update}** | **${t.replace}** | **${t.delete}** |`,
  ].join("\n");
}

type Detail = "full" | "line" | "omit";

function stackSection(s: StackSummary, detail: ReadonlyMap<ChangeItem, Detail>, full: (i: ChangeItem) => string): string {
  const out: string[] = [`### Stack ${code(s.name)}: ${stackLine(s)}`, ""];
  if (s.error !== undefined) {
    const err = s.error.length > 3000 ? `${s.error.slice(0, 3000)}\n… (cut; see the run's log)` : s.error;
    out.push("Terraform could not plan this stack:", "", `<pre>${err.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")}</pre>`, "");
    return out.join("\n");
  }
  if (s.skipped !== undefined) {
    out.push(s.skipped, "");
    return out.join("\n");
  }
  if (s.planErrored) out.push("⚠️ Terraform reported an error while planning; this plan is incomplete.", "");
  if (!hasChanges(s)) {
    out.push("No changes. Terraform will not create, update or destroy anything in this stack.", "");
    return out.join("\n");
  }
  if (s.items.length) out.push(layerTable(s), "");
  const extras: string[] = [];
  if (s.counts.forget) extras.push(`${s.counts.forget} to forget (removed from state, not destroyed)`);
  if (s.counts.import) extras.push(`${s.counts.import} to import`);
  if (s.counts.move) extras.push(`${s.counts.move} moved to a new address`);
  if (s.reads) extras.push(`${s.reads} data source${s.reads === 1 ? "" : "s"} read during apply`);
  if (extras.length) out.push(`Also: ${extras.join(", ")}.`, "");
  if (s.outputs.length) out.push(`Outputs changing: ${s.outputs.map((o) => `${code(o.name)} (${o.kind})`).join(", ")}.`, "");
  const fulls = s.items.filter((i) => detail.get(i) === "full");
  const lines = s.items.filter((i) => detail.get(i) === "line");
  const omitted = s.items.filter((i) => (detail.get(i) ?? "omit") === "omit");
  if (fulls.length) out.push(...fulls.map(full));
  if (lines.length) {
    out.push(`<details><summary>${lines.length} more change${lines.length === 1 ? "" : "s"}, listed without attributes</summary>`, "", ...lines.map(itemLine), "", "</details>", "");
  }
  if (omitted.length) {
    const c: Record<string, number> = {};
    for (const i of omitted) c[i.kind] = (c[i.kind] ?? 0) + 1;
    const words = Object.entries(c)
      .map(([k, n]) => `${n} ${k}`)
      .join(", ");
    out.push(`_${omitted.length} more change${omitted.length === 1 ? "" : "s"} not listed here (${words})._`, "");
  }
  return out.join("\n");
}

/**
 * Shares the characters left after the summary, the dangerous list and the counts: first the dangerous changes'
 * attributes (up to half), then one line per change in order of priority, then attributes for as many of the listed
 * changes as still fit, again in order of priority.
 */
function allocate(items: readonly ChangeItem[], budget: number, full: (i: ChangeItem) => string): Map<ChangeItem, Detail> {
  const detail = new Map<ChangeItem, Detail>();
  let left = budget;
  const fullCost = (i: ChangeItem) => full(i).length + 1;
  const lineCost = (i: ChangeItem) => itemLine(i).length + 1;
  for (const i of items) {
    if (!i.danger) break;
    if (budget - left + fullCost(i) > budget / 2) break;
    detail.set(i, "full");
    left -= fullCost(i);
  }
  for (const i of items) {
    if (detail.has(i)) continue;
    if (lineCost(i) <= left) {
      detail.set(i, "line");
      left -= lineCost(i);
    } else detail.set(i, "omit");
  }
  for (const i of items) {
    if (detail.get(i) !== "line") continue;
    const extra = fullCost(i) - lineCost(i);
    if (extra <= left) {
      detail.set(i, "full");
      left -= extra;
    }
  }
  return detail;
}

export function renderPlanReport(stacks: readonly StackSummary[], opts: PlanReportOptions = {}): string {
  const maxChars = opts.maxChars ?? DEFAULT_MAX_CHARS;
  const hint = opts.detailsHint ?? DEFAULT_DETAILS_HINT;
  const st: RenderSettings = { maxRows: opts.maxRowsPerResource ?? 40, maxValueChars: opts.maxValueChars ?? 300, hint };
  const allItems = stacks.flatMap((s) => s.items).sort(compareItems);
  const dangerous = allItems.filter((i) => i.danger);

  const cache = new Map<ChangeItem, string>();
  const full = (i: ChangeItem) => {
    let t = cache.get(i);
    if (t === undefined) cache.set(i, (t = itemFull(i, st)));
    return t;
  };

  const head: string[] = [markerFor(opts.markerKey ?? "default"), `## ${opts.title ?? "Terraform plan preview"}`, ""];
  if (opts.context) head.push(opts.context, "");
  const anyError = stacks.some((s) => s.error !== undefined);
  if (!anyError && stacks.every((s) => !hasChanges(s) && s.skipped === undefined)) {
    const names = stacks.map((s) => code(s.name)).join(", ");
    const where = stacks.length === 1 ? `stack ${names}` : `any stack (${names})`;
    head.push(`**No changes.** Terraform plans no changes in ${where}: the infrastructure matches the configuration.`, "");
  } else {
    head.push(...stacks.map((s) => `- **${text(s.name)}**: ${stackLine(s)}`), "");
  }

  const assemble = (detail: ReadonlyMap<ChangeItem, Detail>, dangerMode: DangerMode, cutTo: number): string => {
    const parts = [...head];
    if (stacks.some(hasChanges) || anyError) parts.push(dangerSection(dangerous, dangerMode, cutTo, hint));
    for (const s of stacks) parts.push(stackSection(s, detail, full));
    const notFull = allItems.filter((i) => detail.get(i) !== "full");
    parts.push("---");
    if (notFull.length) {
      const listed = notFull.filter((i) => detail.get(i) === "line").length;
      parts.push(
        `✂️ **Shortened to fit GitHub's comment size limit**: the attributes of ${notFull.length} of ${allItems.length} changes are not shown` +
          ` (${listed} listed by address only, ${notFull.length - listed} only counted). ${dangerMode === "cut" ? "The counts are complete; the dangerous list is not (see above)." : "The counts and the dangerous list are complete."} For the full plan, ${hint}.`,
      );
    } else {
      parts.push(`<sub>For the full plan, ${hint}.</sub>`);
    }
    return parts.join("\n") + "\n";
  };

  const none = new Map<ChangeItem, Detail>();
  let dangerMode: DangerMode = "table";
  let cutTo = dangerous.length;
  let skeleton = assemble(none, dangerMode, cutTo);
  const reserve = 500;
  if (skeleton.length > maxChars - reserve) {
    dangerMode = "compact";
    skeleton = assemble(none, dangerMode, cutTo);
  }
  // Only a plan with hundreds of dangerous changes gets here; the comment then says that the list is cut and where the rest is.
  while (skeleton.length > maxChars - reserve && cutTo > 0) {
    dangerMode = "cut";
    cutTo = Math.max(0, cutTo - Math.max(1, Math.ceil((skeleton.length - (maxChars - reserve)) / 60)));
    skeleton = assemble(none, dangerMode, cutTo);
  }

  let budget = maxChars - skeleton.length - reserve;
  for (let attempt = 0; attempt < 8; attempt++) {
    const out = assemble(allocate(allItems, budget, full), dangerMode, cutTo);
    if (out.length <= maxChars) return out;
    budget -= out.length - maxChars + 200;
  }
  return skeleton;
}
