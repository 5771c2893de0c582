/**
 * Decrypts an unseal share or the root token on this machine with the operator's own private key. Vault
 * gives each as base64 of a binary OpenPGP message (`base64 -d | gpg -d` by hand); the clear value comes
 * back only as a Secret, in memory. gpg asks for the key's passphrase through its agent's pinentry.
 */
import type { Runner } from "./run";
import { Secret } from "./secret";
import { UserError } from "./user-error";

/** The clear value, or undefined when this machine has no private key for it (another operator's share). */
export function decrypt(run: Runner, base64: string, what: string): Secret | undefined {
  const result = run({ program: "gpg", args: ["--quiet", "--decrypt"], stdin: Buffer.from(base64, "base64") });
  if (result.status === 0) return new Secret(result.stdout.trim());
  if (/no secret key/i.test(result.stderr)) return undefined;
  throw new UserError(
    `gpg could not decrypt ${what}: ${Secret.scrub(result.stderr.trim().split("\n").pop() ?? "")}; check the passphrase, and export GPG_TTY=$(tty) so gpg can ask for it`,
  );
}
