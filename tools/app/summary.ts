/**
 * What `npm run synth` made, where, and what to do next, printed after a successful synth.
 *
 * On stderr: stdout stays free for whatever reads the app's output. Not under the cdktf CLI (`cdktf synth`, `diff`,
 * `deploy`): it prints the stacks and the warnings itself, and would show each line of ours as an `[ERROR]`.
 */
import * as path from "node:path";
import { type App, TerraformResource, type TerraformStack } from "cdktf";

/** The cdktf CLI always passes the `cdktfRelativeModules` context; cdktf's own module assets read it to know they run under it. */
export function runByCdktfCli(app: App): boolean {
  return app.node.tryGetContext("cdktfRelativeModules") !== undefined;
}

/** The summary of a synthesized app; `stacks` in deployment order. */
export function synthSummary(app: App, stacks: readonly TerraformStack[], site: { name: string; source: string }): string {
  const rows = stacks.map((stack) => {
    const resources = stack.node.findAll().filter(TerraformResource.isTerraformResource).length;
    return { name: stack.node.id, resources };
  });
  const width = Math.max(...rows.map((r) => r.name.length));
  const warnings = stacks.flatMap((stack) =>
    app.manifest.stacks[stack.node.id].annotations.filter((a) => a.level === "@cdktf/warn").map((a) => `${stack.node.id}: ${a.message}`),
  );
  const out = path.relative(process.cwd(), path.resolve(app.outdir)) || ".";
  const lines = [
    `Synthesized site ${site.name} (${site.source}) into ${out}/, ${rows.length} stacks in deployment order:`,
    ...rows.map((r, i) => `  ${i + 1}. ${r.name.padEnd(width)}  ${String(r.resources).padStart(5)} resource${r.resources === 1 ? "" : "s"}`),
    ...(warnings.length ? [`${warnings.length} warning${warnings.length === 1 ? "" : "s"}:`, ...warnings.map((w) => `  - ${w}`)] : []),
    `Next: npm run preview plans every stack (export the secrets first: README "Secrets"); deploy with npx cdktf deploy <stack>, in the order above (docs/openstack.md).`,
  ];
  return lines.join("\n") + "\n";
}
