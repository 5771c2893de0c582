/**
 * LXD's behaviour behind `terraform-lxd/lxd` v3.0.2 (05cbf8b), as rules. The provider connects to a remote
 * lazily, the first time a resource needs it (LxdProviderConfig.server), so these checks run when a resource
 * is read or applied, not when the provider is configured.
 */
import { fingerprintOf } from "../cert";
import type { ObjectValue } from "../cty";
import { FACTS, type LxdServerFacts, type LxdTrustToken } from "../../seed";
import type { Diag } from "../provider";
import type { WorldData } from "../world";
import { error, fact, objectsOf, type Citation, type Rule } from "./rule";

const PROVIDER = "terraform-lxd/terraform-provider-lxd";
const AT = "05cbf8b4750abe9e423a306158be70a9f471bdab";
const provider = (path: string, symbol: string, note?: string): Citation => ({ repo: PROVIDER, commit: AT, path, symbol, note });

const LXD_TYPES = [
  "lxd_storage_pool",
  "lxd_trust_certificate",
  "lxd_project",
  "lxd_profile",
  "lxd_network",
  "lxd_instance",
  "lxd_volume",
];

interface Remote {
  name: string;
  address: string;
  clientCertificate: string;
  trustToken: string;
  fingerprint: string;
}

function remotes(config: ObjectValue | null): Remote[] {
  const list = Array.isArray(config?.["remote"]) ? (config!["remote"] as ObjectValue[]) : [];
  const s = (v: unknown) => (typeof v === "string" ? v : "");
  return list.map((r) => ({
    name: s(r["name"]),
    address: s(r["address"]),
    clientCertificate: s(r["client_certificate"]),
    trustToken: s(r["trust_token"]),
    fingerprint: s(r["server_certificate_fingerprint"]),
  }));
}

/** The fingerprint a trust token carries (base64 of JSON with `fingerprint`), or undefined when it does not decode. */
function tokenFingerprint(token: string): string | undefined {
  try {
    const fp = (JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { fingerprint?: unknown }).fingerprint;
    return typeof fp === "string" ? fp : undefined;
  } catch {
    return undefined;
  }
}

function clientFingerprint(certificate: string): string | undefined {
  try {
    return fingerprintOf(certificate);
  } catch {
    return undefined;
  }
}

/** Whether LXD's trust store holds a certificate: trusted through a token, or added as lxd_trust_certificate. */
export function lxdTrusts(lxd: WorldData, certificate: string): boolean {
  const fp = clientFingerprint(certificate);
  if (!fp) return false;
  return fact<string[]>(lxd, FACTS.lxd.trusted, []).includes(fp) ||
    objectsOf(lxd, "lxd_trust_certificate").some(([, c]) => clientFingerprint(String(c["content"] ?? "")) === fp);
}

/**
 * Connects to the default remote as the provider does: verifies the server certificate (pinned fingerprint,
 * or the one inside the trust token), then, when the client is not trusted yet, spends the trust token.
 * Mutates `w` (trust store, tokens) when it may; returns the provider's error otherwise.
 */
function connect(config: ObjectValue | null, w: WorldData, mutate: boolean): Diag | undefined {
  const server = fact<LxdServerFacts | undefined>(w, FACTS.lxd.server, undefined);
  if (!server) return undefined;
  const defaultRemote = typeof config?.["default_remote"] === "string" ? (config["default_remote"] as string) : "";
  const remote = remotes(config).find((r) => r.name === defaultRemote) ?? remotes(config)[0];
  if (!remote || !remote.address.startsWith("https://")) return undefined;
  let pinned = remote.fingerprint;
  if (remote.trustToken) {
    const fromToken = tokenFingerprint(remote.trustToken);
    if (fromToken === undefined) return error("Failed decoding trust token: illegal base64 data");
    if (!pinned) pinned = fromToken;
    else if (fromToken.toLowerCase() !== pinned.toLowerCase()) {
      return error(`Trust token fingerprint does not match the provided server certificate fingerprint: "${fromToken}" != "${pinned}"`);
    }
  }
  if (!pinned) {
    return error(
      `Failed to connect to LXD server: Get "${remote.address}/1.0": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
      "LXD's server certificate is self-signed: pin it with server_certificate_fingerprint, or give a trust token (which carries it).",
    );
  }
  if (pinned !== server.fingerprint) {
    return error(`Server certificate fingerprint mismatch: expected "${pinned}", got "${server.fingerprint}"`);
  }
  const client = clientFingerprint(remote.clientCertificate);
  const trusted = fact<string[]>(w, FACTS.lxd.trusted, []);
  if (client && trusted.includes(client)) return undefined;
  if (!remote.trustToken) return error("Unable to authenticate with remote server: Client not trusted");
  const tokens = fact<LxdTrustToken[]>(w, FACTS.lxd.trustTokens, []);
  const token = tokens.find((t) => t.token === remote.trustToken && !t.used);
  if (!token || !client) return error("Unable to authenticate with remote server: not authorized");
  if (mutate) {
    token.used = true;
    w.facts[FACTS.lxd.trustTokens] = tokens;
    w.facts[FACTS.lxd.trusted] = [...trusted, client];
  }
  return undefined;
}

export const LXD_RULES: readonly Rule[] = [
  {
    id: "lxd.remote.server-verification",
    fact:
      "Over HTTPS the provider trusts LXD's self-signed server certificate only through server_certificate_fingerprint, or the fingerprint inside a trust token; with neither, TLS verification fails. An untrusted client spends the trust token to add its certificate (once), else it is refused.",
    cites: [
      provider("internal/provider-config/config.go", "LxdProviderConfig.buildConnectionArgs"),
      provider("internal/provider-config/config.go", "LxdProviderConfig.server (Auth != \"trusted\" → CreateCertificate with the token)"),
      { repo: "canonical/lxd", commit: "unverified", path: "lxd/certificates.go", symbol: "certificatesPost", note: "a spent token is refused; exact text unverified" },
    ],
    types: LXD_TYPES,
    read({ provider, worlds }) {
      return connect(provider, worlds.own, false);
    },
    apply({ provider, worlds }) {
      const refused = connect(provider, worlds.own, true);
      return refused ? { error: refused } : undefined;
    },
  },
  {
    id: "lxd.trust-certificate.duplicate",
    fact: "LXD refuses to add a certificate whose fingerprint is already in its trust store.",
    cites: [
      provider("internal/truststore/trust_certificate.go", "TrustCertificateResource.Create (Failed to add certificate %q to the trust store)"),
      { repo: "canonical/lxd", commit: "unverified", path: "lxd/certificates.go", symbol: "certificatesPost", note: "\"Certificate already in trust store\" unverified" },
    ],
    types: ["lxd_trust_certificate"],
    apply({ prior, state, worlds }) {
      if (prior !== null) return undefined;
      if (!lxdTrusts(worlds.own, String(state["content"] ?? ""))) return undefined;
      return { error: error(`Failed to add certificate "${String(state["name"])}" to the trust store`, "Certificate already in trust store") };
    },
  },
];
