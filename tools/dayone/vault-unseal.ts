/**
 * vault:unseal: after a restart (each vault unit starts sealed), or to give your share after vault:init.
 *
 *   npm run vault:unseal -- [--site NAME|PATH] [--share FILE ...] [--out DIR]
 *
 * Gives every sealed unit the shares this operator's gpg can decrypt: the --share files, else every share
 * in --out (default vault-shares/<site>/). Each clear share goes from gpg's stdout to the unit over the ssh
 * session's stdin; it is never on a command line, on screen or on disk. Exit 0 when every unit is unsealed,
 * 3 when more operators' shares are needed, otherwise as in cli.ts.
 */
import { type Context, EXIT_WAITING, processContext, runWithFlags, SITE_OPTION, siteFor } from "./cli";
import { Juju } from "./juju";
import { readShareFiles, readShares, sharesDir } from "./shares";
import { unsealUnits } from "./unseal";
import { VaultUnit } from "./vault-unit";

const USAGE = "usage: npm run vault:unseal -- [--site NAME|PATH] [--share FILE ...] [--out DIR]";
const OPTIONS = { ...SITE_OPTION, share: { type: "string", multiple: true }, out: { type: "string" } } as const;

export function main(argv: readonly string[], ctx: Context = processContext()): Promise<number> {
  return runWithFlags("vault:unseal", argv, OPTIONS, USAGE, ctx, async (values) => {
    const site = siteFor(values.site, ctx);
    const shares = values.share ? readShareFiles(values.share, ctx.cwd) : readShares(sharesDir(ctx.cwd, site.name, values.out)).shares;
    const juju = new Juju(ctx.run, `${site.openstack.controller.name}:${site.openstack.model.name}`);
    const units = juju.units(juju.status(), "vault").map((u) => new VaultUnit(juju, u));
    const stillSealed = unsealUnits(units, shares, ctx);
    if (stillSealed.length === 0) {
      ctx.out(`Every vault unit is unsealed (${units.map((u) => u.unit).join(", ")}).\n`);
      return 0;
    }
    for (const s of stillSealed) ctx.out(`${s.unit} is still sealed: ${s.progress} of ${s.threshold} shares given; the other operators run npm run vault:unseal with theirs.\n`);
    return EXIT_WAITING;
  });
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
