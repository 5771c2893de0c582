/** The plan report tells the operator what to do first where MAAS or Terraform would refuse the change as planned. */
import { renderPlanReport } from "../../tools/reports/render-plan";
import { summarizePlan } from "../../tools/reports/summarize";
import type { Plan } from "../../tools/reports/plan-json";

function planOf(changes: object[]): Plan {
  return { format_version: "1.2", terraform_version: "1.11.4", resource_changes: changes, output_changes: {} } as unknown as Plan;
}

const machine = "maas_machine.worker-worker-1_machine_D09E44C4";
const nic = "maas_network_interface_physical.worker-worker-1_eno1_C26CB8D3";

describe("operator hints in the plan report", () => {
  const md = renderPlanReport(
    [
      summarizePlan(
        "substrate",
        planOf([
          {
            address: machine, mode: "managed", type: "maas_machine", name: "worker-worker-1_machine_D09E44C4",
            action_reason: "replace_because_tainted",
            change: { actions: ["delete", "create"], before: { hostname: "worker-1" }, after: { hostname: "worker-1" }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
          },
          {
            address: nic, mode: "managed", type: "maas_network_interface_physical", name: "worker-worker-1_eno1_C26CB8D3",
            change: { actions: ["update"], before: { mtu: 1500 }, after: { mtu: 9000 }, after_unknown: {}, before_sensitive: {}, after_sensitive: {} },
          },
        ]),
      ),
    ],
    { markerKey: "test" },
  );

  it("a tainted machine: says why, and gives the untaint command for its stack folder", () => {
    expect(md).toContain("so Terraform marked it tainted, and prevent\\_destroy blocks the replacement");
    expect(md).toContain("keep it, in cdktf.out/stacks/substrate: <code>terraform untaint 'maas_machine.worker-worker-1_machine_D09E44C4'</code>");
  });

  it("a NIC change on a worker: says MAAS needs the machine released first", () => {
    expect(md).toContain("release worker-1 in MAAS first (its Juju units go with it), apply, then let Juju deploy it again");
  });
});
