/**
 * What every day-one command shares: the process it talks to (injectable, so tests run commands in-process
 * against fake CLIs), the site it works on, and how it ends: a clear message and a documented exit code.
 *
 * Exit codes: 0 done; 1 something refused or failed (the message says what and what to do); 2 bad input
 * (a flag or the site file); 3 waiting on other people (vault: more operators' unseal shares are needed).
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import { planDeployment, type Deployment } from "../../constructs/openstack/deployment";
import { loadSite, selectionFromEnvironment, SiteError, type Site } from "../../constructs/site";
import { processRunner, type Runner } from "./run";
import { Secret } from "./secret";
import { UserError } from "./user-error";

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_WAITING = 3;

export interface Context {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  readonly run: Runner;
  /** Whether stdout is a terminal: openrc refuses to show a password on one. */
  readonly stdoutIsTTY: boolean;
}

export function processContext(): Context {
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    run: processRunner(process.env),
    stdoutIsTTY: Boolean(process.stdout.isTTY),
  };
}

/** The flag every command takes: which site (a name in sites/ or a path), else SITE, else the default. */
export const SITE_OPTION = { site: { type: "string" }, help: { type: "boolean", short: "h" } } as const;

/** Parses argv; an unknown flag or a bad value is a usage error (exit 2) that shows the usage. */
export function parseFlags<T extends NonNullable<ParseArgsConfig["options"]>>(argv: readonly string[], options: T, usage: string) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: false, strict: true });
  } catch (err) {
    throw new UserError(`${(err as Error).message}\n${usage}`, EXIT_USAGE);
  }
}

export function siteFor(siteFlag: string | undefined, ctx: Context): Site {
  const selection = selectionFromEnvironment(ctx.env);
  return loadSite({ ...selection, site: siteFlag ?? selection.site });
}

/** The site's deployment plan; what it refuses (a release outside the catalog, a bad override) is the site's problem. */
export function deploymentOf(site: Site): Deployment {
  try {
    return planDeployment(site);
  } catch (err) {
    throw new UserError((err as Error).message, EXIT_USAGE);
  }
}

/** A positive whole number from a flag, or a usage error naming the flag. */
export function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) === 0) throw new UserError(`--${flag} must be a positive whole number, got ${JSON.stringify(value)}`, EXIT_USAGE);
  return Number(value);
}

/** Runs a command body and turns what it throws into a message and an exit code. */
/**
 * A command's whole run: its flags parsed (`--help` prints the usage and ends), then `body`, with the
 * ending runCommand gives every command.
 */
export function runWithFlags<T extends NonNullable<ParseArgsConfig["options"]>>(
  name: string,
  argv: readonly string[],
  options: T,
  usage: string,
  ctx: Context,
  body: (values: ReturnType<typeof parseFlags<T>>["values"]) => Promise<number>,
): Promise<number> {
  return runCommand(name, ctx, async () => {
    const { values } = parseFlags(argv, options, usage);
    if ((values as { help?: boolean }).help) {
      ctx.out(usage + "\n");
      return 0;
    }
    return body(values);
  });
}

export async function runCommand(name: string, ctx: Context, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UserError) {
      ctx.err(`${name}: ${Secret.scrub(err.message)}\n`);
      return err.exitCode;
    }
    if (err instanceof SiteError) {
      ctx.err(`${name}: ${err.source}: ${err.problems.length} problem${err.problems.length === 1 ? "" : "s"} in the site file; nothing was done.\n`);
      for (const p of err.problems) ctx.err(`  - ${p.path || "(file)"}: ${p.message}\n`);
      return EXIT_USAGE;
    }
    ctx.err(`${name}: internal error, please report it: ${Secret.scrub((err as Error).stack ?? String(err))}\n`);
    return EXIT_FAILED;
  }
}
