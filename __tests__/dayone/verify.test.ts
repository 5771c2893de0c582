/**
 * verify against fake juju, openstack and ping executables over a simulated cloud, with the catalog's
 * endpoints served by a local HTTP server. A healthy cloud passes every check and leaves nothing behind;
 * a broken one fails the right checks and names the lowest failing layer. No secret (the keystone password,
 * the generated SSH private key) reaches an output, a command line or a file.
 */
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { main as verify } from "../../tools/dayone/verify";
import { FakeCloud, type World } from "./fake-cloud";

let server: http.Server;
let base = "";
const hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? "");
    res.statusCode = req.url?.startsWith("/broken") ? 503 : req.url === "/v3" ? 300 : 401;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

function endpoints(world: World, ...broken: string[]) {
  const services = [["keystone", "identity", "/v3"], ["nova", "compute", "/v2.1"], ["glance", "image", ""], ["neutron", "network", ""], ["placement", "placement", ""], ["cinderv3", "volumev3", "/v3/$(project_id)s"]];
  world.openstack.endpoints = services.flatMap(([name, type, suffix]) =>
    ["public", "internal", "admin"].map((iface) => ({ "Service Name": name!, "Service Type": type!, Interface: iface, Enabled: true, URL: `${base}${broken.includes(name!) ? "/broken" : ""}${suffix || "/"}` })),
  );
}

function emptyTenantResources(world: World) {
  return ["projects", "networks", "subnets", "routers", "securityGroups", "keypairs", "servers", "floatingIps"].map((k) => [k, (world.openstack[k] as unknown[]).length]);
}

describe("verify", () => {
  let cloud: FakeCloud;
  afterEach(() => cloud.dispose());

  it("passes every layer on a healthy cloud, smoke test included, and removes what it created", async () => {
    cloud = new FakeCloud();
    cloud.readyVault();
    cloud.change((w) => endpoints(w));
    hits.length = 0;
    const run = await cloud.run(verify, ["--reach-timeout", "5"]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("[Substrate (MAAS, LXD)] machines and containers started ... ok: 5 machines and 19 containers started");
    expect(run.stdout).toMatch(/\[Juju and charms\] units active\/idle \.\.\. ok: \d+ units active\/idle/);
    expect(run.stdout).toContain("[Ceph] cluster healthy, every OSD up and in ... ok: HEALTH_OK, 4 of 4 OSDs up and in");
    expect(run.stdout).toContain("[OpenStack APIs] endpoints answer ... ok: 6 public endpoints answer (6 services)");
    expect(run.stdout).toMatch(/\[Tenant networking \(Neutron, OVN\)\] floating IP from the site's pool \.\.\. ok: 203\.0\.113\.100 attached to verify-\d{14}-[0-9a-f]{4}-server/);
    expect(run.stdout).toContain("[OpenStack APIs] smoke-test resources removed ... ok: removed 8 resources");
    expect(run.stdout).toMatch(/\nLayer +Check +Result +Detail\n/);
    expect(run.stdout).toContain("All 16 checks passed.");
    // The template of cinder's URL is cut at the version root; only public endpoints are probed by default.
    expect(hits.sort()).toEqual(["/", "/", "/", "/v2.1", "/v3", "/v3"]);

    const create = cloud.calls("openstack").find((c) => c.argv[0] === "server" && c.argv[1] === "create")!;
    expect(create.argv).toEqual(expect.arrayContaining(["--image", "ubuntu-22.04", "--flavor", "m1.small", "--wait"]));
    expect(cloud.calls("openstack").find((c) => c.argv.join(" ").startsWith("floating ip create"))!.argv.slice(0, 4)).toEqual(["floating", "ip", "create", "external"]);
    expect(emptyTenantResources(cloud.world())).toEqual(emptyTenantResources({ openstack: Object.fromEntries(["projects", "networks", "subnets", "routers", "securityGroups", "keypairs", "servers", "floatingIps"].map((k) => [k, []])) } as unknown as World));
    expect(cloud.leaks()).toEqual([]);
  });

  it("fails the layers that are broken and points at the lowest one first", async () => {
    cloud = new FakeCloud();
    cloud.readyVault();
    cloud.change((w) => {
      endpoints(w, "glance");
      w.vault.units["vault/0"]!.sealed = true;
      w.ceph.osdmap.num_up_osds = 3;
      w.ceph.health = { status: "HEALTH_WARN", checks: { OSD_DOWN: { severity: "HEALTH_WARN", summary: { message: "1 osds down" } } } };
    });
    const run = await cloud.run(verify, ["--no-smoke"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("[Juju and charms] units active/idle ... FAILED: 1 of");
    expect(run.stdout).toContain("vault/0 blocked/idle (Unit is sealed)");
    expect(run.stdout).toContain("[Ceph] cluster healthy, every OSD up and in ... FAILED: HEALTH_WARN: OSD_DOWN 1 osds down; 3 of 4 OSDs up, 4 in");
    expect(run.stdout).toMatch(/\[OpenStack APIs\] endpoints answer \.\.\. FAILED: 1 of 6 not answering: glance public http:\/\/127\.0\.0\.1:\d+\/broken\/: HTTP 503/);
    expect(run.stdout).toContain("Look first at: Juju and charms (units active/idle:");
    expect(run.stdout).toContain("  where: juju status and juju debug-log --include <unit>\n  next: npm run vault:unseal\n");
    expect(run.stdout).toContain("Also failing, possibly as a consequence: Ceph, OpenStack APIs.");
    expect(cloud.leaks()).toEqual([]);
  });

  it("when no server boots, skips the rest of the smoke test and still removes the server in ERROR", async () => {
    cloud = new FakeCloud();
    cloud.readyVault();
    cloud.change((w) => {
      endpoints(w);
      w.openstack.bootFails = true;
    });
    const run = await cloud.run(verify, []);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/\[OpenStack APIs\] server boots from ubuntu-22\.04 \(m1\.small\) \.\.\. FAILED: openstack server create: Error creating server: verify-\S+-server/);
    expect(run.stdout).toContain("[Tenant networking (Neutron, OVN)] floating IP from the site's pool ... skipped: an earlier smoke-test step failed");
    expect(run.stdout).toContain("smoke-test resources removed ... ok: removed 7 resources");
    expect(run.stdout).toContain("Look first at: OpenStack APIs (server boots from ubuntu-22.04");
    expect((cloud.world().openstack.servers as unknown[]).length).toBe(0);
  });

  it("a floating IP outside the site's pool and an unreachable server are tenant-networking failures", async () => {
    cloud = new FakeCloud();
    cloud.readyVault();
    cloud.change((w) => {
      endpoints(w);
      w.openstack.floatingPool = { start: "198.51.100.10", end: "198.51.100.20" };
    });
    const outside = await cloud.run(verify, []);
    expect(outside.code).toBe(1);
    expect(outside.stdout).toContain("FAILED: 198.51.100.10 is outside the site's floating pool 203.0.113.100-203.0.113.199");
    expect(outside.stdout).toContain("Look first at: Tenant networking (Neutron, OVN)");

    cloud.change((w) => {
      w.openstack.floatingPool = { start: "203.0.113.150", end: "203.0.113.199" };
      w.openstack.dropTraffic = true;
    });
    const unreachable = await cloud.run(verify, ["--reach-timeout", "1"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stdout).toMatch(/server answers ping on its floating IP \.\.\. FAILED: no reply from 203\.0\.113\.15\d in 1 s/);
    expect(unreachable.stdout).toContain("smoke-test resources removed ... ok: removed 8 resources");
    expect(cloud.leaks()).toEqual([]);
  });

  it("refuses bad input with the reason and exit 2, before calling anything", async () => {
    cloud = new FakeCloud();
    expect(await cloud.run(verify, ["--interfaces", "public,outside"])).toMatchObject({ code: 2, stderr: "verify: --interfaces takes public, internal, admin (comma-separated), got public,outside\n" });
    const site = JSON.parse(fs.readFileSync(cloud.siteFile, "utf8"));
    fs.writeFileSync(cloud.siteFile, JSON.stringify({ ...site, openstack: { ...site.openstack, release: "2023.1" } }));
    const run = await cloud.run(verify, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^verify: .*1 problem in the site file; nothing was done\.\n  - openstack\.release: "2023\.1" is not in the charm catalog/);
    expect(run.stderr).not.toContain("    at ");
    expect(cloud.calls()).toEqual([]);
  });

  it("without a reachable controller, says so and skips every layer that needs it", async () => {
    cloud = new FakeCloud();
    cloud.change((w) => (w.juju.model = "other-controller:openstack"));
    const run = await cloud.run(verify, []);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("[Juju and charms] juju status from the controller ... FAILED: juju status -m maas-controller:openstack failed: ERROR model maas-controller:openstack not found; check that this machine is logged in");
    expect(run.stdout).toContain("[Ceph] health ... skipped: needs juju status");
    expect(run.stdout).toContain("1 of 6 checks failed, 5 skipped.");
  });
});
