/**
 * The vault CLI on one vault unit, run through `juju ssh`, so the operator needs only juju (no route to
 * Vault's port, no local vault binary). Every command talks to the charm's localhost-only listener
 * (http://127.0.0.1:8220, no TLS; src/templates/vault.hcl.j2 of charm-vault stable/1.8), and every secret
 * travels over the ssh session's stdin, never the remote command line:
 *
 * - `vault operator unseal` would take the key as an argument (visible in ps) or prompt on a terminal (it
 *   refuses piped stdin), so shares go through `vault write sys/unseal key=-`, which reads the value from stdin
 *   and calls the same API (PUT /v1/sys/unseal).
 * - tokens are read by the remote shell into VAULT_TOKEN, the environment variable vault reads.
 */
import type { VaultPgpKey } from "../../constructs/site";
import { firstLines, type Juju } from "./juju";
import { Secret } from "./secret";
import { UserError } from "./user-error";

const LOCAL = "export VAULT_ADDR=http://127.0.0.1:8220";
const READ_TOKEN = "IFS= read -r VAULT_TOKEN && export VAULT_TOKEN";

/** The fields of `vault status -format=json` the commands act on. */
export interface SealStatus {
  readonly initialized: boolean;
  readonly sealed: boolean;
  /** Shares needed (threshold). */
  readonly t: number;
  /** Shares in all. */
  readonly n: number;
  /** Shares given so far towards the next unseal. */
  readonly progress: number;
}

export interface InitOutput {
  /** One per key, in key order: base64 of an OpenPGP message only that key's owner can open. */
  readonly shares: readonly string[];
  /** base64 of an OpenPGP message to the root-token key. */
  readonly rootToken: string;
}

export class VaultUnit {
  constructor(
    private readonly juju: Juju,
    readonly unit: string,
  ) {}

  /** `vault status` exits 0 when unsealed and 2 when sealed (or not initialised), 1 on an error. */
  status(): SealStatus {
    return this.sealStatus(this.juju.ssh(this.unit, `${LOCAL}; vault status -format=json`), "vault status");
  }

  /** Initialises Vault with one share per key; vault encrypts every share and the root token before answering. */
  init(keys: readonly VaultPgpKey[], threshold: number, rootKey: VaultPgpKey): InitOutput {
    const files = new Map<string, string>();
    const fileOf = (key: VaultPgpKey) => {
      if (!files.has(key.armored)) files.set(key.armored, `"$d/${files.size}.asc"`);
      return files.get(key.armored)!;
    };
    const pgpKeys = keys.map(fileOf).join(",");
    const root = fileOf(rootKey);
    // Public keys only: they may go on the command line.
    const writes = [...files].map(([armored, file]) => `printf %s ${Buffer.from(armored).toString("base64")} | base64 -d > ${file}`);
    const script = [
      LOCAL,
      `d=$(mktemp -d) || exit 1`,
      `trap 'rm -rf "$d"' EXIT`,
      ...writes,
      `vault operator init -key-shares=${keys.length} -key-threshold=${threshold} -pgp-keys=${pgpKeys} -root-token-pgp-key=${root} -format=json`,
    ].join("\n");
    const result = this.juju.ssh(this.unit, script);
    if (result.status !== 0) throw new UserError(`vault operator init on ${this.unit} failed: ${firstLines(result.stderr, 8)}`);
    const output = JSON.parse(result.stdout) as { unseal_keys_b64?: string[]; root_token?: string };
    if (output.unseal_keys_b64?.length !== keys.length || !output.root_token) {
      throw new UserError(`vault operator init on ${this.unit} answered without the ${keys.length} encrypted shares and root token; nothing was saved, see the vault log on the unit`);
    }
    return { shares: output.unseal_keys_b64, rootToken: output.root_token };
  }

  /** Gives one clear share (from stdin) and returns the seal status after it. */
  unseal(share: Secret): SealStatus {
    const result = this.juju.ssh(this.unit, `${LOCAL}; vault write -format=json sys/unseal key=- >/dev/null && vault status -format=json`, share);
    // Both a refused write and a still-sealed status exit 2; only the status prints anything.
    if (result.stdout.trim() === "") {
      throw new UserError(`vault refused a share on ${this.unit}: ${firstLines(result.stderr, 8)}; the share files may be from an earlier initialisation`);
    }
    return this.sealStatus(result, "vault status after unsealing");
  }

  /** A token that expires in 10 minutes and cannot be renewed, created with the root token. */
  shortLivedToken(rootToken: Secret): Secret {
    const script = `${LOCAL}; ${READ_TOKEN} && exec vault token create -ttl=10m -explicit-max-ttl=10m -display-name=charm-authorize -field=token`;
    const result = this.juju.ssh(this.unit, script, new Secret(rootToken.reveal() + "\n"));
    if (result.status !== 0) throw new UserError(`vault token create on ${this.unit} failed: ${firstLines(result.stderr, 8)}; is the root token file from this Vault's initialisation?`);
    return new Secret(result.stdout.trim());
  }

  revoke(token: Secret): void {
    const result = this.juju.ssh(this.unit, `${LOCAL}; ${READ_TOKEN} && exec vault token revoke -self`, new Secret(token.reveal() + "\n"));
    if (result.status !== 0) throw new UserError(`vault token revoke on ${this.unit} failed: ${firstLines(result.stderr, 8)}; the token expires within 10 minutes anyway`);
  }

  private sealStatus(result: { status: number; stdout: string; stderr: string }, what: string): SealStatus {
    if (result.status !== 0 && result.status !== 2) {
      throw new UserError(`${what} on ${this.unit} failed: ${firstLines(result.stderr)}; is the vault service running? (juju ssh ${this.unit} -- sudo systemctl status vault)`);
    }
    const s = JSON.parse(result.stdout) as SealStatus;
    return { initialized: s.initialized, sealed: s.sealed, t: s.t, n: s.n, progress: s.progress };
  }
}
