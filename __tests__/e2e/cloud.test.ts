/**
 * The cloud stack with real terraform against the simulated OpenStack provider, on the default site with a
 * member in the demo project: the plan (the external network with the site's floating pool as its allocation
 * pool, every create the site model implies, in the plan report's Cloud layer), apply, an empty re-plan, a
 * flavor changed behind Terraform's back (drift), and a project removed from the site (the removal guard).
 */
import { createBench, countActions, type Bench, type TfPlanJson } from "../../tools/testbench";
import { expectedCreates, siteModel } from "../../tools/testbench/scenarios";
import { parsePlan } from "../../tools/reports/plan-json";
import { renderDriftReport } from "../../tools/reports/render-drift";
import { renderPlanReport } from "../../tools/reports/render-plan";
import { summarizePlan } from "../../tools/reports/summarize";
import { STACK_ENV, appScript, leakedSecrets, loopbackSite, showJsonLeaks, startFakeMaas, synth, tempDir, type FakeMaas, type SiteData, type Synth } from "./harness";

const withMember = (s: SiteData) => (s.cloud.projects[0].members = ["alice"]);
const o = { env: STACK_ENV };

let bench: Bench;
let maas: FakeMaas;
let work: string;
let s: Synth;
let site: SiteData;
let first: { code: number; plan: TfPlanJson };
let outputs: string[];
beforeAll(async () => {
  bench = createBench();
  maas = await startFakeMaas();
  // What Keystone already has: the charm's member role and the site's user.
  bench.world.put("openstack", "openstack_identity_role_v3", "role-member", { id: "role-member", name: "member" });
  bench.world.put("openstack", "openstack_identity_user_v3", "user-alice", { id: "user-alice", name: "alice", enabled: true });
  work = tempDir("cloud");
  site = loopbackSite(maas.port, withMember);
  s = synth(appScript(), work, site);
  outputs = [(await bench.init(s.dir("cloud"))).stdout];
  first = await bench.plan(s.dir("cloud"), ["-detailed-exitcode"], o);
}, 60_000);
afterAll(async () => {
  bench?.dispose();
  await maas?.close();
});

const planned = (plan: TfPlanJson, type: string, name: string) =>
  plan.resource_changes!.find((r) => r.type === type && (r.change.after as { name?: string } | null)?.name === name)!;

it("plans the external network on the physnet with the floating range as its allocation pool, and no DHCP", () => {
  expect(first.code).toBe(2);
  const net = planned(first.plan, "openstack_networking_network_v2", "external").change.after as Record<string, unknown>;
  expect(net).toMatchObject({ external: true, segments: [{ physical_network: "physnet1", network_type: "flat" }] });
  const subnet = planned(first.plan, "openstack_networking_subnet_v2", "external-subnet").change.after as Record<string, unknown>;
  expect(subnet).toMatchObject({
    cidr: "203.0.113.0/24",
    gateway_ip: "203.0.113.1",
    enable_dhcp: false,
    allocation_pool: [{ start: "203.0.113.100", end: "203.0.113.199" }],
  });
});

it("creates exactly what the site model implies (the member and the role are read from Keystone)", () => {
  const expected = expectedCreates(siteModel(site)).cloud;
  expect(expected).toBe(21); // the default site's 20 and alice's role assignment
  expect(countActions(first.plan)).toEqual({ create: expected });
  expect(showJsonLeaks(first.plan)).toEqual([]);
});

it("the plan report counts the new resources in the operator's Cloud layer", () => {
  const plan = parsePlan(JSON.stringify(first.plan), "cloud");
  const md = renderPlanReport([summarizePlan("cloud", plan)]);
  const cloudTypes = plan.resource_changes.filter((r) => r.mode === "managed" && r.type.startsWith("openstack_")).length;
  expect(cloudTypes).toBe(19);
  expect(md).toContain(`| Cloud: networks, flavors, images, projects | ${cloudTypes} | 0 | 0 | 0 |`);
  // The image's verify step and the removal guard are terraform_data.
  expect(md).toContain("| Other | 2 | 0 | 0 | 0 |");
  expect(md).toContain("**No dangerous changes**");
});

it("applies (the image's checksum verified first), then plans nothing", async () => {
  const apply = await bench.apply(s.dir("cloud"), [], o);
  outputs.push(apply.stdout, apply.stderr);
  expect(apply.stdout).toContain("image ubuntu-22.04:");
  expect(apply.stdout).toContain("has the SHA-256 the site file gives");
  expect(Object.values(bench.world.objects("openstack", "openstack_identity_role_assignment_v3"))).toMatchObject([
    { user_id: "user-alice", role_id: "role-member" },
  ]);
  const second = await bench.plan(s.dir("cloud"), ["-detailed-exitcode"], o);
  expect(second.code).toBe(0);
  expect(countActions(second.plan)).toEqual({ "no-op": 21 });
  outputs.push(second.result.stdout, second.result.stderr);
  expect(outputs.flatMap(leakedSecrets)).toEqual([]);
});

it("a flavor changed behind Terraform's back shows as drift, and the next plan replaces it (Nova flavors are immutable)", async () => {
  const [id] = Object.entries(bench.world.objects("openstack", "openstack_compute_flavor_v2")).find(([, f]) => f.name === "m1.small")!;
  bench.world.patch("openstack", "openstack_compute_flavor_v2", id, { ram: 4096 });

  const refresh = await bench.plan(s.dir("cloud"), ["-refresh-only", "-detailed-exitcode"], o);
  expect(refresh.code).toBe(2);
  const drift = refresh.plan.resource_drift!;
  expect(drift.map((r) => [r.type, r.change.actions])).toEqual([["openstack_compute_flavor_v2", ["update"]]]);
  expect(drift[0]!.change.before).toMatchObject({ name: "m1.small", ram: 2048 });
  expect(drift[0]!.change.after).toMatchObject({ name: "m1.small", ram: 4096 });
  const report = renderDriftReport("cloud", parsePlan(JSON.stringify(refresh.plan), "cloud"));
  expect(report.drifted).toBe(true);
  expect(report.markdown).toContain(`#### <code>${drift[0]!.address}</code>: changed outside Terraform`);
  expect(report.markdown).toContain("| <code>ram</code> | <code>2048</code> | <code>4096</code> |");

  const plan = await bench.plan(s.dir("cloud"), [], o);
  const flavor = plan.plan.resource_changes!.find((r) => r.address === drift[0]!.address)!;
  expect(flavor.change.actions).toEqual(["delete", "create"]);
  expect(countActions(plan.plan)).toMatchObject({ replace: 1 });
});

it("removing the demo project from the site fails the plan until SITE_ALLOW_DESTROY names it", async () => {
  const removed = loopbackSite(maas.port, (d) => (d.cloud.projects = []));
  const blocked = synth(appScript(), work, removed);
  const r = await bench.tf(blocked.dir("cloud"), ["plan", "-input=false"], o);
  expect(r.code).toBe(1);
  expect(r.stderr.replace(/\s+/g, " ")).toContain("These tenant projects were removed from the site but still own stateful objects in this stack: project/demo.");

  const allowed = synth(appScript(), work, removed, { SITE_ALLOW_DESTROY: "project/demo" });
  const plan = await bench.plan(allowed.dir("cloud"), [], o);
  const deleted = plan.plan.resource_changes!.filter((rc) => rc.change.actions.includes("delete") && !rc.change.actions.includes("create"));
  expect(deleted.map((rc) => rc.type).sort()).toEqual([
    "openstack_blockstorage_quotaset_v3",
    "openstack_compute_quotaset_v2",
    "openstack_identity_project_v3",
    "openstack_identity_role_assignment_v3",
    "openstack_networking_network_v2",
    "openstack_networking_quota_v2",
    "openstack_networking_router_interface_v2",
    "openstack_networking_router_v2",
    "openstack_networking_secgroup_rule_v2",
    "openstack_networking_secgroup_rule_v2",
    "openstack_networking_secgroup_v2",
    "openstack_networking_subnet_v2",
  ]);
});
