/** The site file's optional vault section: operators' PGP public keys, checked when the site loads. */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parseSite, SiteError } from "../../constructs/site";
import { parsePgpPublicKey } from "../../constructs/site/pgp-key";
import { defaultSiteData } from "../helpers/sites";

const FIXTURES = path.join(__dirname, "..", "dayone", "fixtures");
const ALICE = fs.readFileSync(path.join(FIXTURES, "alice.asc"), "utf8");

/** Writes the default site with `vault` into a temp folder next to the given key files, and parses it. */
function siteWithVault(vault: unknown, files: Record<string, string> = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "site-vault-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  const source = path.join(dir, "site.json");
  const data = { ...defaultSiteData(), vault };
  fs.writeFileSync(source, JSON.stringify(data));
  return parseSite(fs.readFileSync(source, "utf8"), source);
}

function problemsOf(vault: unknown, files: Record<string, string> = {}): string[] {
  try {
    siteWithVault(vault, files);
  } catch (err) {
    if (err instanceof SiteError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error("expected the site to be rejected");
}

describe("parsePgpPublicKey", () => {
  it("gives the v4 fingerprint gpg prints and the first user ID", () => {
    expect(parsePgpPublicKey(ALICE)).toMatchObject({ fingerprint: "9D7BF3B8A730560E30FC88CC3E8D1974CD88725F", userId: "Alice Operator <alice@example.org>" });
  });

  it("refuses a damaged body through the armor checksum", () => {
    const lines = ALICE.split("\n");
    const i = lines.findIndex((l) => l.startsWith("mDME"));
    lines[i] = "nDME" + lines[i]!.slice(4);
    expect(() => parsePgpPublicKey(lines.join("\n"))).toThrow(/fails its armor checksum/);
  });
});

describe("the vault section of a site file", () => {
  it("is optional: the default site has none", () => {
    expect(siteWithVault(undefined).vault).toBeUndefined();
  });

  it("reads each key relative to the site file, in share order, with a majority threshold by default", () => {
    const site = siteWithVault({ pgpKeys: ["keys/alice.asc", "keys/bob.asc", "keys/alice.asc"] }, {
      "keys/alice.asc": ALICE,
      "keys/bob.asc": fs.readFileSync(path.join(FIXTURES, "bob.asc"), "utf8"),
    });
    expect(site.vault!.pgpKeys.map((k) => [k.file, k.userId])).toEqual([
      ["keys/alice.asc", "Alice Operator <alice@example.org>"],
      ["keys/bob.asc", "Bob Operator <bob@example.org>"],
      ["keys/alice.asc", "Alice Operator <alice@example.org>"],
    ]);
    expect(site.vault!.keyThreshold).toBe(2);
  });

  it("names the field and the fix for a missing file, a private key, something that is not a key, and a bad threshold", () => {
    const problems = problemsOf(
      { pgpKeys: ["keys/alice.asc", "keys/gone.asc", "keys/secret.asc", "keys/notes.txt"], keyThreshold: 5 },
      {
        "keys/alice.asc": ALICE,
        "keys/secret.asc": "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nlQ==\n-----END PGP PRIVATE KEY BLOCK-----\n",
        "keys/notes.txt": "call bob before unsealing\n",
      },
    );
    expect(problems).toEqual([
      "vault.keyThreshold: 5 shares are needed to unseal but vault.pgpKeys gives only 4; Vault could never be unsealed. Lower keyThreshold or list more keys",
      expect.stringMatching(/^vault\.pgpKeys\[1\]: keys\/gone\.asc not found \(looked for .*keys\/gone\.asc\); paths are relative to the site file's folder$/),
      "vault.pgpKeys[2]: keys/secret.asc is a PGP private key; give only the public key (gpg --armor --export <key id>) and keep the private key with its operator",
      "vault.pgpKeys[3]: keys/notes.txt is not an ASCII-armored PGP key (no -----BEGIN PGP PUBLIC KEY BLOCK----- line); export it with gpg --armor --export <key id>",
    ]);
  });

  it("refuses a threshold of 1 with several shares, as Vault does", () => {
    expect(problemsOf({ pgpKeys: ["a.asc", "a.asc"], keyThreshold: 1 }, { "a.asc": ALICE })).toEqual([
      "vault.keyThreshold: 1 of 2 shares would let any one operator unseal alone, and Vault refuses it; use at least 2",
    ]);
  });
});
