/**
 * Reads an operator's ASCII-armored OpenPGP public key (RFC 4880) far enough to check it is one and to
 * name it: the v4 fingerprint and the first user ID. Vault encrypts one unseal share to each such key, so a
 * wrong file must fail when the site is loaded, not halfway through `vault operator init`.
 */
import { createHash } from "node:crypto";

export interface PgpPublicKey {
  /** Upper-case hex, as `gpg --fingerprint` prints it without spaces. */
  readonly fingerprint: string;
  /** The first user ID, e.g. "Alice Operator <alice@example.org>". */
  readonly userId: string;
  /** The armored text as read, which is what `vault operator init -pgp-keys` is given. */
  readonly armored: string;
}

const BEGIN = /^-----BEGIN PGP ([A-Z ]+)-----$/;
const PUBLIC_KEY_PACKET = 6;
const USER_ID_PACKET = 13;

/** Parses the key or throws an Error whose message says what is wrong and how to get a good file. */
export function parsePgpPublicKey(armored: string): PgpPublicKey {
  const lines = armored.split(/\r?\n/).map((l) => l.trim());
  const start = lines.findIndex((l) => BEGIN.test(l));
  if (start < 0) throw new Error("is not an ASCII-armored PGP key (no -----BEGIN PGP PUBLIC KEY BLOCK----- line); export it with gpg --armor --export <key id>");
  const kind = BEGIN.exec(lines[start]!)![1];
  if (kind === "PRIVATE KEY BLOCK") throw new Error("is a PGP private key; give only the public key (gpg --armor --export <key id>) and keep the private key with its operator");
  if (kind !== "PUBLIC KEY BLOCK") throw new Error(`is a PGP ${kind.toLowerCase()}, not a public key block; export the key with gpg --armor --export <key id>`);
  const end = lines.findIndex((l, i) => i > start && l === "-----END PGP PUBLIC KEY BLOCK-----");
  if (end < 0) throw new Error("has no -----END PGP PUBLIC KEY BLOCK----- line; the file is cut short");

  const body = lines.slice(start + 1, end);
  const blank = body.indexOf("");
  const data = (blank >= 0 ? body.slice(blank + 1) : body.filter((l) => !l.includes(": "))).filter(Boolean);
  const checksum = data.length > 0 && data[data.length - 1]!.startsWith("=") ? data.pop()!.slice(1) : undefined;
  const base64 = data.join("");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64) || base64.length === 0) throw new Error("has a damaged armor body (not base64); export the key again");
  const bytes = Buffer.from(base64, "base64");
  if (checksum !== undefined && Buffer.from(checksum, "base64").readUIntBE(0, 3) !== crc24(bytes)) {
    throw new Error("fails its armor checksum; the file was changed or damaged, export the key again");
  }

  const packets = readPackets(bytes);
  const key = packets[0];
  if (!key || key.tag !== PUBLIC_KEY_PACKET) throw new Error("does not start with a public key packet; export the key with gpg --armor --export <key id>");
  if (key.body[0] !== 4) throw new Error(`holds a version ${key.body[0]} key; Vault reads version 4 OpenPGP keys, which gpg makes by default`);
  const header = Buffer.from([0x99, key.body.length >> 8, key.body.length & 0xff]);
  const fingerprint = createHash("sha1").update(header).update(key.body).digest("hex").toUpperCase();
  const uid = packets.find((p) => p.tag === USER_ID_PACKET);
  return { fingerprint, userId: uid ? uid.body.toString("utf8") : `key ${fingerprint.slice(-16)}`, armored };
}

interface Packet {
  readonly tag: number;
  readonly body: Buffer;
}

/** Splits the binary key into packets, old and new header formats (RFC 4880 §4.2). */
function readPackets(bytes: Buffer): Packet[] {
  const packets: Packet[] = [];
  let at = 0;
  const fail = () => new Error("is not a well-formed OpenPGP key (a packet runs past the end); export the key again");
  while (at < bytes.length) {
    const first = bytes[at]!;
    if ((first & 0x80) === 0) throw new Error("is not OpenPGP data (bad packet header); export the key with gpg --armor --export <key id>");
    let tag: number;
    let length: number;
    if (first & 0x40) {
      tag = first & 0x3f;
      const o1 = bytes[at + 1];
      if (o1 === undefined) throw fail();
      if (o1 < 192) [length, at] = [o1, at + 2];
      else if (o1 < 224) [length, at] = [((o1 - 192) << 8) + bytes[at + 2]! + 192, at + 3];
      else if (o1 === 255) [length, at] = [bytes.readUInt32BE(at + 2), at + 6];
      else throw new Error("uses partial-length packets, which a key never does; export the key again");
    } else {
      tag = (first >> 2) & 0x0f;
      const size = [1, 2, 4][first & 0x03];
      if (size === undefined) throw new Error("uses an indeterminate-length packet, which a key never does; export the key again");
      if (at + 1 + size > bytes.length) throw fail();
      [length, at] = [bytes.readUIntBE(at + 1, size), at + 1 + size];
    }
    if (at + length > bytes.length) throw fail();
    packets.push({ tag, body: bytes.subarray(at, at + length) });
    at += length;
  }
  return packets;
}

/** The armor checksum (RFC 4880 §6.1). */
function crc24(bytes: Buffer): number {
  let crc = 0xb704ce;
  for (const byte of bytes) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}
