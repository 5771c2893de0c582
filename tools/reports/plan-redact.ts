/**
 * plan-redact: `terraform show -json` output (of a plan or a state) with every secret masked, to share it safely.
 *
 *   tsx tools/reports/plan-redact.ts [--out FILE] SHOW.json
 *
 * Masks what Terraform marks sensitive, values named like secrets, and the values of this shell's secret-looking
 * environment variables (tools/reports/redact.ts); run-stacks writes its JSON plans through the same function.
 * Exit code 0 when written, 1 on an unreadable file or a bad option (message on stderr).
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { processIo, type Io } from "./cli-io";
import { redactShowJson } from "./redact";

const USAGE = "usage: plan-redact [--out FILE] SHOW.json";

export function main(argv: readonly string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): number {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], allowPositionals: true, options: { out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } } });
    if (values.help) {
      io.stdout(USAGE + "\n");
      return 0;
    }
    if (positionals.length !== 1) throw new Error(`expected exactly one file, got ${positionals.length}\n${USAGE}`);
    const file = positionals[0]!;
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`${file}: ${(e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (e as Error).message}; expected the output of \`terraform show -json\``);
    }
    const text = JSON.stringify(redactShowJson(doc, { env })) + "\n";
    if (values.out) io.writeFile(values.out, text);
    else io.stdout(text);
    return 0;
  } catch (e) {
    io.stderr(`plan-redact: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
