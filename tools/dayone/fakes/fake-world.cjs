/**
 * Shared by the fake CLIs (juju, vault, gpg, openstack, ping): the simulated world they read and change, the
 * log of what they were asked, and the fake OpenPGP they use. See README.md in this folder.
 *
 * Environment: FAKE_WORLD (the world's JSON file), FAKE_LOG (one JSON line per call), FAKE_SEED (every secret
 * the fakes hand out is derived from it, so no file holds one: tests derive the same values and search every
 * output and file for them), FAKE_BIN (this folder, for the remote PATH of `juju ssh`).
 */
"use strict";
const fs = require("node:fs");
const crypto = require("node:crypto");

const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");

function load() {
  return JSON.parse(fs.readFileSync(process.env.FAKE_WORLD, "utf8"));
}

function save(world) {
  fs.writeFileSync(process.env.FAKE_WORLD, JSON.stringify(world, null, 2));
}

/** Reads all of stdin (empty when it is a terminal or closed). */
function stdin() {
  try {
    return fs.readFileSync(0);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Logs the call: argv in full (it is public by design), stdin only as a digest, since it may carry a secret. */
function record(cli, argv, input) {
  const entry = { cli, argv, unit: process.env.FAKE_UNIT, stdinSha256: input && input.length ? sha256(input) : undefined };
  fs.appendFileSync(process.env.FAKE_LOG, JSON.stringify(entry) + "\n");
}

/** The secrets of the simulated cloud, derived from FAKE_SEED. */
const secrets = {
  unsealKey: (i) => sha256(`${process.env.FAKE_SEED}:unseal:${i}`) + "0" + (i + 1),
  rootToken: () => "hvs." + sha256(`${process.env.FAKE_SEED}:root`).slice(0, 24),
  childToken: (n) => "hvs." + sha256(`${process.env.FAKE_SEED}:token:${n}`).slice(0, 24),
  keystonePassword: () => sha256(`${process.env.FAKE_SEED}:keystone`).slice(0, 20),
  privateKey: (n) => sha256(`${process.env.FAKE_SEED}:ssh:${n}`),
};

/**
 * Fake OpenPGP: a message is 0x85 (the header of a public-key encrypted session key packet), the 32-byte
 * identity of the recipient key (sha256 of its armored text) and the plaintext XORed with a keystream from
 * that identity. Only a "keyring" listing the identity (a private key) makes fake gpg decrypt it; the bytes
 * never contain the plaintext.
 */
const pgp = {
  identity: (armored) => sha256(String(armored).trim()),
  encrypt(plaintext, identity) {
    const data = Buffer.from(plaintext);
    const stream = crypto.createHash("sha512").update(`keystream:${identity}`).digest();
    const body = Buffer.from(data.map((b, i) => b ^ stream[i % stream.length]));
    return Buffer.concat([Buffer.from([0x85]), Buffer.from(identity, "hex"), body]);
  },
  decrypt(message) {
    const identity = message.subarray(1, 33).toString("hex");
    const stream = crypto.createHash("sha512").update(`keystream:${identity}`).digest();
    return { identity, plaintext: Buffer.from(message.subarray(33).map((b, i) => b ^ stream[i % stream.length])).toString() };
  },
};

function fail(message, code = 1) {
  process.stderr.write(message.endsWith("\n") ? message : message + "\n");
  process.exit(code);
}

module.exports = { load, save, stdin, record, secrets, pgp, fail, sha256 };
