/**
 * What exists before the first plan, as the twin seeds it from a site file: the world a real lab is in once
 * README "Before the first plan" is done, plus throwaway credentials that only this world accepts.
 *
 * - MAAS: the region + rack controller on the controller host. When the rack registered, MAAS discovered
 *   its interfaces: each physical NIC on a fabric of its own (`fabric-<id>`) on VID 0, each tagged
 *   sub-interface on its VID of the parent's fabric, and a subnet for each address it saw. The zone
 *   "default" exists. Where each worker NIC is cabled (the segment's L2) is a fact MAAS
 *   learns only when the machine PXE boots.
 * - LXD: listening on the controller's management address with its own server certificate, and one unused
 *   trust token for Terraform's client certificate.
 * - Juju: the controller the later stacks reach (addresses, CA, admin credentials).
 * - OpenStack: what Keystone already holds for the cloud stack: the roles and the users the site's tenant projects
 *   name as members (they come from the identity backend, not from this project).
 *
 * Credentials live in `<world>/credentials.json` and nowhere else.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Site } from "../../constructs/site";
import { fingerprintOf, selfSigned } from "./src/cert";
import { emptyWorld, readWorldFile, withFileLock, worldFile, writeWorldFile, type WorldData } from "./src/world";

export interface TwinCredentials {
  readonly maasApiKey: string;
  readonly ipmiPassword: string;
  /** Terraform's client certificate towards LXD, trusted through `lxdTrustToken` on the first run. */
  readonly lxdClient: { readonly certificate: string; readonly key: string };
  readonly lxdTrustToken: string;
  /** The certificate MAAS presents to LXD; the substrate makes LXD trust it. */
  readonly maasLxd: { readonly certificate: string; readonly key: string };
  readonly juju: JujuControllerFacts;
  /** The admin login the cloud stack's OpenStack provider reads from OS_* (the twin checks no credentials). */
  readonly openstack: OpenStackLogin;
}

export interface OpenStackLogin {
  readonly authUrl: string;
  readonly username: string;
  readonly password: string;
  readonly projectName: string;
  readonly domainName: string;
}

/** A rack controller interface MAAS discovered: its name and the world key of the VLAN it sits on. */
export interface RackInterface {
  readonly name: string;
  readonly vlan: string;
}

/** Fact names of the worlds (see ../README.md, "The twin"). */
export const FACTS = {
  maas: { apiKeys: "api_keys", rackInterfaces: "rack_interfaces", cabling: "cabling", machineStatus: "machine_status" },
  lxd: { server: "server", trustTokens: "trust_tokens", trusted: "trusted_clients", resources: "resources" },
  juju: {
    controller: "controller",
    /** The controller `juju show-controller` reports on the operator's machine (absent: no juju CLI there). */
    cli: "cli_controller",
    /** Juju's instance status per machine ID ("running", "provisioning error"). */
    machineStatus: "machine_status",
    /** The spaces Juju gave each container, by machine ID. */
    machineSpaces: "machine_spaces",
    /** The last machine number handed out in the model. */
    machineSeq: "machine_seq",
    /** The replica count each application's Ceph pools were created with. */
    cephPoolSize: "ceph_pool_size",
  },
} as const;

/** How to reach a Juju controller: what `juju show-controller --show-password` and the juju-controller stack's outputs give. */
export interface JujuControllerFacts {
  readonly addresses: string;
  readonly username: string;
  readonly password: string;
  readonly caCert: string;
}

export interface LxdServerFacts {
  readonly address: string;
  readonly certificate: string;
  readonly fingerprint: string;
}

export interface LxdTrustToken {
  readonly token: string;
  used: boolean;
}

const random = (bytes: number): string => crypto.randomBytes(bytes).toString("hex");

/**
 * An LXD trust token: base64 of a JSON object naming the client, the server's fingerprint and addresses, and
 * a secret, as `lxc config trust add` prints it.
 */
function trustToken(server: LxdServerFacts): string {
  const body = { client_name: "terraform", fingerprint: server.fingerprint, addresses: [server.address.replace(/^https:\/\//, "")], secret: random(32), expires_at: "0001-01-01T00:00:00Z" };
  return Buffer.from(JSON.stringify(body)).toString("base64");
}

/** The physical NIC a controller NIC entry runs on (eno1 for eno1 and for its VLAN sub-interface). */
function parentOf(nicName: string): string {
  return nicName.split(".")[0]!;
}

function seedMaas(site: Site, credentials: TwinCredentials): WorldData {
  const w = emptyWorld();
  const put = (type: string, key: string, obj: Record<string, unknown>) => ((w.objects[type] ??= {})[key] = obj);
  const next = (type: string) => (w.counters[type] = (w.counters[type] ?? 0) + 1);

  const rackId = "rack01";
  put("maas_rack_controller", rackId, {
    id: rackId,
    hostname: site.controller.hostname,
    version: "3.5.4",
    description: "region and rack controller",
    services: [{ name: "dhcpd", status: "off" }, { name: "rackd", status: "running" }],
  });
  // MAAS ships with the zone "default"; the substrate creates the site's other zones.
  put("maas_zone", String(next("maas_zone")), { id: "1", name: "default", description: "" });

  const interfaces: RackInterface[] = [];
  const fabricOf = new Map<string, string>();
  const vlanKey = (fabric: string, vid: number): string => {
    const found = Object.entries(w.objects["maas_vlan"] ?? {}).find(([, v]) => v["fabric"] === fabric && v["vid"] === vid);
    if (found) return found[0];
    const id = String(next("maas_vlan"));
    put("maas_vlan", id, { id, fabric, vid, name: vid === 0 ? "untagged" : "", mtu: 1500, dhcp_on: false, space: "" });
    return id;
  };
  for (const nic of site.controller.nics) {
    const parent = parentOf(nic.name);
    let fabric = fabricOf.get(parent);
    if (!fabric) {
      fabric = String(next("maas_fabric"));
      put("maas_fabric", fabric, { id: fabric, name: `fabric-${fabric}` });
      fabricOf.set(parent, fabric);
      interfaces.push({ name: parent, vlan: vlanKey(fabric, 0) });
    }
    const segment = site.segments.find((s) => s.name === nic.segment)!;
    const vid = nic.tagged ? segment.vlan : 0;
    const vlan = vlanKey(fabric, vid);
    const bridge = site.controller.lxd.bridges[segment.name];
    if (nic.tagged) interfaces.push({ name: `${parent}.${vid}`, vlan });
    if (bridge) interfaces.push({ name: bridge, vlan });
    if (nic.address) {
      const id = String(next("maas_subnet"));
      // MAAS names a discovered subnet by its CIDR and opens it to its proxy and DNS, as for any new subnet.
      put("maas_subnet", id, { id, cidr: segment.cidr, name: segment.cidr, fabric, vlan: String(vid), vid, allow_dns: true, allow_proxy: true, rdns_mode: 2, dns_servers: [] });
    }
  }
  w.facts[FACTS.maas.rackInterfaces] = { [rackId]: interfaces };
  w.facts[FACTS.maas.apiKeys] = [credentials.maasApiKey];
  // Where each worker NIC's cable ends: the L2 of its segment, named by the segment's CIDR.
  w.facts[FACTS.maas.cabling] = Object.fromEntries(
    site.workers.flatMap((worker) => worker.nics.map((nic) => [nic.mac, site.segments.find((s) => s.name === nic.segment)!.cidr])),
  );
  w.facts[FACTS.maas.machineStatus] = {};
  return w;
}

function seedLxd(site: Site, server: LxdServerFacts, token: string): WorldData {
  const w = emptyWorld();
  // Every LXD has the default project and profile.
  w.objects["lxd_project"] = { default: { name: "default", description: "Default LXD project" } };
  w.objects["lxd_profile"] = { default: { name: "default", description: "Default LXD profile" } };
  w.facts[FACTS.lxd.server] = server;
  w.facts[FACTS.lxd.trustTokens] = [{ token, used: false } satisfies LxdTrustToken];
  w.facts[FACTS.lxd.trusted] = [];
  const { cores, memoryGiB, diskGiB } = site.controller.capacity;
  w.facts[FACTS.lxd.resources] = { cores, memoryMiB: memoryGiB * 1024, diskGiB };
  return w;
}

function seedOpenstack(site: Site): WorldData {
  const w = emptyWorld();
  const put = (type: string, name: string) => {
    const id = `${type === "openstack_identity_role_v3" ? "role" : "user"}-${name}`;
    (w.objects[type] ??= {})[id] = { id, name, ...(type === "openstack_identity_user_v3" ? { enabled: true } : {}) };
  };
  for (const p of site.cloud.projects) {
    put("openstack_identity_role_v3", p.role);
    for (const m of p.members) put("openstack_identity_user_v3", m);
  }
  return w;
}

/**
 * Cables the NICs of workers the world does not know yet to their segments, as an operator does before applying a
 * site change that adds them (a change rehearsal's world was seeded from the site before the change).
 */
export function cableWorkers(site: Site, dir: string): string[] {
  const file = worldFile(dir, "maas");
  return withFileLock(file, () => {
    const w = readWorldFile(file);
    const cabling = (w.facts[FACTS.maas.cabling] ?? {}) as Record<string, string>;
    const added = site.workers.filter((worker) => worker.nics.some((nic) => !(nic.mac in cabling)));
    for (const worker of added) for (const nic of worker.nics) cabling[nic.mac] = site.segments.find((s) => s.name === nic.segment)!.cidr;
    w.facts[FACTS.maas.cabling] = cabling;
    writeWorldFile(file, w);
    return added.map((worker) => worker.hostname);
  });
}

function seedJuju(credentials: TwinCredentials): WorldData {
  const w = emptyWorld();
  w.facts[FACTS.juju.controller] = { ...credentials.juju };
  return w;
}

export const CREDENTIALS_FILE = "credentials.json";

/** Fresh throwaway credentials for a world whose LXD server is `server` (pass `server` as undefined to get the rest only). */
export function newCredentials(server?: LxdServerFacts): TwinCredentials {
  const lxdClient = selfSigned("terraform");
  const maasLxd = selfSigned("maas");
  const jujuCa = selfSigned("juju-ca");
  return {
    maasApiKey: `${random(9)}:${random(9)}:${random(16)}`,
    ipmiPassword: random(12),
    lxdClient: { certificate: lxdClient.certPem, key: lxdClient.keyPem },
    lxdTrustToken: server ? trustToken(server) : "",
    maasLxd: { certificate: maasLxd.certPem, key: maasLxd.keyPem },
    juju: { addresses: "127.0.0.1:17070", username: "admin", password: random(16), caCert: jujuCa.certPem },
    openstack: { authUrl: "https://127.0.0.1:5000/v3", username: "admin", password: random(16), projectName: "admin", domainName: "admin_domain" },
  };
}

/**
 * Seeds `dir` for `site` when it holds no world yet, and returns the credentials its worlds accept (those of
 * the existing world when already seeded). `given` fixes the credentials (tests use ones with known markers);
 * the trust token is always minted for this world's LXD server.
 */
export function seedWorlds(site: Site, dir: string, given?: TwinCredentials): { credentials: TwinCredentials; seeded: boolean } {
  const file = path.join(dir, CREDENTIALS_FILE);
  if (fs.existsSync(file)) return { credentials: JSON.parse(fs.readFileSync(file, "utf8")) as TwinCredentials, seeded: false };
  const existing = ["maas", "lxd", "juju", "openstack"].filter((p) => fs.existsSync(worldFile(dir, p)));
  if (existing.length > 0) {
    throw new Error(`${dir} already holds a world (${existing.join(", ")}) but no ${CREDENTIALS_FILE}; empty the folder to seed it again`);
  }
  const lxdServer = selfSigned(site.controller.hostname);
  const server: LxdServerFacts = {
    address: site.controller.lxd.address,
    certificate: lxdServer.certPem,
    // A site that pins its server's fingerprint describes this server.
    fingerprint: site.controller.lxd.serverFingerprint ?? fingerprintOf(lxdServer.certPem),
  };
  const credentials = given ? { ...given, lxdTrustToken: trustToken(server) } : newCredentials(server);
  fs.mkdirSync(dir, { recursive: true });
  writeWorldFile(worldFile(dir, "maas"), seedMaas(site, credentials));
  writeWorldFile(worldFile(dir, "lxd"), seedLxd(site, server, credentials.lxdTrustToken));
  writeWorldFile(worldFile(dir, "juju"), seedJuju(credentials));
  writeWorldFile(worldFile(dir, "openstack"), seedOpenstack(site));
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
  return { credentials, seeded: true };
}

/** The environment under which the stacks plan and apply against a seeded world: every TF_VAR_* they declare, and the providers' own. */
export function credentialEnv(c: TwinCredentials): Record<string, string> {
  return {
    MAAS_API_KEY: c.maasApiKey,
    TF_VAR_maas_api_key: c.maasApiKey,
    TF_VAR_ipmi_password: c.ipmiPassword,
    TF_VAR_lxd_client_certificate: c.lxdClient.certificate,
    TF_VAR_lxd_client_key: c.lxdClient.key,
    TF_VAR_lxd_trust_token: c.lxdTrustToken,
    TF_VAR_maas_lxd_certificate: c.maasLxd.certificate,
    TF_VAR_maas_lxd_key: c.maasLxd.key,
    JUJU_CONTROLLER_ADDRESSES: c.juju.addresses,
    JUJU_USERNAME: c.juju.username,
    JUJU_PASSWORD: c.juju.password,
    JUJU_CA_CERT: c.juju.caCert,
    // The openstack stack's explicit connection (its provider never falls back to JUJU_* or the juju CLI).
    TF_VAR_juju_controller_addresses: c.juju.addresses,
    TF_VAR_juju_username: c.juju.username,
    TF_VAR_juju_password: c.juju.password,
    TF_VAR_juju_ca_certificate: c.juju.caCert,
    OS_AUTH_URL: c.openstack.authUrl,
    OS_USERNAME: c.openstack.username,
    OS_PASSWORD: c.openstack.password,
    OS_PROJECT_NAME: c.openstack.projectName,
    OS_USER_DOMAIN_NAME: c.openstack.domainName,
    OS_PROJECT_DOMAIN_NAME: c.openstack.domainName,
  };
}
