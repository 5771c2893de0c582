/**
 * openrc: the OpenStack client's environment for the admin or a tenant project, derived from Juju each time.
 *
 *   eval "$(npm run -s openrc -- [--site NAME|PATH] [--project NAME [--project-domain D]] [--user NAME [--user-domain D]] [--ca-file PATH] [--auth-url URL])"
 *
 * It prints `export OS_...` lines for the calling shell to evaluate: the password lives in that shell's
 * environment and dies with it; no file holds it. Only vault's root CA is written (OS_CACERT must name a
 * file; a CA is public), by default to ~/.config/openstack/<site>-root-ca.pem. With --user the password is
 * not printed at all: the openstack client asks for it. On a terminal it refuses to print the admin
 * password (exit 2): run it through eval. Exit codes otherwise as in cli.ts.
 */
import * as path from "node:path";
import { ADMIN_DOMAIN, adminPassword, keystoneAccess, openstackEnv, writeRootCa } from "./credentials";
import { type Context, EXIT_USAGE, processContext, runWithFlags, SITE_OPTION, siteFor } from "./cli";
import { Juju } from "./juju";
import { Secret } from "./secret";
import { UserError } from "./user-error";

const USAGE = 'usage: eval "$(npm run -s openrc -- [--site NAME|PATH] [--project NAME [--project-domain D]] [--user NAME [--user-domain D]] [--ca-file PATH] [--auth-url URL])"';
const OPTIONS = {
  ...SITE_OPTION,
  project: { type: "string" },
  "project-domain": { type: "string" },
  user: { type: "string" },
  "user-domain": { type: "string" },
  "ca-file": { type: "string" },
  "auth-url": { type: "string" },
} as const;

export function main(argv: readonly string[], ctx: Context = processContext()): Promise<number> {
  return runWithFlags("openrc", argv, OPTIONS, USAGE, ctx, async (values) => {
    if (!values.user && ctx.stdoutIsTTY) {
      throw new UserError('openrc prints the admin password for your shell to read, not for the screen; run eval "$(npm run -s openrc)"', EXIT_USAGE);
    }
    const site = siteFor(values.site, ctx);
    const juju = new Juju(ctx.run, `${site.openstack.controller.name}:${site.openstack.model.name}`);
    const access = keystoneAccess(juju, site, values["auth-url"]);
    const home = ctx.env.HOME ?? "/root";
    const caFile = writeRootCa(juju, path.resolve(ctx.cwd, values["ca-file"] ?? path.join(home, ".config", "openstack", `${site.name}-root-ca.pem`)));

    // A tenant user's password is theirs to type; only the admin's is fetched.
    const creds = values.user ? { ...access, username: values.user, userDomain: values["user-domain"] ?? "default" } : { ...access, password: adminPassword(juju) };
    const scope = values.project ? { projectName: values.project, projectDomain: values["project-domain"] ?? "default" } : { projectName: access.projectName, projectDomain: ADMIN_DOMAIN };
    const env = openstackEnv(creds, caFile, scope);
    ctx.out(`# OpenStack ${values.project ? `project ${scope.projectName}` : "admin"} as ${creds.username} on site ${site.name} (${creds.authUrl})\n`);
    for (const [key, value] of Object.entries(env)) {
      if (key === "OS_PASSWORD" && values.user) ctx.out(`unset OS_PASSWORD  # the openstack client asks for ${values.user}'s password\n`);
      else if (value === "") ctx.out(`unset ${key}\n`);
      else ctx.out(`export ${key}=${shellQuote(value instanceof Secret ? value.reveal() : value)}\n`);
    }
    return 0;
  });
}

/** Single-quoted for sh: every character literal, a ' written as '\''. */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
