/**
 * Runs verify's checks one by one, printing each as it starts and ends, and renders the summary: a table of
 * every check, then the lowest failing layer and where to look. Secrets never reach it: a failure's text
 * comes from CLI error output, which is scrubbed.
 */
import { CheckFailed, LAYER_ORDER, LAYERS, type CheckResult, type Layer } from "./layers";
import { Secret } from "./secret";
import { UserError } from "./user-error";

export class Checks {
  readonly results: CheckResult[] = [];

  constructor(private readonly out: (text: string) => void) {}

  /** Runs one check; true when it passed. */
  async run(layer: Layer, check: string, body: () => string | Promise<string>): Promise<boolean> {
    this.out(`[${LAYERS[layer].title}] ${check} ... `);
    try {
      const detail = await body();
      this.out(`ok: ${detail}\n`);
      this.results.push({ layer, check, outcome: "pass", detail });
      return true;
    } catch (err) {
      const known = err instanceof CheckFailed || err instanceof UserError;
      const detail = Secret.scrub(known ? err.message : `unexpected error: ${(err as Error).message}`);
      const hint = err instanceof CheckFailed ? err.hint : undefined;
      this.out(`FAILED: ${detail}\n`);
      this.results.push({ layer, check, outcome: "fail", detail, ...(hint ? { hint } : {}) });
      return false;
    }
  }

  skip(layer: Layer, check: string, why: string): void {
    this.out(`[${LAYERS[layer].title}] ${check} ... skipped: ${why}\n`);
    this.results.push({ layer, check, outcome: "skip", detail: why });
  }

  get passed(): boolean {
    return this.results.every((r) => r.outcome === "pass");
  }

  summary(): string {
    const rows = [["Layer", "Check", "Result", "Detail"], ...this.results.map((r) => [LAYERS[r.layer].title, r.check, r.outcome.toUpperCase(), r.detail])];
    const widths = [0, 1, 2].map((i) => Math.max(...rows.map((row) => row[i]!.length)));
    const line = (row: string[]) => row.map((cell, i) => (i < 3 ? cell.padEnd(widths[i]!) : cell)).join("  ").trimEnd();
    const table = [line(rows[0]!), widths.map((w) => "-".repeat(w)).join("  ") + "  ------", ...rows.slice(1).map(line)].join("\n");

    const failed = this.results.filter((r) => r.outcome === "fail");
    const skipped = this.results.filter((r) => r.outcome === "skip").length;
    if (failed.length === 0 && skipped === 0) return `${table}\n\nAll ${this.results.length} checks passed.\n`;
    if (failed.length === 0) return `${table}\n\n${this.results.length - skipped} checks passed, ${skipped} skipped.\n`;
    const lowest = LAYER_ORDER.find((layer) => failed.some((r) => r.layer === layer))!;
    const first = failed.find((r) => r.layer === lowest)!;
    const others = LAYER_ORDER.filter((l) => l !== lowest && failed.some((r) => r.layer === l)).map((l) => LAYERS[l].title);
    return (
      `${table}\n\n${failed.length} of ${this.results.length} checks failed${skipped ? `, ${skipped} skipped` : ""}.\n` +
      `Look first at: ${LAYERS[lowest].title} (${first.check}: ${first.detail})\n` +
      `  where: ${LAYERS[lowest].look}\n` +
      (first.hint ? `  next: ${first.hint}\n` : "") +
      (others.length ? `Also failing, possibly as a consequence: ${others.join(", ")}.\n` : "")
    );
  }
}
