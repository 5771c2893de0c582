/**
 * Where the encrypted unseal shares and root token live after `vault:init`: one file each under a folder the
 * operator chooses (default vault-shares/<site>/, which git ignores), plus shares.json saying whose key each
 * share is encrypted to. Every file is an OpenPGP message only its key's owner can open (`base64 -d < FILE |
 * gpg -d`), so the folder can be copied to each operator or kept with the site's records; no clear key or
 * token is ever written.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { VaultPgpKey } from "../../constructs/site";
import { EXIT_USAGE } from "./cli";
import { UserError } from "./user-error";
import type { InitOutput } from "./vault-unit";

export interface EncryptedFile {
  /** What the operator sees: "share 2 (Bob Operator <bob@example.org>)". */
  readonly label: string;
  readonly file: string;
  readonly base64: string;
}

export interface ShareSet {
  readonly dir: string;
  readonly threshold: number;
  readonly shares: readonly EncryptedFile[];
  readonly rootToken: EncryptedFile;
}

interface Manifest {
  readonly threshold: number;
  readonly shares: readonly { readonly share: number; readonly file: string; readonly fingerprint: string; readonly userId: string }[];
  readonly rootToken: { readonly file: string; readonly fingerprint: string; readonly userId: string };
}

const MANIFEST = "shares.json";

export function sharesDir(cwd: string, siteName: string, outFlag: string | undefined): string {
  return path.resolve(cwd, outFlag ?? path.join("vault-shares", siteName));
}

/** Checked before `vault operator init`: a folder holding an earlier initialisation's shares is never overwritten. */
export function assertNoShares(dir: string): void {
  if (fs.existsSync(path.join(dir, MANIFEST))) {
    throw new UserError(`${dir} already holds the shares of an earlier initialisation (${MANIFEST}); move them away or pass --out DIR for this one`, EXIT_USAGE);
  }
}

export function writeShares(dir: string, init: InitOutput, keys: readonly VaultPgpKey[], threshold: number, rootKey: VaultPgpKey): ShareSet {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const write = (name: string, base64: string) => {
    fs.writeFileSync(path.join(dir, name), base64 + "\n", { mode: 0o600 });
    return name;
  };
  const manifest: Manifest = {
    threshold,
    shares: keys.map((key, i) => ({ share: i + 1, file: write(`share-${i + 1}-${key.fingerprint.slice(-16)}.b64`, init.shares[i]!), fingerprint: key.fingerprint, userId: key.userId })),
    rootToken: { file: write(`root-token-${rootKey.fingerprint.slice(-16)}.b64`, init.rootToken), fingerprint: rootKey.fingerprint, userId: rootKey.userId },
  };
  fs.writeFileSync(path.join(dir, MANIFEST), JSON.stringify(manifest, null, 2) + "\n", { mode: 0o600 });
  return readShares(dir);
}

/** The shares and root token in a folder written by writeShares. */
export function readShares(dir: string): ShareSet {
  const manifestFile = path.join(dir, MANIFEST);
  if (!fs.existsSync(manifestFile)) {
    throw new UserError(`no unseal shares in ${dir} (no ${MANIFEST}); pass --out DIR with the folder vault:init wrote, or --share FILE for each share you hold`, EXIT_USAGE);
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as Manifest;
  const read = (file: string, label: string): EncryptedFile => ({ label, file: path.join(dir, file), base64: fs.readFileSync(path.join(dir, file), "utf8").trim() });
  return {
    dir,
    threshold: manifest.threshold,
    shares: manifest.shares.map((s) => read(s.file, `share ${s.share} (${s.userId})`)),
    rootToken: read(manifest.rootToken.file, `the root token (${manifest.rootToken.userId})`),
  };
}

/** Share files named on the command line, labelled by file name. */
export function readShareFiles(files: readonly string[], cwd: string): EncryptedFile[] {
  return files.map((file) => {
    const full = path.resolve(cwd, file);
    if (!fs.existsSync(full)) throw new UserError(`--share ${file}: no such file`, EXIT_USAGE);
    return { label: path.basename(file), file: full, base64: fs.readFileSync(full, "utf8").trim() };
  });
}
