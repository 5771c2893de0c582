/**
 * The cloud's admin credentials, asked of Juju each time instead of kept in a file: keystone's admin password
 * from the charm's get-admin-password action, the public auth URL from the address keystone advertises on
 * its public binding, and the CA that signed the API certificates from vault's get-root-ca action.
 * Names follow charm-keystone stable/2024.1: user `admin-user` (default admin) in domain admin_domain,
 * project admin (hooks/keystone_utils.py ADMIN_DOMAIN, ADMIN_PROJECT), region `region` (RegionOne),
 * port `service-port` (5000), address `os-public-hostname` when set.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Site } from "../../constructs/site";
import { deploymentOf } from "./cli";
import { firstLines, type Juju } from "./juju";
import { Secret } from "./secret";
import { UserError } from "./user-error";

/** Where keystone is and who the admin is: everything but the password. */
export interface KeystoneAccess {
  readonly authUrl: string;
  readonly region: string;
  readonly username: string;
  readonly userDomain: string;
  readonly projectName: string;
  readonly projectDomain: string;
  /** Absent for a user the openstack client asks the password of. */
  readonly password?: Secret;
}

export interface AdminCredentials extends KeystoneAccess {
  readonly password: Secret;
}

export const ADMIN_DOMAIN = "admin_domain";

export function keystoneAccess(juju: Juju, site: Site, authUrlFlag?: string): KeystoneAccess {
  const config = site.openstack.config.keystone ?? {};
  return {
    authUrl: authUrlFlag ?? keystoneAuthUrl(juju, site),
    region: String(config.region ?? "RegionOne").split(" ")[0]!,
    username: String(config["admin-user"] ?? "admin"),
    userDomain: ADMIN_DOMAIN,
    projectName: "admin",
    projectDomain: ADMIN_DOMAIN,
  };
}

export function adminCredentials(juju: Juju, site: Site, authUrlFlag?: string): AdminCredentials {
  return { ...keystoneAccess(juju, site, authUrlFlag), password: adminPassword(juju) };
}

export function adminPassword(juju: Juju): Secret {
  const password = juju.action("keystone/leader", "get-admin-password")["admin-password"];
  if (typeof password !== "string" || password === "" || password === "None") {
    throw new UserError("keystone has no admin password yet (get-admin-password returned none); wait until keystone is active in juju status");
  }
  return new Secret(password);
}

/** https when vault issues keystone's certificate (the plan relates them), as the charm's https() decides. */
function keystoneAuthUrl(juju: Juju, site: Site): string {
  const config = site.openstack.config.keystone ?? {};
  const tls = deploymentOf(site).relations.some((r) => [r.a, r.b].some((end) => end.app === "keystone" && end.endpoint === "certificates"));
  let host = config["os-public-hostname"] ? String(config["os-public-hostname"]) : "";
  if (!host) {
    const ingress = juju.exec("keystone/leader", "network-get public --ingress-address");
    if (ingress.code !== 0 || ingress.stdout.trim() === "") {
      throw new UserError(`could not read keystone's public address (network-get public on keystone/leader: ${firstLines(ingress.stderr) || "no address"}); pass --auth-url https://<address>:5000/v3`);
    }
    host = ingress.stdout.trim();
  }
  return `${tls ? "https" : "http"}://${host}:${config["service-port"] ?? 5000}/v3`;
}

/** The root CA from vault, written where the openstack CLI can read it (OS_CACERT names a file). It is public. */
export function writeRootCa(juju: Juju, file: string): string {
  const pem = String(juju.action("vault/leader", "get-root-ca").output ?? "");
  if (!pem.includes("BEGIN CERTIFICATE")) throw new UserError("vault has no root CA yet, so the API certificates cannot be checked; run npm run vault:init");
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, pem.endsWith("\n") ? pem : pem + "\n");
  return file;
}

/** Where a project comes from: by name within a domain, or by ID (the smoke test's throwaway project). */
export type Scope = { readonly projectName: string; readonly projectDomain: string } | { readonly projectId: string };

/**
 * The OS_* environment of an openstack child process; the password stays a Secret until the runner reveals it.
 * Variables an earlier openrc may have left in the operator's shell are emptied, which the client (osc-lib
 * utils.env) treats as unset, so they cannot change the scope or the cloud.
 */
export function openstackEnv(creds: KeystoneAccess, caFile: string, scope: Scope = { projectName: creds.projectName, projectDomain: creds.projectDomain }): Record<string, string | Secret> {
  return {
    OS_CLOUD: "",
    OS_TOKEN: "",
    OS_AUTH_URL: creds.authUrl,
    OS_IDENTITY_API_VERSION: "3",
    OS_REGION_NAME: creds.region,
    OS_INTERFACE: "public",
    OS_USERNAME: creds.username,
    OS_PASSWORD: creds.password ?? "",
    OS_USER_DOMAIN_NAME: creds.userDomain,
    OS_CACERT: caFile,
    ...("projectId" in scope
      ? { OS_PROJECT_ID: scope.projectId, OS_PROJECT_NAME: "", OS_PROJECT_DOMAIN_NAME: "" }
      : { OS_PROJECT_ID: "", OS_PROJECT_NAME: scope.projectName, OS_PROJECT_DOMAIN_NAME: scope.projectDomain }),
  };
}
