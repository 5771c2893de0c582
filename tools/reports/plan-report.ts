/**
 * plan-report: Markdown for a pull-request comment from `terraform show -json` of one or more stack plans.
 *
 *   tsx tools/reports/plan-report.ts [options] [STACK=]PLAN.json...
 *
 * A stack's name is STACK when given, else taken from the file's path (`plans/substrate.json` → substrate).
 * Exit code 0 when the report was written, 1 on an unreadable plan or a bad option (message on stderr).
 */
import { parseArgs } from "node:util";
import { REPORT_OPTIONS, processIo, renderOptionsFrom, type Io } from "./cli-io";
import { loadPlanFile, stackNameFromPath } from "./plan-json";
import { renderPlanReport } from "./render-plan";
import { summarizePlan } from "./summarize";

const USAGE = `usage: plan-report [--out FILE] [--marker KEY] [--title TEXT] [--context MARKDOWN]
                   [--details-hint MARKDOWN] [--max-chars N] [STACK=]PLAN.json...`;

/** `substrate=plans/x.json` → ["substrate", "plans/x.json"]; a bare path keeps its own name. */
export function splitStackArg(arg: string): [string, string] {
  const m = /^([A-Za-z0-9_.-]+)=(.+)$/.exec(arg);
  return m ? [m[1]!, m[2]!] : [stackNameFromPath(arg), arg];
}

export function main(argv: readonly string[], io: Io = processIo): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ...REPORT_OPTIONS, title: { type: "string" } },
    });
    if (values.help) {
      io.stdout(USAGE + "\n");
      return 0;
    }
    if (positionals.length === 0) throw new Error(`no plan given\n${USAGE}`);
    const stacks = positionals.map((arg) => {
      const [name, file] = splitStackArg(arg);
      return summarizePlan(name, loadPlanFile(file));
    });
    const md = renderPlanReport(stacks, { ...renderOptionsFrom(values), ...(values.title ? { title: values.title } : {}) });
    if (values.out) io.writeFile(values.out, md);
    else io.stdout(md);
    return 0;
  } catch (e) {
    io.stderr(`plan-report: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
