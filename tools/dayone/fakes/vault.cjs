#!/usr/bin/env node
/**
 * Fake `vault` (1.8 CLI), as run on a vault unit through `juju ssh` (FAKE_UNIT names the unit). Messages and
 * exit codes follow hashicorp/vault; README.md in this folder cites each one it refuses with.
 */
"use strict";
const { load, save, stdin, record, secrets, pgp, fail, sha256 } = require("./fake-world.cjs");
const fs = require("node:fs");

const argv = process.argv.slice(2);
const input = stdin();
record("vault", argv, input);

const world = load();
const v = world.vault;
const unit = v.units[process.env.FAKE_UNIT];
if (!unit) fail(`fake vault: not on a vault unit (FAKE_UNIT=${process.env.FAKE_UNIT})`);

// The charm's listeners: 127.0.0.1:8220 plain HTTP, [::]:8200 TLS when the unit has a certificate.
const addr = process.env.VAULT_ADDR || "https://127.0.0.1:8200";
const apiError = (method, path, code, message) =>
  `Error making API request.\n\nURL: ${method} ${addr}/v1/${path}\nCode: ${code}. Errors:\n\n* ${message}`;
if (addr !== "http://127.0.0.1:8220") {
  fail(`Error checking seal status: Get "${addr}/v1/sys/seal-status": http: server gave HTTP response to HTTPS client`, addr.startsWith("https") ? 1 : 2);
}

const flags = {};
const positional = [];
for (const a of argv.slice(argv[0] === "operator" || argv[0] === "token" ? 2 : 1)) {
  const m = /^-{1,2}([a-z-]+)(?:=(.*))?$/.exec(a);
  if (m) flags[m[1]] = m[2] === undefined ? true : m[2];
  else positional.push(a);
}
const command = argv[0] === "operator" || argv[0] === "token" ? `${argv[0]} ${argv[1]}` : argv[0];

function sealStatus() {
  return { type: "shamir", initialized: v.initialized, sealed: unit.sealed, t: v.t, n: v.n, progress: unit.parts.length, nonce: "", version: "1.8.8", migration: false, recovery_seal: false, storage_type: "mysql", ha_enabled: false };
}

function printStatus() {
  process.stdout.write(JSON.stringify(sealStatus(), null, 2) + "\n");
  process.exit(unit.sealed ? 2 : 0);
}

/** vault/core.go unsealInternal: an unsealed Vault accepts a key and stays unsealed; parts are kept until the threshold. */
function unseal(key) {
  if (!v.initialized) fail(`Error unsealing: ${apiError("PUT", "sys/unseal", 400, "Vault is not initialized")}`, 2);
  if (!/^[0-9a-f]+$/.test(key) || key.length < 32) fail(`Error unsealing: ${apiError("PUT", "sys/unseal", 400, "'key' must be a valid hex or base64 string")}`, 2);
  if (!unit.sealed) return;
  const index = Array.from({ length: v.n }, (_, i) => i).find((i) => secrets.unsealKey(i) === key);
  const part = index === undefined ? `unknown:${sha256(key)}` : index;
  if (!unit.parts.includes(part)) unit.parts.push(part);
  if (unit.parts.length >= v.t) {
    const good = unit.parts.every((p) => typeof p === "number");
    unit.parts = [];
    if (!good) {
      save(world);
      fail(`Error unsealing: ${apiError("PUT", "sys/unseal", 400, "cipher: message authentication failed")}`, 2);
    }
    unit.sealed = false;
  }
  save(world);
}

function tokenFromEnv(path) {
  const token = process.env.VAULT_TOKEN || "";
  if (unit.sealed) fail(`Error ${path === "auth/token/create" ? "creating token" : "revoking token"}: ${apiError(path.endsWith("create") ? "POST" : "PUT", path, 503, "Vault is sealed")}`, 2);
  const entry = v.tokens[sha256(token)];
  if (!entry || entry.revoked) fail(`Error ${path === "auth/token/create" ? "creating token" : "revoking token"}: ${apiError(path.endsWith("create") ? "POST" : "PUT", path, 403, "permission denied")}`, 2);
  return entry;
}

switch (command) {
  case "status":
    printStatus();
    break;

  case "operator init": {
    const shares = Number(flags["key-shares"] ?? 5);
    const threshold = Number(flags["key-threshold"] ?? 3);
    const readKey = (file) => {
      try {
        return fs.readFileSync(file, "utf8");
      } catch {
        fail(`invalid value "${flags["pgp-keys"]}" for flag -pgp-keys: open ${file}: no such file or directory`, 1);
      }
    };
    const keys = flags["pgp-keys"] ? String(flags["pgp-keys"]).split(",").map(readKey) : [];
    const initError = (message) => fail(`Error initializing: ${apiError("PUT", "sys/init", 400, message)}`, 2);
    if (v.initialized) initError("Vault is already initialized");
    if (shares < 1) initError("shares must be at least one");
    if (threshold < 1) initError("threshold must be at least one");
    if (shares > 1 && threshold === 1) initError("threshold must be greater than one for multiple shares");
    if (threshold > shares) initError("threshold cannot be larger than shares");
    if (keys.length > 0 && keys.length !== shares) initError("count mismatch between number of provided PGP keys and number of shares");
    for (const k of keys) if (!k.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")) initError("error parsing given PGP key: openpgp: invalid argument: no armored data found");
    const rootKey = flags["root-token-pgp-key"] ? readKey(flags["root-token-pgp-key"]) : undefined;

    Object.assign(v, { initialized: true, t: threshold, n: shares });
    v.tokens[sha256(secrets.rootToken())] = { root: true, revoked: false };
    for (const u of Object.values(v.units)) Object.assign(u, { sealed: true, parts: [] });
    save(world);
    const clear = Array.from({ length: shares }, (_, i) => secrets.unsealKey(i));
    const encrypted = keys.length ? clear.map((k, i) => pgp.encrypt(k, pgp.identity(keys[i]))) : clear.map((k) => Buffer.from(k, "hex"));
    const out = {
      unseal_keys_b64: encrypted.map((b) => b.toString("base64")),
      unseal_keys_hex: encrypted.map((b) => b.toString("hex")),
      unseal_shares: shares,
      unseal_threshold: threshold,
      recovery_keys_b64: [],
      recovery_keys_hex: [],
      recovery_keys_shares: 0,
      recovery_keys_threshold: 0,
      root_token: rootKey ? pgp.encrypt(secrets.rootToken(), pgp.identity(rootKey)).toString("base64") : secrets.rootToken(),
    };
    process.stdout.write(JSON.stringify(out, null, 2) + "\n");
    break;
  }

  case "operator unseal": {
    // command/operator_unseal.go: no argument means a prompt on the terminal; password.Read refuses a pipe.
    if (positional.length === 0) {
      process.stdout.write("Unseal Key (will be hidden): \n");
      fail(
        "An error occurred attempting to ask for an unseal key. The raw error message is shown below, but usually this is because you attempted to pipe a value into the unseal command or you are executing outside of a terminal (tty). You should run the unseal command from a terminal for maximum security. If this is not an option, the unseal key can be provided as the first argument to the unseal command. The raw error was:\n\nfile descriptor 0 is not a terminal",
        1,
      );
    }
    unseal(positional[0].trim());
    printStatus();
    break;
  }

  case "write": {
    // internalshared/kv-builder: key=- reads the value from stdin; sys/unseal is PUT /v1/sys/unseal.
    if (positional[0] !== "sys/unseal" || positional[1] !== "key=-") fail(`fake vault: only "write sys/unseal key=-" is simulated, got ${positional.join(" ")}`, 1);
    unseal(input.toString());
    process.stdout.write(JSON.stringify({ request_id: "", lease_id: "", lease_duration: 0, renewable: false, data: null, warnings: null }) + "\n");
    break;
  }

  case "token create": {
    tokenFromEnv("auth/token/create");
    v.tokenCount += 1;
    const token = secrets.childToken(v.tokenCount);
    v.tokens[sha256(token)] = { root: false, revoked: false, ttl: flags.ttl, explicitMaxTtl: flags["explicit-max-ttl"], displayName: flags["display-name"] };
    save(world);
    process.stdout.write(flags.field === "token" ? token : JSON.stringify({ auth: { client_token: token } }) + "\n");
    break;
  }

  case "token revoke": {
    if (!flags.self) fail("fake vault: only token revoke -self is simulated", 1);
    tokenFromEnv("auth/token/revoke-self").revoked = true;
    save(world);
    process.stdout.write("Success! Revoked token (if it existed)\n");
    break;
  }

  default:
    fail(`Usage: vault <command> [args]\n(fake vault: "${argv.join(" ")}" is not simulated)`, 127);
}
