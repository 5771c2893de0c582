/**
 * The twin's rules as the Markdown table in tools/simulator/README.md ("The twin"), generated from the rule
 * tables so the README cannot drift from them: `npx tsx tools/simulator/rules-table.ts --write` rewrites it there.
 */
import * as fs from "node:fs";
import * as path from "node:path";
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

/** The README with its rules table (the lines from the table's header to the first blank line) replaced. */
export function withRulesTable(readme: string): string {
  const start = readme.indexOf("| rule | what the real system does | read in |");
  if (start < 0) throw new Error("tools/simulator/README.md has no rules table to replace");
  const end = readme.indexOf("\n\n", start);
  return readme.slice(0, start) + rulesTable() + (end < 0 ? "\n" : readme.slice(end));
}

if (require.main === module) {
  if (process.argv.includes("--write")) {
    const readme = path.join(__dirname, "README.md");
    fs.writeFileSync(readme, withRulesTable(fs.readFileSync(readme, "utf8")));
  } else process.stdout.write(rulesTable() + "\n");
}
