/** Markdown pieces shared by the plan and drift reports. Everything user-controlled goes through {@link code}. */
import type { ChangeKind } from "./plan-json";
import { formatPath, type AttributeDiff } from "./values";

/** GitHub's limit on the body of an issue or comment. */
export const GITHUB_BODY_LIMIT = 65_536;
/** What the reports aim for by default: the limit less a margin for what the workflow may add around them. */
export const DEFAULT_MAX_CHARS = 60_000;

function escapeHtml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Inline code that is safe inside a table cell and cannot break out of it (backticks, pipes, HTML, newlines). */
export function code(s: string): string {
  const flat = s.replace(/\r?\n/g, "\\n");
  return `<code>${escapeHtml(flat).replace(/\|/g, "&#124;").replace(/`/g, "&#96;")}</code>`;
}

/** Plain text that is safe in Markdown prose (no markup, no HTML). */
export function text(s: string): string {
  return escapeHtml(s.replace(/\r?\n/g, " ")).replace(/([\\`*_[\]|#~])/g, "\\$1");
}

export const KIND_SYMBOL: Readonly<Record<ChangeKind, string>> = {
  create: "+",
  update: "~",
  replace: "-/+",
  delete: "-",
  forget: ".",
  read: "<=",
  "no-op": " ",
};

export const KIND_VERB: Readonly<Record<ChangeKind, string>> = {
  create: "create",
  update: "update in place",
  replace: "replace",
  delete: "delete",
  forget: "forget (remove from state, keep the object)",
  read: "read",
  "no-op": "no change",
};

const REASONS: Readonly<Record<string, string>> = {
  replace_because_cannot_update: "an attribute cannot be changed in place",
  replace_because_tainted: "the object is tainted",
  replace_by_request: "replacement was requested (-replace)",
  // Our stacks tie machines to their hardware identity this way (constructs/common/hardware.ts).
  replace_by_triggers: "an object it is tied to changed, e.g. the hardware identity (PXE MAC) of a machine",
  delete_because_no_resource_config: "its resource was removed from the configuration",
  delete_because_no_module: "its module was removed from the configuration",
  delete_because_wrong_repetition: "count/for_each was added or removed",
  delete_because_count_index: "its count index is out of range",
  delete_because_each_key: "its for_each key is gone",
  delete_because_no_move_target: "its moved target does not exist",
  read_because_config_unknown: "its configuration is known only after apply",
  read_because_dependency_pending: "a dependency has pending changes",
  read_because_check_nested: "a check block reads it",
};

/** `removed from the configuration (delete_because_no_resource_config)`. */
export function reasonText(reason: string | undefined): string | undefined {
  if (!reason) return undefined;
  const t = REASONS[reason];
  return t ? `${t} (${code(reason)})` : code(reason);
}

export interface DiffTableOptions {
  readonly maxRows: number;
  readonly beforeTitle: string;
  readonly afterTitle: string;
  /** Where to read what the table leaves out. */
  readonly moreHint: string;
}

/** A table of attribute diffs; a create (no before side anywhere) gets two columns. */
export function diffTable(diffs: readonly AttributeDiff[], opts: DiffTableOptions): string {
  if (diffs.length === 0) return "";
  const shown = diffs.slice(0, opts.maxRows);
  const twoColumns = diffs.every((d) => d.before === undefined);
  const cell = (v: string | undefined) => (v === undefined ? "" : code(v));
  const lines = twoColumns
    ? [`| Attribute | ${opts.afterTitle} |`, "|---|---|", ...shown.map((d) => `| ${code(formatPath(d.path))} | ${cell(d.after)} |`)]
    : [
        `| Attribute | ${opts.beforeTitle} | ${opts.afterTitle} |`,
        "|---|---|---|",
        ...shown.map((d) => `| ${code(formatPath(d.path))} | ${cell(d.before)} | ${cell(d.after)} |`),
      ];
  if (diffs.length > shown.length) {
    lines.push("", `_${diffs.length - shown.length} more attributes not shown here; ${opts.moreHint}._`);
  }
  return lines.join("\n");
}

/** Counts in words: `3 to create, 1 to replace`. Zero counts are left out unless `always` names them. */
export function countWords(counts: Readonly<Record<string, number>>, order: readonly (readonly [string, string])[], always: readonly string[] = []): string {
  return order
    .filter(([k]) => (counts[k] ?? 0) > 0 || always.includes(k))
    .map(([k, words]) => `${counts[k] ?? 0} ${words}`)
    .join(", ");
}
