#!/usr/bin/env node
/**
 * Fake `openstack` (python-openstackclient) over the world's cloud: the admin lists verify reads and the
 * tenant resources its smoke test creates and deletes. It authenticates like keystone (OS_* environment,
 * an empty variable counts as unset as in osc-lib utils.env) and refuses what Neutron and Nova refuse;
 * README.md in this folder cites each refusal.
 */
"use strict";
const fs = require("node:fs");
const { load, save, stdin, record, secrets, fail } = require("./fake-world.cjs");

const argv = process.argv.slice(2);
record("openstack", argv, stdin());
const world = load();
const os = world.openstack;
const env = (name) => process.env[name] || undefined;

// Authentication: the auth URL keystone serves, the CA vault issued, the admin password.
const authUrl = env("OS_AUTH_URL");
if (authUrl !== os.authUrl) fail(`Failed to discover available identity versions when contacting ${authUrl}. Attempting to parse version from URL.\nUnable to establish connection to ${authUrl}/auth/tokens`);
if (authUrl.startsWith("https")) {
  const ca = env("OS_CACERT");
  if (!ca || !fs.existsSync(ca) || fs.readFileSync(ca, "utf8").trim() !== String(world.vault.rootCa).trim()) {
    fail(`SSL exception connecting to ${authUrl}/auth/tokens: HTTPSConnectionPool: Max retries exceeded (Caused by SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: unable to get local issuer certificate')))`);
  }
}
const unauthorized = () => fail("The request you have made requires authentication. (HTTP 401) (Request-ID: req-fake)");
if (env("OS_USERNAME") !== "admin" || env("OS_USER_DOMAIN_NAME") !== "admin_domain" || env("OS_PASSWORD") !== secrets.keystonePassword()) unauthorized();
const projectId = env("OS_PROJECT_ID");
const project = projectId ? os.projects.find((p) => p.id === projectId && p.adminRole) : env("OS_PROJECT_NAME") === "admin" && env("OS_PROJECT_DOMAIN_NAME") === "admin_domain" ? { id: "admin" } : undefined;
if (!project) unauthorized();

// argv: command words, then options; -f json, --wait, --ingress, --external-gateway VALUE...
const BOOLEAN = new Set(["--wait", "--ingress", "--egress"]);
const words = [];
const opts = {};
for (let i = 0; i < argv.length; i++) {
  if (argv[i].startsWith("-")) {
    if (BOOLEAN.has(argv[i])) opts[argv[i]] = true;
    else opts[argv[i]] = argv[++i];
  } else words.push(argv[i]);
}
const json = opts["-f"] === "json";
const out = (value) => process.stdout.write(json ? JSON.stringify(value, null, 2) + "\n" : "");
os.nextId = os.nextId || 1;
const newId = () => `00000000-0000-4000-8000-${String(os.nextId++).padStart(12, "0")}`;
const mine = (list) => list.filter((r) => r.project === project.id);
const findIn = (list, nameOrId, kind) => {
  const found = mine(list).find((r) => r.id === nameOrId || r.name === nameOrId);
  if (!found) fail(`No ${kind} found for ${nameOrId}`); // openstacksdk resource.py Resource.find
  return found;
};
// python-openstackclient network/common.py NetworkAndComputeDelete: per-resource message, then a count.
const deleteFailed = (kind, name, message) => fail(`Failed to delete ${kind} with name or ID '${name}': ${message}\n1 of 1 ${kind}s failed to delete.`);

const commands = {
  "endpoint list": () => out(os.endpoints),
  "compute service list": () => out(os.computeServices),
  "network agent list": () => out(os.networkAgents),
  "project create": () => {
    const p = { id: newId().replace(/-/g, ""), name: words[2], domain_id: opts["--domain"], enabled: true, project: "admin", adminRole: false };
    os.projects.push(p);
    out({ id: p.id, name: p.name, domain_id: p.domain_id, enabled: true });
  },
  "project delete": () => {
    os.projects = os.projects.filter((p) => p.id !== words[2] && p.name !== words[2]);
  },
  "role add": () => {
    const p = os.projects.find((x) => x.id === opts["--project"] || x.name === opts["--project"]);
    if (!p) fail(`No project with a name or ID of '${opts["--project"]}' exists.`);
    if (opts["--user"] === "admin" && opts["--user-domain"] === "admin_domain") p.adminRole = true;
  },
  "network create": () => {
    const n = { id: newId(), name: words[2], project: project.id };
    os.networks.push(n);
    out({ id: n.id, name: n.name, status: "ACTIVE" });
  },
  "network delete": () => {
    const n = mine(os.networks).find((x) => x.id === words[2] || x.name === words[2]);
    if (!n) deleteFailed("network", words[2], `No Network found for ${words[2]}`);
    const subnets = os.subnets.filter((s) => s.network === n.id).map((s) => s.id);
    // neutron-lib exceptions NetworkInUse
    if (os.routers.some((r) => r.subnets.some((s) => subnets.includes(s))) || os.servers.some((s) => s.network === n.id)) {
      deleteFailed("network", words[2], `Unable to complete operation on network ${n.id}. There are one or more ports still in use on the network.`);
    }
    os.networks = os.networks.filter((x) => x !== n);
    os.subnets = os.subnets.filter((s) => s.network !== n.id);
  },
  "subnet create": () => {
    const network = findIn(os.networks, opts["--network"], "Network");
    const s = { id: newId(), name: words[2], network: network.id, cidr: opts["--subnet-range"], project: project.id };
    os.subnets.push(s);
    out({ id: s.id, name: s.name, network_id: network.id, cidr: s.cidr });
  },
  "router create": () => {
    const r = { id: newId(), name: words[2], gateway: null, subnets: [], project: project.id };
    os.routers.push(r);
    out({ id: r.id, name: r.name, status: "ACTIVE" });
  },
  "router set": () => {
    const r = findIn(os.routers, words[2], "Router");
    const ext = os.externalNetworks.find((n) => n === opts["--external-gateway"]);
    if (!ext) fail(`No Network found for ${opts["--external-gateway"]}`);
    r.gateway = ext;
  },
  "router add subnet": () => findIn(os.routers, words[3], "Router").subnets.push(findIn(os.subnets, words[4], "Subnet").id),
  "router remove subnet": () => {
    const r = findIn(os.routers, words[3], "Router");
    const s = findIn(os.subnets, words[4], "Subnet");
    r.subnets = r.subnets.filter((x) => x !== s.id);
  },
  "router delete": () => {
    const r = mine(os.routers).find((x) => x.id === words[2] || x.name === words[2]);
    if (!r) deleteFailed("router", words[2], `No Router found for ${words[2]}`);
    if (r.subnets.length) deleteFailed("router", words[2], `Router ${r.id} still has ports`); // neutron-lib exceptions/l3.py RouterInUse
    os.routers = os.routers.filter((x) => x !== r);
  },
  "security group create": () => {
    const g = { id: newId(), name: words[3], rules: [], project: project.id };
    os.securityGroups.push(g);
    out({ id: g.id, name: g.name });
  },
  "security group rule create": () => {
    const g = findIn(os.securityGroups, words[4], "SecurityGroup");
    g.rules.push({ protocol: opts["--protocol"], port: opts["--dst-port"], ingress: Boolean(opts["--ingress"]) });
    out({ id: newId(), protocol: opts["--protocol"] });
  },
  "security group delete": () => {
    const g = mine(os.securityGroups).find((x) => x.id === words[3] || x.name === words[3]);
    if (!g) deleteFailed("security_group", words[3], `No SecurityGroup found for ${words[3]}`);
    if (os.servers.some((s) => s.securityGroup === g.id)) deleteFailed("security_group", words[3], `Security Group ${g.id} in use.`);
    os.securityGroups = os.securityGroups.filter((x) => x !== g);
  },
  "keypair create": () => {
    os.keypairCount = (os.keypairCount || 0) + 1;
    os.keypairs.push({ name: words[2], user: "admin" });
    out({ name: words[2], fingerprint: "00:11:22", type: "ssh", private_key: `-----BEGIN OPENSSH PRIVATE KEY-----\n${secrets.privateKey(os.keypairCount)}\n-----END OPENSSH PRIVATE KEY-----\n` });
  },
  "keypair delete": () => {
    if (!os.keypairs.some((k) => k.name === words[2])) fail(`Failed to delete key with name '${words[2]}': No Keypair found for ${words[2]}\n1 of 1 keys failed to delete.`);
    os.keypairs = os.keypairs.filter((k) => k.name !== words[2]);
  },
  "server create": () => {
    if (!os.images.includes(opts["--image"])) fail(`No Image found for ${opts["--image"]}`);
    if (!os.flavors.includes(opts["--flavor"])) fail(`No Flavor found for ${opts["--flavor"]}`);
    const network = findIn(os.networks, opts["--network"], "Network");
    const group = findIn(os.securityGroups, opts["--security-group"], "SecurityGroup");
    if (!os.keypairs.some((k) => k.name === opts["--key-name"])) fail(`No Keypair found for ${opts["--key-name"]}`);
    const server = { id: newId(), name: words[2], status: os.bootFails ? "ERROR" : "ACTIVE", network: network.id, securityGroup: group.id, floatingIp: null, project: project.id };
    os.servers.push(server);
    save(world);
    // python-openstackclient compute/v2/server.py CreateServer: --wait reports progress on stdout, then fails or shows the server.
    if (server.status === "ERROR") {
      process.stdout.write("\rProgress: 0");
      fail(`Error creating server: ${server.name}`);
    }
    process.stdout.write("\rProgress: 100\n");
    out({ id: server.id, name: server.name, status: server.status, addresses: { [network.name]: ["192.168.199.10"] } });
  },
  "server delete": () => {
    const s = mine(os.servers).find((x) => x.id === words[2] || x.name === words[2]);
    if (!s) fail(`No server with a name or ID of '${words[2]}' exists.`);
    os.servers = os.servers.filter((x) => x !== s);
    os.floatingIps.forEach((f) => f.server === s.id && (f.server = null));
  },
  "floating ip create": () => {
    if (!os.externalNetworks.includes(words[3])) fail(`No Network found for ${words[3]}`);
    const [a, b, c, d] = os.floatingPool.start.split(".").map(Number);
    const address = `${a}.${b}.${c}.${d + (os.floatingIssued || 0)}`;
    os.floatingIssued = (os.floatingIssued || 0) + 1;
    const f = { id: newId(), address, server: null, project: project.id };
    os.floatingIps.push(f);
    out({ id: f.id, floating_ip_address: address, floating_network_id: words[3], status: "DOWN" });
  },
  "floating ip delete": () => {
    const f = mine(os.floatingIps).find((x) => x.id === words[3] || x.address === words[3]);
    if (!f) fail(`Failed to delete floating_ip with name or ID '${words[3]}': No FloatingIP found for ${words[3]}\n1 of 1 floating_ips failed to delete.`);
    os.floatingIps = os.floatingIps.filter((x) => x !== f);
  },
  "server add floating ip": () => {
    const server = findIn(os.servers, words[4], "Server");
    const f = mine(os.floatingIps).find((x) => x.address === words[5]);
    if (!f) fail(`No FloatingIP found for ${words[5]}`);
    const subnet = os.subnets.find((s) => s.network === server.network);
    const router = os.routers.find((r) => r.gateway && r.subnets.includes(subnet && subnet.id));
    // neutron-lib exceptions/l3.py ExternalGatewayForFloatingIPNotFound
    if (!router) fail(`ResourceNotFound: 404: External network ${os.externalNetworks[0]} is not reachable from subnet ${subnet && subnet.id}.  Therefore, cannot associate Port ${server.id} with a Floating IP.`);
    f.server = server.id;
  },
};

const name = [4, 3, 2].map((n) => words.slice(0, n).join(" ")).find((k) => commands[k]);
if (!name) fail(`openstack: '${words.join(" ")}' is not an openstack command (not simulated by the fake)`, 2);
commands[name]();
save(world);
