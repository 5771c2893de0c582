#!/usr/bin/env node
/**
 * Fake `gpg --decrypt` for the fake OpenPGP messages of fake-world.cjs. The operator's private keys are the
 * identities listed in $GNUPGHOME/fake-secret-keys (one per line); a message to any other key fails as gpg
 * does: "decryption failed: No secret key", exit 2.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { stdin, record, pgp, fail } = require("./fake-world.cjs");

const argv = process.argv.slice(2);
const input = stdin();
record("gpg", argv, input);
if (!argv.includes("--decrypt")) fail(`fake gpg: only --decrypt is simulated, got ${argv.join(" ")}`, 2);
if (input.length < 34 || input[0] !== 0x85) fail("gpg: no valid OpenPGP data found.\ngpg: decrypt_message failed: Unknown system error", 2);

const keyring = path.join(process.env.GNUPGHOME || path.join(process.env.HOME || "/", ".gnupg"), "fake-secret-keys");
const ours = fs.existsSync(keyring) ? fs.readFileSync(keyring, "utf8").split("\n").filter(Boolean) : [];
const { identity, plaintext } = pgp.decrypt(input);
if (!ours.includes(identity)) fail(`gpg: encrypted with cv25519 key, ID ${identity.slice(0, 16).toUpperCase()}\ngpg: decryption failed: No secret key`, 2);
process.stdout.write(plaintext);
