/**
 * vault:init: Vault from sealed to ready without anyone copying keys around.
 *
 *   npm run vault:init -- [--site NAME|PATH] [--pgp-key FILE ...] [--key-threshold N] [--root-token-key FILE] [--out DIR]
 *
 * 1. `vault operator init` on the leader unit with one share per operator key (the site's vault.pgpKeys, or
 *    --pgp-key) and the root token encrypted to --root-token-key (default the first key): Vault encrypts them
 *    before it answers, so no clear share or token exists outside Vault. They are written to --out (default
 *    vault-shares/<site>/) for the operators.
 * 2. Unseals every unit with the shares this operator's gpg can decrypt.
 * 3. Authorises the charm (authorize-charm) with a 10-minute token made from the root token, then revokes it.
 * 4. Generates the root CA (generate-root-ca) that OVN, MySQL and the API endpoints get certificates from.
 *
 * Run again, it says Vault is already initialised, unseals what is sealed, and does only what is still
 * pending (steps 3 and 4 when another operator's shares were needed first). Exit codes: see cli.ts; 3 means
 * other operators must give their shares (npm run vault:unseal), then run vault:init again to finish.
 */
import * as path from "node:path";
import { defaultKeyThreshold, readPgpKeyFile, type Site, type VaultPgpKey } from "../../constructs/site";
import { type Context, EXIT_USAGE, EXIT_WAITING, positiveNumber, processContext, runWithFlags, SITE_OPTION, siteFor } from "./cli";
import { decrypt } from "./gpg";
import { Juju } from "./juju";
import { assertNoShares, readShares, sharesDir, writeShares, type EncryptedFile } from "./shares";
import { unsealUnits, type StillSealed } from "./unseal";
import { UserError } from "./user-error";
import { VaultUnit, type InitOutput } from "./vault-unit";

const USAGE = "usage: npm run vault:init -- [--site NAME|PATH] [--pgp-key FILE ...] [--key-threshold N] [--root-token-key FILE] [--out DIR]";
const OPTIONS = {
  ...SITE_OPTION,
  "pgp-key": { type: "string", multiple: true },
  "key-threshold": { type: "string" },
  "root-token-key": { type: "string" },
  out: { type: "string" },
} as const;

/** The charm keeps the AppRole it creates on authorize-charm under this leader setting (charm-vault lib/charm/vault.py). */
const CHARM_ACCESS_ROLE_ID = "local-charm-access-id";

export function main(argv: readonly string[], ctx: Context = processContext()): Promise<number> {
  return runWithFlags("vault:init", argv, OPTIONS, USAGE, ctx, async (values) => {
    const site = siteFor(values.site, ctx);
    const keys = operatorKeys(site, values["pgp-key"], ctx.cwd);
    const threshold = positiveNumber("key-threshold", values["key-threshold"]) ?? (values["pgp-key"] ? undefined : site.vault?.keyThreshold) ?? defaultKeyThreshold(keys.length);
    checkThreshold(threshold, keys.length);
    const rootKey = values["root-token-key"] ? keyFile(values["root-token-key"], ctx.cwd, "--root-token-key") : keys[0]!;
    const dir = sharesDir(ctx.cwd, site.name, values.out);

    const juju = new Juju(ctx.run, `${site.openstack.controller.name}:${site.openstack.model.name}`);
    const units = juju.units(juju.status(), "vault").map((u) => new VaultUnit(juju, u));
    const leader = units[0]!;
    ctx.out(`vault:init: site ${site.name}, model ${juju.model}, vault units ${units.map((u) => u.unit).join(", ")}\n`);

    const status = leader.status();
    let shares: readonly EncryptedFile[];
    let rootToken: EncryptedFile | undefined;
    if (status.initialized) {
      ctx.out(`${leader.unit}: Vault is already initialised (${status.t} of ${status.n} shares unseal it); not initialising again, only unsealing\n`);
      const saved = savedShares(dir);
      shares = saved?.shares ?? [];
      rootToken = saved?.rootToken;
    } else {
      assertNoShares(dir);
      ctx.out(`${leader.unit}: initialising Vault with ${keys.length} shares, ${threshold} needed to unseal\n`);
      const set = saveOrPrint(dir, leader.init(keys, threshold, rootKey), keys, threshold, rootKey, ctx);
      keys.forEach((key, i) => ctx.out(`  share ${i + 1} is encrypted to ${key.userId} (${key.fingerprint})\n`));
      ctx.out(`  the root token is encrypted to ${rootKey.userId} (${rootKey.fingerprint})\n`);
      ctx.out(`Encrypted shares written to ${path.relative(ctx.cwd, dir) || dir}/ (shares.json says whose each is); give each operator their file.\n`);
      shares = set.shares;
      rootToken = set.rootToken;
    }

    const stillSealed = unsealUnits(units, shares, ctx);
    if (stillSealed.length > 0) return waitForOperators(stillSealed, shares.length === 0 ? dir : undefined, ctx);

    authoriseCharm(juju, leader, rootToken, ctx);
    rootCa(juju, leader.unit, ctx);
    ctx.out(`Vault is ready: initialised, unsealed on ${units.length} unit${units.length === 1 ? "" : "s"}, charm authorised, root CA in place.\n`);
    return 0;
  });
}

function operatorKeys(site: Site, files: readonly string[] | undefined, cwd: string): VaultPgpKey[] {
  if (files) return files.map((file) => keyFile(file, cwd, "--pgp-key"));
  if (site.vault) return [...site.vault.pgpKeys];
  throw new UserError(`no operator PGP keys: add a vault section to ${site.source} (vault: {pgpKeys: [keys/alice.asc, ...]}) or pass --pgp-key FILE once per share`, EXIT_USAGE);
}

function keyFile(file: string, cwd: string, flag: string): VaultPgpKey {
  try {
    return readPgpKeyFile(file, cwd);
  } catch (err) {
    throw new UserError(`${flag} ${(err as Error).message}`, EXIT_USAGE);
  }
}

/** What `vault operator init` would refuse (SealConfig.Validate), refused before it runs. */
function checkThreshold(threshold: number, shares: number): void {
  if (threshold > shares) throw new UserError(`--key-threshold ${threshold} is more than the ${shares} shares; Vault could never be unsealed. Lower it or give more keys`, EXIT_USAGE);
  if (threshold === 1 && shares > 1) throw new UserError(`a threshold of 1 with ${shares} shares lets any one operator unseal alone, and Vault refuses it; use at least 2`, EXIT_USAGE);
}

/** Vault shows the shares once; if they cannot be saved they are printed (they are encrypted) rather than lost. */
function saveOrPrint(dir: string, init: InitOutput, keys: readonly VaultPgpKey[], threshold: number, rootKey: VaultPgpKey, ctx: Context) {
  try {
    return writeShares(dir, init, keys, threshold, rootKey);
  } catch (err) {
    init.shares.forEach((share, i) => ctx.out(`share ${i + 1} for ${keys[i]!.userId}:\n${share}\n`));
    ctx.out(`root token for ${rootKey.userId}:\n${init.rootToken}\n`);
    throw new UserError(`Vault is initialised but the encrypted shares could not be written to ${dir} (${(err as Error).message}); they are printed above: save them now, Vault will not show them again`);
  }
}

function savedShares(dir: string) {
  try {
    return readShares(dir);
  } catch (err) {
    if (err instanceof UserError) return undefined;
    throw err;
  }
}

function waitForOperators(stillSealed: readonly StillSealed[], missingDir: string | undefined, ctx: Context): number {
  for (const s of stillSealed) ctx.out(`${s.unit} is still sealed: ${s.progress} of ${s.threshold} shares given.\n`);
  if (missingDir) ctx.out(`No share files in ${missingDir}; pass --out DIR with the folder vault:init wrote.\n`);
  ctx.out("Each other operator runs: npm run vault:unseal -- --share <their share file>\nThen run npm run vault:init again to finish (authorise the charm, root CA).\n");
  return EXIT_WAITING;
}

/** authorize-charm takes a token (actions.yaml of charm-vault stable/1.8); it is made to live 10 minutes and revoked after use. */
function authoriseCharm(juju: Juju, leader: VaultUnit, rootToken: EncryptedFile | undefined, ctx: Context): void {
  if (juju.exec(leader.unit, `leader-get ${CHARM_ACCESS_ROLE_ID}`).stdout.trim() !== "") {
    ctx.out("The charm is already authorised.\n");
    return;
  }
  if (!rootToken) throw new UserError("the charm still needs authorising, which takes the root token, and no root token file was found; pass --out DIR with the folder vault:init wrote", EXIT_USAGE);
  const root = decrypt(ctx.run, rootToken.base64, rootToken.label);
  if (!root) throw new UserError(`the charm still needs authorising, which takes ${rootToken.label}; its owner runs npm run vault:init to finish`, EXIT_WAITING);
  ctx.out("Authorising the charm with a token that lives 10 minutes... ");
  const token = leader.shortLivedToken(root);
  juju.action(leader.unit, "authorize-charm", {}, { token });
  leader.revoke(token);
  ctx.out("done, token revoked\n");
}

/** generate-root-ca refuses a second CA ("PKI CA already configured"), so an existing one is kept. */
function rootCa(juju: Juju, leader: string, ctx: Context): void {
  if (String(juju.action(leader, "get-root-ca").output ?? "").includes("BEGIN CERTIFICATE")) {
    ctx.out("The root CA already exists.\n");
    return;
  }
  ctx.out("Generating the root CA... ");
  juju.action(leader, "generate-root-ca");
  ctx.out("done\n");
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => (process.exitCode = code));
