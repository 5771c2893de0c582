/**
 * drift-report: Markdown naming each object that drifted, from `terraform show -json` of a refresh-only plan.
 *
 *   tsx tools/reports/drift-report.ts [--stack NAME] [--out FILE] [--marker KEY] [--context MARKDOWN] PLAN.json
 *
 * Exit code: 0 no drift, 2 drift, 1 error (unreadable plan, bad option; message on stderr). The Markdown is written
 * in both the 0 and the 2 case, so a workflow can close or update its issue from the same output.
 */
import { parseArgs } from "node:util";
import { REPORT_OPTIONS, processIo, renderOptionsFrom, type Io } from "./cli-io";
import { kindOf, loadPlanFile, stackNameFromPath } from "./plan-json";
import { renderDriftReport } from "./render-drift";

export const EXIT_CLEAN = 0;
export const EXIT_ERROR = 1;
export const EXIT_DRIFT = 2;

const USAGE = "usage: drift-report [--stack NAME] [--out FILE] [--marker KEY] [--context MARKDOWN] [--details-hint MARKDOWN] [--max-chars N] PLAN.json";

export function main(argv: readonly string[], io: Io = processIo): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: { ...REPORT_OPTIONS, stack: { type: "string" } },
    });
    if (values.help) {
      io.stdout(USAGE + "\n");
      return EXIT_CLEAN;
    }
    if (positionals.length !== 1) throw new Error(`expected exactly one plan, got ${positionals.length}\n${USAGE}`);
    const file = positionals[0]!;
    const plan = loadPlanFile(file);
    const stack = values.stack ?? stackNameFromPath(file);
    const pending = plan.resource_changes.filter((rc) => !["no-op", "read"].includes(kindOf(rc.change.actions))).length;
    if (pending) {
      io.stderr(`drift-report: note: ${file} plans ${pending} change(s); drift-report reads only resource_drift (use -refresh-only for a pure drift check)\n`);
    }
    const report = renderDriftReport(stack, plan, renderOptionsFrom(values));
    if (values.out) io.writeFile(values.out, report.markdown);
    else io.stdout(report.markdown);
    if (report.drifted) io.stderr(`drift-report: stack ${stack}: ${report.items.length} object(s) drifted\n`);
    return report.drifted ? EXIT_DRIFT : EXIT_CLEAN;
  } catch (e) {
    io.stderr(`drift-report: ${(e as Error).message}\n`);
    return EXIT_ERROR;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
