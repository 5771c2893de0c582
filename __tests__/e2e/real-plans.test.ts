/**
 * Real plans on our stacks (tools/testbench/scenarios.ts realPlans(): one apply of the default site, then each
 * scenario as a site variant or a change of the simulated world): site changes, drift, and the plans the reports use.
 */
import { countActions } from "../../tools/testbench";
import { realPlans, type PlanJson, type RealPlans } from "../../tools/testbench/scenarios";
import { addressesByAction, showJsonLeaks } from "./harness";

let plans: RealPlans;
beforeAll(async () => {
  plans = await realPlans();
}, 90_000);

const changed = (p: PlanJson) => {
  const a = addressesByAction(p);
  delete a["no-op"];
  return a;
};
const sensitiveMask = (rc: { change: unknown }) => (rc.change as { after_sensitive?: Record<string, unknown> }).after_sensitive;
const GUARD = "terraform_data.removal-guard_check_822FE613";

describe("fresh and unchanged", () => {
  it("creates the whole substrate (37, and adopts the 9 objects MAAS discovered) and openstack (131) stacks", () => {
    expect(countActions(plans.creates)).toEqual({ create: 37, update: 9 });
    expect(countActions(plans.createsOpenstack)).toEqual({ create: 131 });
  });

  it("after apply the same site plans nothing (-detailed-exitcode 0)", () => {
    expect(plans.exitCodes.noChanges).toBe(0);
    expect(countActions(plans.noChanges)).toEqual({ "no-op": 46 });
  });
});

describe("site changes", () => {
  it("adding worker-3 only creates its objects; tags, applications and the guard's host list update in place", () => {
    expect(changed(plans.addWorker.substrate)).toEqual({
      create: [
        "maas_machine.worker-worker-3_machine_70B75884",
        "maas_network_interface_link.worker-worker-3_eno1-link_A22CAD6D",
        "maas_network_interface_link.worker-worker-3_eno2-link_DBAFBB2B",
        "maas_network_interface_physical.worker-worker-3_eno1_8E37FC6F",
        "maas_network_interface_physical.worker-worker-3_eno2_11728041",
        "terraform_data.worker-worker-3_hardware_B586F9A5",
      ],
      update: ["maas_tag.tag-compute", "maas_tag.tag-storage", GUARD],
    });
    const os = changed(plans.addWorker.openstack);
    expect(os.create).toEqual(["juju_machine.worker-3_machine_441B5594", "terraform_data.worker-3_hardware_361EABE9"]);
    expect(Object.keys(os).sort()).toEqual(["create", "update"]);
    // Units on the new machine (ceph-osd, nova-compute) and charm config that follows the cluster size.
    expect(os.update).toEqual(
      expect.arrayContaining(["juju_application.ceph-osd_application_2A23AA2C", "juju_application.nova-compute_application_EC860952", GUARD]),
    );
    expect(os.update!.every((a) => a.startsWith("juju_application.") || a === GUARD)).toBe(true);
  });

  it("a new PXE MAC on worker-1 is blocked by prevent_destroy unless SITE_ALLOW_DESTROY=worker-1", () => {
    expect(plans.replaceBlocked.code).toBe(1);
    expect(plans.replaceBlocked.stderr).toContain("Instance cannot be destroyed");
    expect(plans.replaceBlocked.stderr).toContain("maas_machine.worker-worker-1_machine_D09E44C4");
  });

  it("allowed, the new PXE MAC replaces worker-1's machine and what hangs off it, and nothing else", () => {
    expect(changed(plans.replaceWorker)).toEqual({
      replace: [
        "maas_machine.worker-worker-1_machine_D09E44C4",
        "maas_network_interface_link.worker-worker-1_eno1-link_6C1BEFD0",
        "maas_network_interface_link.worker-worker-1_eno2-link_CAFC4DE7",
        "maas_network_interface_physical.worker-worker-1_eno1_C26CB8D3",
        "maas_network_interface_physical.worker-worker-1_eno2_D8EB1463",
      ],
      // The hardware record that triggers the replacement, and the tags listing the machine's new id.
      update: ["maas_tag.tag-compute", "maas_tag.tag-storage", "terraform_data.worker-worker-1_hardware_C18CA251"],
    });
    const machine = plans.replaceWorker.resource_changes!.find((r) => r.type === "maas_machine" && r.change.actions.length === 2)!;
    expect(machine.action_reason).toBe("replace_by_triggers");
    // Juju must acquire the re-enlisted node afresh: its machine is replaced and the units on it move over.
    expect(changed(plans.replaceWorkerOpenstack)).toEqual({
      replace: ["juju_machine.worker-1_machine_8587BDEE"],
      update: ["juju_application.ceph-osd_application_2A23AA2C", "juju_application.nova-compute_application_EC860952", "terraform_data.worker-1_hardware_A2A0D0AA"],
    });
  });

  it("removing worker-2 fails both plans with the removal guard's message", () => {
    for (const r of Object.values(plans.removalBlocked)) {
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Resource precondition failed");
      expect(r.stderr.replace(/\s+/g, " ")).toContain(
        "These hosts were removed from the site but still own stateful objects in this stack: worker-2.",
      );
    }
  });

  it("with SITE_ALLOW_DESTROY=worker-2 only worker-2's objects are deleted; its units leave the applications", () => {
    expect(changed(plans.deleteStatefulSubstrate)).toEqual({
      delete: [
        "maas_machine.worker-worker-2_machine_99CE65E4",
        "maas_network_interface_link.worker-worker-2_eno1-link_33B97607",
        "maas_network_interface_link.worker-worker-2_eno2-link_6E2A322E",
        "maas_network_interface_physical.worker-worker-2_eno1_78BF7CC0",
        "maas_network_interface_physical.worker-worker-2_eno2_DF9DCB94",
        "terraform_data.worker-worker-2_hardware_08447F87",
      ],
      update: ["maas_tag.tag-compute", "maas_tag.tag-storage", GUARD],
    });
    const os = changed(plans.deleteStateful);
    expect(os.delete).toEqual(["juju_machine.worker-2_machine_77976843", "terraform_data.worker-2_hardware_198CB608"]);
    expect(Object.keys(os).sort()).toEqual(["delete", "update"]);
    const osd = plans.deleteStateful.resource_changes!.find((r) => r.address.startsWith("juju_application.ceph-osd_"))!;
    expect(osd.change.actions).toEqual(["update"]);
    expect((osd.change.before as { machines: string[] }).machines).toHaveLength(2);
    expect((osd.change.after as { machines: string[] }).machines).toHaveLength(1);
  });
});

describe("drift", () => {
  it("refresh-only exits 2 and names the changed machine and the deleted tag; the sensitive attribute stays masked", () => {
    expect(plans.exitCodes.drift).toBe(2);
    const drift = Object.fromEntries((plans.drift.resource_drift ?? []).map((r) => [r.address, r.change.actions.join("+")]));
    expect(drift).toEqual({ "maas_machine.worker-worker-1_machine_D09E44C4": "update", "maas_tag.tag-storage": "delete" });
    expect(sensitiveMask(plans.drift.resource_drift!.find((r) => r.type === "maas_machine")!)?.power_parameters).toBe(true);
  });
});

it("no plan shows a secret outside values Terraform marks sensitive", () => {
  const all = [
    plans.creates, plans.createsOpenstack, plans.update, plans.replaceWorker, plans.replaceWorkerOpenstack, plans.deleteStateful,
    plans.deleteStatefulSubstrate, plans.drift, plans.noChanges, plans.addWorker.substrate, plans.addWorker.openstack,
  ];
  for (const p of all) expect(showJsonLeaks(p)).toEqual([]);
  const machine = plans.creates.resource_changes!.find((r) => r.type === "maas_machine")!;
  expect(sensitiveMask(machine)?.power_parameters).toBe(true);
  expect(JSON.stringify(machine.change.after)).toContain("e2e-ipmi-password-7d1f"); // the masking above had something to mask
  for (const r of [...Object.values(plans.removalBlocked), plans.replaceBlocked]) expect(showJsonLeaks({ format_version: "", text: r.stderr })).toEqual([]);
});
