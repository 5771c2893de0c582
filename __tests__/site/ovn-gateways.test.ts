/** openstack.ovn.gateways: the default choice, its stability as a site grows, and one test per bad list. */
import { defaultGateways, SiteError } from "../../constructs/site";
import { generatedSite, siteWith, type SiteData } from "../helpers/sites";

function problemsOf(edit: (site: SiteData) => void): string[] {
  try {
    siteWith(edit);
  } catch (err) {
    if (err instanceof SiteError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  throw new Error("expected the site to be rejected");
}

const compute = (hostname: string, zone: string) => ({ hostname, zone, roles: ["compute"], nics: [{ segment: "external" }] });

describe("the default gateways", () => {
  it("are both compute workers of the default site", () => {
    expect(siteWith(() => {}).openstack.ovn.gateways).toEqual(["worker-1", "worker-2"]);
  });

  it("are the first compute worker of each of the generated site's 3 zones", () => {
    expect(generatedSite({ workers: 50, zones: 3 }).openstack.ovn.gateways).toEqual(["worker-1", "worker-2", "worker-3"]);
    // In 4 zones zone-4's first compute worker is worker-8 (worker-4 is storage only); its zone comes fourth, past the 3.
    expect(generatedSite({ workers: 50, zones: 4 }).openstack.ovn.gateways).toEqual(["worker-1", "worker-2", "worker-3"]);
  });

  it("spread over zones first, then take the next hostnames, in natural order", () => {
    const workers = [compute("w-10", "a"), compute("w-2", "a"), compute("w-3", "a"), compute("w-9", "b")];
    expect(defaultGateways(workers, "external")).toEqual(["w-2", "w-9", "w-3"]);
  });

  it("skip compute workers without a NIC on the external network's segment, and other roles", () => {
    const workers = [
      { hostname: "w-1", zone: "a", roles: ["compute"], nics: [{ segment: "management" }] },
      { hostname: "w-2", zone: "a", roles: ["storage"], nics: [{ segment: "external" }] },
      compute("w-3", "b"),
    ];
    expect(defaultGateways(workers, "external")).toEqual(["w-3"]);
  });

  it("stay put when a worker is added after the others, in its zone or in a new one once 3 zones have one", () => {
    const before = [compute("w-1", "a"), compute("w-2", "b"), compute("w-3", "a"), compute("w-4", "c")];
    const gateways = defaultGateways(before, "external");
    expect(gateways).toEqual(["w-1", "w-2", "w-4"]);
    for (const zone of ["a", "b", "c", "d", "0-sorts-first"]) {
      expect([zone, defaultGateways([...before, compute("w-5", zone)], "external")]).toEqual([zone, gateways]);
    }
    expect(generatedSite({ workers: 51, zones: 3 }).openstack.ovn.gateways).toEqual(["worker-1", "worker-2", "worker-3"]);
  });

  it("grow with the first workers, and move only to reach a new zone while fewer than 3 zones have one", () => {
    const a = [compute("w-1", "a")];
    expect(defaultGateways(a, "external")).toEqual(["w-1"]);
    const aa = [...a, compute("w-2", "a")];
    expect(defaultGateways(aa, "external")).toEqual(["w-1", "w-2"]);
    const aaa = [...aa, compute("w-3", "a")];
    expect(defaultGateways(aaa, "external")).toEqual(["w-1", "w-2", "w-3"]);
    // A fourth worker in a second zone takes the place of the last one that shared zone a.
    expect(defaultGateways([...aaa, compute("w-4", "b")], "external")).toEqual(["w-1", "w-4", "w-2"]);
  });
});

describe("listed gateways", () => {
  it("are taken as listed, and other compute workers need no external NIC", () => {
    const site = siteWith((s) => {
      s.openstack.ovn = { gateways: ["worker-1"] };
      s.workers[1].nics = s.workers[1].nics.filter((n: { segment: string }) => n.segment !== "external");
    });
    expect(site.openstack.ovn).toEqual({ bridge: "br-ex", physnet: "physnet1", gateways: ["worker-1"] });
  });

  it("leave a default choice possible when a compute worker has no external NIC", () => {
    const site = siteWith((s) => (s.workers[1].nics = s.workers[1].nics.filter((n: { segment: string }) => n.segment !== "external")));
    expect(site.openstack.ovn.gateways).toEqual(["worker-1"]);
  });

  it.each<[string, (s: SiteData) => void, string[]]>([
    [
      "an empty list",
      (s) => (s.openstack.ovn = { gateways: [] }),
      ["openstack.ovn.gateways: an empty list leaves the cloud without a gateway; list at least one compute worker, or leave gateways out for the default"],
    ],
    [
      "an unknown hostname",
      (s) => (s.openstack.ovn = { gateways: ["worker-1", "worker-3"] }),
      ['openstack.ovn.gateways[1]: no worker named "worker-3" (did you mean worker-1, worker-2?); gateways are hostnames from workers[] with the compute role'],
    ],
    [
      "a worker without the compute role",
      (s) => {
        s.workers[1].roles = ["storage"];
        s.openstack.ovn = { gateways: ["worker-2"] };
      },
      ["openstack.ovn.gateways[0]: worker-2 has no compute role (roles: storage); a gateway is an ovn-chassis unit, which runs beside nova-compute on compute workers only: give it the compute role or list a compute worker"],
    ],
    [
      "a worker with no NIC on the external network's segment",
      (s) => {
        s.workers[1].nics.pop();
        s.openstack.ovn = { gateways: ["worker-1", "worker-2"] };
      },
      ['openstack.ovn.gateways[1]: worker-2 has no NIC on "external", the external network\'s segment, so OVN has nothing to bridge into br-ex there; cable one to it or list another compute worker'],
    ],
    [
      "a worker listed twice",
      (s) => (s.openstack.ovn = { gateways: ["worker-2", "worker-1", "worker-2"] }),
      ["openstack.ovn.gateways[2]: worker-2 is listed twice; list each gateway once"],
    ],
    [
      "distributed floating IPs with a compute worker that is not a gateway",
      (s) => {
        s.openstack.ovn = { gateways: ["worker-1"] };
        s.openstack.config = { "neutron-api-plugin-ovn": { "enable-distributed-floating-ip": true } };
      },
      ["openstack.ovn.gateways: openstack.config.neutron-api-plugin-ovn.enable-distributed-floating-ip NATs floating IPs on each instance's own chassis, which needs the provider bridge on every compute worker, but worker-2 is not a gateway; list every compute worker in openstack.ovn.gateways, or leave distributed floating IPs off"],
    ],
  ])("reject %s with the field, the problem and the fix", (_, edit, expected) => {
    expect(problemsOf(edit)).toEqual(expected);
  });
});
