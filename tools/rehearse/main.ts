/**
 * `npm run rehearse`: the operator's run of the selected site (SITE), offline, against the twin; see rehearse.ts.
 *
 *   npm run rehearse                          SITE (default: sites/default.yaml) into .rehearsal/<site name>/
 *   npm run rehearse -- --dir DIR             into DIR instead (a new or empty folder, or an earlier rehearsal's)
 *   npm run rehearse -- --base REF            the site and code at git REF first, then the working tree's: a change rehearsal
 *
 * Exit 0 when every stack deployed and the plan preview afterwards shows no changes; 1 otherwise (the summary names
 * the stack, the resource and the twin's message), or on a user error.
 */
import { parseArgs } from "node:util";
import { DEFAULT_SITE, SiteError } from "../../constructs/site";
import { RehearsalError, rehearse, type Io } from "./rehearse";

const USAGE = "usage: [SITE=<name in sites/, or path>] npm run rehearse [-- [--dir DIR] [--base GIT_REF]]";

export async function main(argv: readonly string[], env: NodeJS.ProcessEnv, io: Io & { err: (s: string) => void }): Promise<number> {
  let values: { dir?: string; base?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { dir: { type: "string" }, base: { type: "string" }, help: { type: "boolean", short: "h" } },
    }));
  } catch (err) {
    io.err(`rehearse: ${(err as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (values.help) {
    io.out(USAGE + "\n");
    return 0;
  }
  try {
    const r = await rehearse({ site: env["SITE"] || DEFAULT_SITE, ...(values.dir ? { dir: values.dir } : {}), ...(values.base ? { base: values.base } : {}) }, env, io);
    io.out(r.summary);
    return r.ok ? 0 : 1;
  } catch (err) {
    if (err instanceof SiteError || err instanceof RehearsalError) {
      io.err(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), process.env, { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) }).then((code) => (process.exitCode = code));
}
