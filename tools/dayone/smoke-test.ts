/**
 * verify's smoke test, as a tenant would use the cloud: in a throwaway project, a network routed to the
 * external network, a security group letting ICMP and SSH in, a keypair, a server booted from the image,
 * a floating IP from the site's pool, and a ping to it from this machine. Everything it creates is removed
 * at the end, in reverse order, whatever failed; what cannot be removed is reported with its name.
 * Keypairs belong to the user, not the project, so they are deleted explicitly like everything else.
 */
import { inRange, ipToInt } from "../../constructs/site/ipv4";
import type { IpRange } from "../../constructs/site";
import type { Checks } from "./checks";
import { CheckFailed } from "./layers";
import type { OpenStack } from "./openstack";

export interface SmokeSettings {
  /** Prefix of every resource name, unique to the run (verify-<time>-<random>). */
  readonly prefix: string;
  readonly externalNetwork: string;
  readonly image: string;
  readonly flavor: string;
  readonly tenantCidr: string;
  readonly reachTimeoutSec: number;
  /** The site's floating ranges (external segments' `floating`). */
  readonly pools: readonly IpRange[];
  /** The admin user and domain, given a role in the throwaway project to act in it. */
  readonly adminUser: string;
  readonly adminDomain: string;
}

export interface SmokeTools {
  readonly admin: OpenStack;
  /** The client scoped to the throwaway project. */
  readonly tenant: (projectId: string) => OpenStack;
  /** One ICMP echo; true on a reply. */
  readonly ping: (address: string) => boolean;
  readonly sleep: (ms: number) => Promise<void>;
}

interface Undo {
  readonly what: string;
  readonly run: () => void;
}

/** An error that means the resource is already gone (openstacksdk "No X found for", osc-lib "No x with a name or ID"). */
const GONE = /No \w+ (found for|with a name or ID)/;

export async function smokeTest(checks: Checks, tools: SmokeTools, s: SmokeSettings): Promise<void> {
  const undo: Undo[] = [];
  const names = { project: s.prefix, net: `${s.prefix}-net`, subnet: `${s.prefix}-subnet`, router: `${s.prefix}-router`, group: `${s.prefix}-sg`, key: `${s.prefix}-key`, server: `${s.prefix}-server` };
  let tenant: OpenStack | undefined;
  let address = "";

  const steps: [Parameters<Checks["run"]>[0], string, () => string | Promise<string>][] = [
    ["api", "throwaway tenant project", () => {
      const project = tools.admin.json<{ id: string }>("project", "create", "--domain", "default", "--description", "verify smoke test; safe to delete", names.project);
      undo.push({ what: `project ${names.project}`, run: () => tools.admin.call("project", "delete", project.id) });
      tools.admin.call("role", "add", "--user", s.adminUser, "--user-domain", s.adminDomain, "--project", project.id, "member");
      tenant = tools.tenant(project.id);
      return `project ${names.project} (${project.id})`;
    }],
    ["network", `tenant network routed to ${s.externalNetwork}`, () => {
      const t = tenant!;
      t.json("network", "create", names.net);
      undo.push({ what: `network ${names.net}`, run: () => t.call("network", "delete", names.net) });
      t.json("subnet", "create", "--network", names.net, "--subnet-range", s.tenantCidr, names.subnet);
      t.json("router", "create", names.router);
      undo.push({ what: `router ${names.router}`, run: () => t.call("router", "delete", names.router) });
      t.call("router", "set", "--external-gateway", s.externalNetwork, names.router);
      t.call("router", "add", "subnet", names.router, names.subnet);
      undo.push({ what: `router ${names.router}'s interface on ${names.subnet}`, run: () => t.call("router", "remove", "subnet", names.router, names.subnet) });
      t.json("security", "group", "create", names.group);
      undo.push({ what: `security group ${names.group}`, run: () => t.call("security", "group", "delete", names.group) });
      t.json("security", "group", "rule", "create", "--protocol", "icmp", "--ingress", names.group);
      t.json("security", "group", "rule", "create", "--protocol", "tcp", "--dst-port", "22", "--ingress", names.group);
      return `${names.net} (${s.tenantCidr}) behind ${names.router}, security group ${names.group} allowing ICMP and SSH`;
    }],
    ["api", `server boots from ${s.image} (${s.flavor})`, () => {
      const t = tenant!;
      // The private key is in the answer; it is dropped unread: nobody logs in to this server.
      t.json("keypair", "create", names.key);
      undo.push({ what: `keypair ${names.key}`, run: () => t.call("keypair", "delete", names.key) });
      // Registered first: a server that fails to boot still exists, in ERROR.
      undo.push({ what: `server ${names.server}`, run: () => t.call("server", "delete", "--wait", names.server) });
      const server = t.json<{ status: string }>("server", "create", "--image", s.image, "--flavor", s.flavor, "--network", names.net, "--security-group", names.group, "--key-name", names.key, "--wait", names.server);
      if (server.status !== "ACTIVE") throw new CheckFailed(`${names.server} is ${server.status}`, `openstack server show ${names.server} -c fault`);
      return `${names.server} ACTIVE`;
    }],
    ["network", "floating IP from the site's pool", () => {
      const t = tenant!;
      const ip = t.json<{ id: string; floating_ip_address: string }>("floating", "ip", "create", s.externalNetwork);
      undo.push({ what: `floating IP ${ip.floating_ip_address}`, run: () => t.call("floating", "ip", "delete", ip.id) });
      address = ip.floating_ip_address;
      t.call("server", "add", "floating", "ip", names.server, address);
      if (s.pools.length > 0 && !s.pools.some((p) => inRange({ start: ipToInt(p.start), end: ipToInt(p.end) }, address))) {
        throw new CheckFailed(
          `${address} is outside the site's floating pool ${s.pools.map((p) => `${p.start}-${p.end}`).join(", ")}`,
          `the allocation pool of ${s.externalNetwork}'s subnet differs from the site file (segments[].floating); fix the cloud stack's external subnet`,
        );
      }
      return `${address} attached to ${names.server}`;
    }],
    ["network", "server answers ping on its floating IP", async () => {
      const start = Date.now();
      for (;;) {
        if (tools.ping(address)) return `${address} replied after ${Math.round((Date.now() - start) / 1000)} s`;
        const left = s.reachTimeoutSec * 1000 - (Date.now() - start);
        if (left <= 0) break;
        await tools.sleep(Math.min(3000, left));
      }
      throw new CheckFailed(`no reply from ${address} in ${s.reachTimeoutSec} s`, `check the route from this machine to the external network, then openstack console log show ${names.server}`);
    }],
  ];

  let failed = false;
  for (const [layer, name, body] of steps) {
    if (failed) checks.skip(layer, name, "an earlier smoke-test step failed");
    else failed = !(await checks.run(layer, name, body));
  }

  await checks.run("api", "smoke-test resources removed", () => {
    const left: string[] = [];
    for (const u of undo.reverse()) {
      try {
        u.run();
      } catch (err) {
        if (!GONE.test((err as Error).message)) left.push(`${u.what} (${(err as Error).message})`);
      }
    }
    if (left.length > 0) throw new CheckFailed(`left behind: ${left.join("; ")}`, "delete them by hand with the openstack client (eval \"$(npm run -s openrc)\")");
    return undo.length === 0 ? "nothing was created" : `removed ${undo.length} resources`;
  });
}
