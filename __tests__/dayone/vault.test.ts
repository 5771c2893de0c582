/**
 * vault:init and vault:unseal against fake juju, vault and gpg executables that record what they were asked
 * and refuse what the real ones refuse. Every secret the fakes hand out (unseal keys, root and child tokens)
 * is searched for in our output, every command line and every file of the run: none may appear.
 */
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { main as vaultInit } from "../../tools/dayone/vault-init";
import { main as vaultUnseal } from "../../tools/dayone/vault-unseal";
import { FakeCloud, identityOf } from "./fake-cloud";

const digest = (s: string) => createHash("sha256").update(s).digest("hex");
const keys = (...names: string[]) => ({ pgpKeys: names.map((n) => `keys/${n}.asc`) });

describe("vault:init", () => {
  let cloud: FakeCloud;
  afterEach(() => cloud.dispose());

  it("initialises with shares encrypted to the operators' keys, unseals, authorises the charm and makes the root CA", async () => {
    cloud = new FakeCloud((s) => (s.vault = { ...keys("alice", "bob", "alice"), keyThreshold: 2 }));
    const run = await cloud.run(vaultInit, [], ["alice"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("vault/0: initialising Vault with 3 shares, 2 needed to unseal");
    expect(run.stdout).toContain("share 2 is encrypted to Bob Operator <bob@example.org> (C9E9915C7D8F6740F9B8128525DBB710FDFDC0E7)");
    expect(run.stdout).toContain("share 2 (Bob Operator <bob@example.org>): not yours (no private key for it on this machine), skipped");
    expect(run.stdout).toContain("share 3 (Alice Operator <alice@example.org>): accepted, vault/0 is unsealed");
    expect(run.stdout).toContain("Vault is ready: initialised, unsealed on 1 unit, charm authorised, root CA in place.");

    const init = cloud.calls("vault").find((c) => c.argv[1] === "init")!;
    expect(init.unit).toBe("vault/0");
    expect(init.argv).toEqual(expect.arrayContaining(["-key-shares=3", "-key-threshold=2", "-format=json"]));
    expect(init.argv.find((a) => a.startsWith("-pgp-keys="))!.split(",")).toHaveLength(3);
    expect(init.argv.find((a) => a.startsWith("-root-token-pgp-key="))).toBeDefined();

    // The clear shares reached vault on stdin: the write's stdin digests are those of shares 1 and 3.
    const writes = cloud.calls("vault").filter((c) => c.argv[0] === "write");
    const write = ["write", "-format=json", "sys/unseal", "key=-"];
    expect(writes.map((c) => c.argv)).toEqual([write, write]);
    expect(writes.map((c) => c.stdinSha256)).toEqual([digest(cloud.secrets()[0]!), digest(cloud.secrets()[2]!)]);

    // authorize-charm got its token from stdin, a 10-minute token that was revoked after use.
    const authorize = cloud.calls("juju").find((c) => c.argv.includes("authorize-charm"))!;
    expect(authorize.argv).toEqual(["run", "-m", "maas-controller:openstack", "vault/0", "authorize-charm", "--format", "json", "--wait", "10m", "--params", "/dev/stdin"]);
    const world = cloud.world();
    expect(world.vault).toMatchObject({ authorized: true, units: { "vault/0": { sealed: false } } });
    expect(world.vault.rootCa).toContain("BEGIN CERTIFICATE");
    const child = Object.values(world.vault.tokens).find((t) => !t.root)!;
    expect(child).toMatchObject({ ttl: "10m", explicitMaxTtl: "10m", revoked: true });

    // The share files hold what vault gave: messages only the right key opens.
    const dir = path.join(cloud.work, "vault-shares", "guia-implantacao");
    const manifest = JSON.parse(fs.readFileSync(path.join(dir, "shares.json"), "utf8"));
    expect(manifest.shares.map((s: { userId: string }) => s.userId)).toEqual(["Alice Operator <alice@example.org>", "Bob Operator <bob@example.org>", "Alice Operator <alice@example.org>"]);
    const share2 = Buffer.from(fs.readFileSync(path.join(dir, manifest.shares[1].file), "utf8"), "base64");
    expect(share2.subarray(1, 33).toString("hex")).toBe(identityOf("bob"));
    expect((fs.statSync(path.join(dir, manifest.shares[1].file)).mode & 0o777).toString(8)).toBe("600");

    expect(cloud.leaks()).toEqual([]);
  });

  it("run again: says it is already initialised and only unseals; after a restart it unseals from the share files", async () => {
    cloud = new FakeCloud((s) => (s.vault = keys("alice")));
    expect((await cloud.run(vaultInit, [])).code).toBe(0);
    const before = cloud.calls().length;

    const again = await cloud.run(vaultInit, []);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("vault/0: Vault is already initialised (1 of 1 shares unseal it); not initialising again, only unsealing");
    expect(again.stdout).toContain("vault/0: already unsealed");
    const rerun = cloud.calls().slice(before);
    expect(rerun.filter((c) => c.cli === "vault").map((c) => c.argv[0])).toEqual(["status", "status"]);
    expect(rerun.some((c) => c.argv.includes("authorize-charm") || c.argv.includes("generate-root-ca") || c.argv[1] === "init")).toBe(false);

    cloud.change((w) => (w.vault.units["vault/0"]!.sealed = true));
    const restart = await cloud.run(vaultUnseal, []);
    expect(restart.code).toBe(0);
    expect(restart.stdout).toContain("share 1 (Alice Operator <alice@example.org>): accepted, vault/0 is unsealed");
    expect(cloud.world().vault.units["vault/0"]!.sealed).toBe(false);
    expect(cloud.leaks()).toEqual([]);
  });

  it("with one share each, waits (exit 3) for the others' vault:unseal, then finishes on the next run", async () => {
    cloud = new FakeCloud((s) => (s.vault = keys("alice", "bob", "carol")));
    const first = await cloud.run(vaultInit, [], ["alice"]);
    expect(first.code).toBe(3);
    expect(first.stdout).toContain("vault/0 is still sealed: 1 of 2 shares given.");
    expect(first.stdout).toContain("npm run vault:unseal -- --share <their share file>");
    expect(cloud.calls("juju").some((c) => c.argv.includes("authorize-charm"))).toBe(false);

    const dir = path.join(cloud.work, "vault-shares", "guia-implantacao");
    const bobShare = path.join(dir, JSON.parse(fs.readFileSync(path.join(dir, "shares.json"), "utf8")).shares[1].file);
    const bob = await cloud.run(vaultUnseal, ["--share", bobShare], ["bob"]);
    expect(bob.code).toBe(0);
    expect(bob.stdout).toContain(`${path.basename(bobShare)}: accepted, vault/0 is unsealed`);

    const finish = await cloud.run(vaultInit, [], ["alice"]);
    expect(finish.code).toBe(0);
    expect(finish.stdout).toContain("already initialised");
    expect(cloud.world().vault).toMatchObject({ authorized: true });
    expect(cloud.world().vault.rootCa).toContain("BEGIN CERTIFICATE");
    expect(cloud.leaks()).toEqual([]);
  });

  it("refuses bad input before touching Vault: no keys, a threshold Vault refuses, shares of an earlier init in the way", async () => {
    cloud = new FakeCloud();
    const none = await cloud.run(vaultInit, []);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^vault:init: no operator PGP keys: add a vault section to .*site\.json \(vault: \{pgpKeys: \[keys\/alice\.asc, \.\.\.\]\}\) or pass --pgp-key FILE once per share\n$/);

    const key = path.join(cloud.root, "site", "keys", "alice.asc");
    const tooMany = await cloud.run(vaultInit, ["--pgp-key", key, "--pgp-key", key, "--key-threshold", "3"]);
    expect(tooMany).toMatchObject({ code: 2, stderr: "vault:init: --key-threshold 3 is more than the 2 shares; Vault could never be unsealed. Lower it or give more keys\n" });

    fs.mkdirSync(path.join(cloud.work, "vault-shares", "guia-implantacao"), { recursive: true });
    fs.writeFileSync(path.join(cloud.work, "vault-shares", "guia-implantacao", "shares.json"), "{}");
    const inTheWay = await cloud.run(vaultInit, ["--pgp-key", key]);
    expect(inTheWay.code).toBe(2);
    expect(inTheWay.stderr).toContain("already holds the shares of an earlier initialisation (shares.json); move them away or pass --out DIR");
    expect(cloud.calls("vault").some((c) => c.argv[1] === "init")).toBe(false);
  });
});
