/**
 * Unseals every vault unit with the shares this operator can decrypt. Each unit keeps its own seal (a
 * restart seals only that unit), so each gets shares until Vault reports it unsealed; shares whose private
 * key is not on this machine are another operator's to give, with `npm run vault:unseal`.
 */
import type { Context } from "./cli";
import { decrypt } from "./gpg";
import type { Secret } from "./secret";
import type { EncryptedFile } from "./shares";
import { UserError } from "./user-error";
import type { VaultUnit } from "./vault-unit";

export interface StillSealed {
  readonly unit: string;
  readonly progress: number;
  readonly threshold: number;
}

/** Returns the units left sealed because this operator holds too few shares. */
export function unsealUnits(units: readonly VaultUnit[], shares: readonly EncryptedFile[], ctx: Context): StillSealed[] {
  const clear = new Map<EncryptedFile, Secret | undefined>();
  const open = (share: EncryptedFile) => {
    if (!clear.has(share)) {
      const value = decrypt(ctx.run, share.base64, share.label);
      if (!value) ctx.out(`  ${share.label}: not yours (no private key for it on this machine), skipped\n`);
      clear.set(share, value);
    }
    return clear.get(share);
  };
  const stillSealed: StillSealed[] = [];
  for (const unit of units) {
    let status = unit.status();
    if (!status.initialized) throw new UserError(`${unit.unit} is not initialised; run npm run vault:init first`);
    if (!status.sealed) {
      ctx.out(`${unit.unit}: already unsealed\n`);
      continue;
    }
    ctx.out(`${unit.unit}: sealed, ${status.progress} of ${status.t} shares given\n`);
    for (const share of shares) {
      const key = open(share);
      if (!key) continue;
      const before = status.progress;
      status = unit.unseal(key);
      if (!status.sealed) {
        ctx.out(`  ${share.label}: accepted, ${unit.unit} is unsealed\n`);
        break;
      }
      ctx.out(`  ${share.label}: ${status.progress > before ? "accepted" : "already counted"}, ${status.progress} of ${status.t}\n`);
    }
    if (status.sealed) stillSealed.push({ unit: unit.unit, progress: status.progress, threshold: status.t });
  }
  return stillSealed;
}
