/**
 * The twin's rules as the Markdown table in tools/simulator/README.md ("The twin"), generated from the rule
 * tables so the README cannot drift from them: `npx tsx tools/simulator/rules-table.ts`.
 */
import { RULE_TABLES } from "./src/twin";

const cell = (s: string): string => s.replace(/\|/g, "\\|");

export function rulesTable(): string {
  const rows = ["| rule | what the real system does | read in |", "|---|---|---|"];
  for (const rules of Object.values(RULE_TABLES)) {
    for (const r of rules) {
      const cites = r.cites.map((c) => `${c.repo}@${c.commit.slice(0, 7)} \`${c.path}\` ${c.symbol}${c.note ? ` (${c.note})` : ""}`);
      rows.push(`| \`${r.id}\` | ${cell(r.fact)} | ${cell(cites.join("; "))} |`);
    }
  }
  return rows.join("\n");
}

if (require.main === module) process.stdout.write(rulesTable() + "\n");
