/**
 * Site rules for what MAAS's rack controller can serve: refused before anything is synthesized, because the
 * twin (and real MAAS) would refuse the DHCP, or the adopted networks would not line up, at apply.
 */
import { siteProblems } from "../helpers/sites";


describe("the rack controller and DHCP", () => {
  it("accepts the default site: every DHCP segment is on the controller through a tagged NIC", () => {
    expect(siteProblems(() => undefined)).toEqual([]);
  });

  it("refuses an untagged controller NIC on a DHCP segment: MAAS would see it on VID 0", () => {
    expect(siteProblems((s) => (s.controller.nics[0].tagged = false))).toEqual([
      'controller.nics[0].tagged: eno1 is untagged, so MAAS puts it on VID 0 and its rack cannot serve DHCP on VLAN 20 of "management"; carry that VLAN tagged to the controller (a sub-interface eno1.20 in the segment\'s bridge) and set tagged: true, or set dhcp: false on the segment',
    ]);
  });

  it("accepts an untagged NIC where MAAS serves no DHCP", () => {
    expect(siteProblems((s) => (s.controller.nics[2].tagged = false))).toEqual([]);
  });

  it("refuses a DHCP segment the controller cannot serve, directly or through a relay", () => {
    const problems = siteProblems((s) => {
      const bmc = s.segments.find((g: { name: string }) => g.name === "bmc");
      bmc.dhcp = true;
      bmc.dynamic = [{ start: "10.10.0.200", end: "10.10.0.220" }];
      s.controller.nics = s.controller.nics.filter((n: { segment: string }) => n.segment !== "bmc");
    });
    expect(problems).toContain(
      'segments[0].dhcp: DHCP is on for "bmc" but the controller is not cabled to it nor to any bmc segment with DHCP that a relay could point at; give the controller a NIC on it, or set dhcp: false',
    );
  });

  it("accepts a remote rack's management segment: its DHCP is relayed to the controller's", () => {
    expect(siteProblems((s) => {
      s.segments.push({ name: "management-r2", purpose: "management", fabric: "rack2", vlan: 20, cidr: "10.20.2.0/24", space: "management", dynamic: [{ start: "10.20.2.200", end: "10.20.2.250" }] });
    })).toEqual([]);
  });

  it("refuses two segments of one fabric reaching the controller through different NICs", () => {
    expect(siteProblems((s) => (s.segments.find((g: { name: string }) => g.name === "bmc").fabric = "management"))).toContain(
      'segments[0].fabric: "bmc" and "management" share fabric "management" but reach the controller through different NICs (eno3, eno1); MAAS puts each controller NIC on a fabric of its own, so give them different fabrics',
    );
  });
});

describe("workers PXE boot where MAAS serves DHCP", () => {
  it("refuses a management segment without DHCP that workers PXE boot on, once, naming the segment", () => {
    const problems = siteProblems((s) => (s.segments.find((g: { name: string }) => g.name === "management").dhcp = false));
    expect(problems).toEqual([
      'segments[1].dhcp: worker-1, worker-2 PXE boot on "management", which has dhcp: false; MAAS commissions a machine only where it serves DHCP, so turn DHCP on there (with a dynamic range)',
    ]);
  });
});
