/**
 * A self-signed ECDSA P-256 certificate for "localhost", usable as its own
 * CA and for both server and client authentication, as go-plugin's AutoMTLS
 * expects. Node can sign but not build certificates, so the DER is
 * assembled here by hand (a few fixed ASN.1 structures).
 */
import * as crypto from "node:crypto";

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let x = n; x > 0; x >>= 8) bytes.unshift(x & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
}

const seq = (...c: Buffer[]): Buffer => tlv(0x30, ...c);
const set = (...c: Buffer[]): Buffer => tlv(0x31, ...c);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b);
const bool = (v: boolean): Buffer => tlv(0x01, Buffer.from([v ? 0xff : 0]));
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, "utf8"));

function oid(dotted: string): Buffer {
  const parts = dotted.split(".").map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const enc: number[] = [p & 0x7f];
    for (let x = p >> 7; x > 0; x >>= 7) enc.unshift((x & 0x7f) | 0x80);
    out.push(...enc);
  }
  return tlv(0x06, Buffer.from(out));
}

function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  let v = b.subarray(i);
  if (v[0]! & 0x80) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function time(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, "0");
  const body = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  // UTCTime up to 2049, GeneralizedTime after.
  return y < 2050 ? tlv(0x17, Buffer.from(String(y % 100).padStart(2, "0") + body)) : tlv(0x18, Buffer.from(String(y) + body));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

export interface Certificate {
  /** DER of the certificate. */
  der: Buffer;
  certPem: string;
  keyPem: string;
}

export function selfSignedLocalhost(): Certificate {
  return selfSigned("localhost");
}

/** A self-signed certificate whose subject CN and DNS name are `commonName`. */
export function selfSigned(commonName: string): Certificate {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  const ecdsaWithSha256 = seq(oid("1.2.840.10045.4.3.2"));
  const name = seq(set(seq(oid("2.5.4.3"), utf8(commonName))));
  const now = Date.now();
  const serial = crypto.randomBytes(16);
  serial[0]! &= 0x7f;
  const extensions = seq(
    // keyUsage: digitalSignature, keyEncipherment, keyCertSign
    extension("2.5.29.15", true, bits(Buffer.from([0xa4]), 2)),
    // extKeyUsage: serverAuth, clientAuth
    extension("2.5.29.37", false, seq(oid("1.3.6.1.5.5.7.3.1"), oid("1.3.6.1.5.5.7.3.2"))),
    // basicConstraints: CA
    extension("2.5.29.19", true, seq(bool(true))),
    // subjectAltName: DNS localhost
    extension("2.5.29.17", false, seq(tlv(0x82, Buffer.from(commonName)))),
  );
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256,
    name,
    seq(time(new Date(now - 60_000)), time(new Date(now + 30 * 24 * 3600_000))),
    name,
    spki,
    tlv(0xa3, extensions),
  );
  const signature = crypto.sign("sha256", tbs, privateKey);
  const der = seq(tbs, ecdsaWithSha256, bits(signature));
  const b64 = der.toString("base64");
  const certPem = `-----BEGIN CERTIFICATE-----\n${b64.replace(/.{1,64}/g, "$&\n")}-----END CERTIFICATE-----\n`;
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  return { der, certPem, keyPem };
}

/** SHA-256 of a certificate's DER as lower-case hex: the fingerprint LXD shows and pins. */
export function fingerprintOf(certPem: string): string {
  return new crypto.X509Certificate(certPem).fingerprint256.replace(/:/g, "").toLowerCase();
}
