import { loadSite } from "../../constructs/site";
import { applicationCharms } from "../../constructs/openstack/applications";
import { CATALOG } from "../../constructs/openstack/catalog";
import { checkedRelation, DROPPED_REFERENCE_RELATIONS, effectiveBindings, planDeployment, quorumWarnings, type ApplicationPlan, type Deployment, type MachinePlan } from "../../constructs/openstack/deployment";
import { siteWith } from "../helpers/sites";

const site = loadSite({ site: "default" });
const plan = planDeployment(site);
const machine = (p: Deployment, name: string): MachinePlan => p.machines.find((m) => m.name === name)!;
const app = (p: Deployment, name: string): ApplicationPlan => {
  const found = p.applications.find((a) => a.name === name);
  if (!found) throw new Error(`no application ${name}`);
  return found;
};
const relationKey = (a: string, b: string) => [a, b].sort().join(" ");

describe("planDeployment on the default site", () => {
  test("deploys every application of the cloud with its charm, channel, base and units", () => {
    const table = plan.applications.map((a) => [a.name, a.charm, a.channel, a.base, a.units]);
    expect(table).toEqual(
      expect.arrayContaining([
        ["nova-compute", "nova-compute", "2024.1/stable", "ubuntu@22.04", 2],
        ["ovn-chassis", "ovn-chassis", "24.03/stable", "ubuntu@22.04", 0],
        ["ceph-osd", "ceph-osd", "squid/stable", "ubuntu@22.04", 2],
        ["ceph-mon", "ceph-mon", "squid/stable", "ubuntu@22.04", 3],
        ["ovn-central", "ovn-central", "24.03/stable", "ubuntu@22.04", 3],
        ["mysql-innodb-cluster", "mysql-innodb-cluster", "8.0/stable", "ubuntu@22.04", 3],
        ["keystone", "keystone", "2024.1/stable", "ubuntu@22.04", 1],
        ["glance", "glance", "2024.1/stable", "ubuntu@22.04", 1],
        ["nova-cloud-controller", "nova-cloud-controller", "2024.1/stable", "ubuntu@22.04", 1],
        ["placement", "placement", "2024.1/stable", "ubuntu@22.04", 1],
        ["neutron-api", "neutron-api", "2024.1/stable", "ubuntu@22.04", 1],
        ["neutron-api-plugin-ovn", "neutron-api-plugin-ovn", "2024.1/stable", "ubuntu@22.04", 0],
        ["cinder", "cinder", "2024.1/stable", "ubuntu@22.04", 1],
        ["cinder-ceph", "cinder-ceph", "2024.1/stable", "ubuntu@22.04", 0],
        ["openstack-dashboard", "openstack-dashboard", "2024.1/stable", "ubuntu@22.04", 1],
        ["ceph-radosgw", "ceph-radosgw", "squid/stable", "ubuntu@22.04", 1],
        ["rabbitmq-server", "rabbitmq-server", "3.9/stable", "ubuntu@22.04", 1],
        ["vault", "vault", "1.8/stable", "ubuntu@22.04", 1],
      ]),
    );
    const routers = plan.applications.filter((a) => a.charm === "mysql-router").map((a) => a.name).sort();
    expect(routers).toEqual(
      ["cinder", "dashboard", "glance", "keystone", "neutron", "nova", "placement", "vault"].map((n) => `${n}-mysql-router`),
    );
    expect(plan.applications).toHaveLength(26);
    expect(plan.applications.filter((a) => a.subordinate).map((a) => a.units)).toEqual(Array(11).fill(0));
  });

  test("puts nova-compute and ceph-osd on the workers and the API services in containers on the control-plane VMs", () => {
    const machine = new Map(plan.machines.map((m) => [m.name, m]));
    expect(app(plan, "nova-compute").machines).toEqual(["worker-1", "worker-2"]);
    expect(app(plan, "ceph-osd").machines).toEqual(["worker-1", "worker-2"]);
    expect(plan.machines.filter((m) => m.kind === "worker").map((m) => [m.name, m.hostname])).toEqual([
      ["worker-1", "worker-1"],
      ["worker-2", "worker-2"],
    ]);
    expect(plan.machines.filter((m) => m.kind === "control-plane").map((m) => m.hostname)).toEqual(["control-1", "control-2", "control-3"]);
    expect(plan.machines.some((m) => m.hostname === "juju-controller")).toBe(false);

    for (const a of plan.applications.filter((x) => !x.subordinate && !["nova-compute", "ceph-osd"].includes(x.name))) {
      for (const key of a.machines) {
        const m = machine.get(key)!;
        expect([a.name, m.kind]).toEqual([a.name, "container"]);
        expect(machine.get(m.parent!)!.kind).toBe("control-plane");
      }
    }
    for (const name of ["ceph-mon", "ovn-central", "mysql-innodb-cluster"]) {
      expect(app(plan, name).machines.map((k) => machine.get(k)!.parent)).toEqual(["control-1", "control-2", "control-3"]);
    }
    // One unit per container: no two units share one.
    const used = plan.applications.flatMap((a) => a.machines).filter((k) => machine.get(k)!.kind === "container");
    expect(new Set(used).size).toBe(used.length);
    expect(used).toHaveLength(plan.machines.filter((m) => m.kind === "container").length);
  });

  test("integrates every reference-bundle relation with explicit endpoints, except the documented drops", () => {
    const expected = CATALOG.reference.relations.filter(([a, b]) => !(`${a} ${b}` in DROPPED_REFERENCE_RELATIONS)).map(([a, b]) => relationKey(a, b));
    const actual = plan.relations.map((r) => relationKey(`${r.a.app}:${r.a.endpoint}`, `${r.b.app}:${r.b.endpoint}`));
    expect(actual.sort()).toEqual(expected.sort());
    expect(CATALOG.reference.relations).toHaveLength(59);
    expect(plan.relations).toHaveLength(58);
    expect(Object.keys(DROPPED_REFERENCE_RELATIONS)).toEqual(["ntp:juju-info nova-compute:juju-info"]);
    const ovn = plan.relations.find((r) => r.a.app === "ovn-chassis" && r.b.app === "nova-compute")!;
    expect(ovn).toEqual({ a: { app: "ovn-chassis", endpoint: "nova-compute" }, b: { app: "nova-compute", endpoint: "neutron-plugin" }, interface: "neutron-plugin" });
  });

  test("sets the cloud archive origin, Ceph sizing and OVN mappings from the site", () => {
    expect(app(plan, "keystone").config["openstack-origin"]).toBe("cloud:jammy-caracal");
    expect(app(plan, "ceph-mon").config).toMatchObject({ source: "cloud:jammy-caracal", "expected-osd-count": "4", "monitor-count": "3" });
    expect(app(plan, "ceph-osd").config["osd-devices"]).toBe("/dev/sdb /dev/sdc");
    // Two storage workers: replication min(3, 2) on every pool-creating Ceph client.
    for (const name of ["glance", "nova-compute", "cinder-ceph", "ceph-radosgw"]) {
      expect([name, app(plan, name).config["ceph-osd-replication-count"]]).toEqual([name, "2"]);
    }
    expect(app(plan, "ovn-chassis").config).toMatchObject({
      "ovn-bridge-mappings": "physnet1:br-ex",
      "bridge-interface-mappings": "br-ex:3c:ec:ef:10:00:02 br-ex:3c:ec:ef:10:00:12",
    });
    expect(app(plan, "neutron-api").config).toMatchObject({ "flat-network-providers": "physnet1", "neutron-security-groups": "true" });
    expect(plan.model).toEqual({ name: "openstack", cloud: "maas-cloud", credential: "maas-credential", config: { "default-space": "management" } });
  });

  test("binds public API endpoints to the external space; configures only the bindings that differ from the model default", () => {
    // default-space is management: Juju reads management bindings back as nothing, so they are not configured.
    expect(app(plan, "keystone").bindings).toEqual([{ endpoint: "public", space: "external" }]);
    expect(app(plan, "keystone").spaces).toEqual(["management", "external"]);
    expect(app(plan, "openstack-dashboard").bindings).toEqual([{ endpoint: "public", space: "external" }]);
    // ceph-mon's "public" is Ceph's client network, not the external one.
    expect(app(plan, "ceph-mon").bindings).toEqual([]);
    expect(app(plan, "ceph-mon").spaces).toEqual(["management"]);
  });

  test("what is configured is what Juju reads back, whatever the model's default-space", () => {
    expect(effectiveBindings([{ endpoint: "", space: "management" }, { endpoint: "public", space: "external" }], "external")).toEqual([{ endpoint: "", space: "management" }, { endpoint: "public", space: "external" }]);
    expect(effectiveBindings([{ endpoint: "", space: "external" }, { endpoint: "admin", space: "external" }], "management")).toEqual([{ endpoint: "", space: "external" }]);
  });

  test("each container asks for the spaces of its application and of the subordinates that follow it, sorted", () => {
    const containers = plan.machines.filter((m) => m.kind === "container");
    expect(containers.every((m) => m.constraints !== undefined)).toBe(true);
    expect(machine(plan, "keystone-on-control-1").constraints).toBe("spaces=external,management");
    expect(machine(plan, "ceph-mon-on-control-1").constraints).toBe("spaces=management");
    // Workers and VMs are placed by hostname and carry every NIC MAAS gave them.
    expect(plan.machines.filter((m) => m.kind !== "container").every((m) => m.constraints === undefined)).toBe(true);
  });

  test("warns that each quorum sits on the single controller", () => {
    expect(plan.warnings).toEqual(
      ["ceph-mon", "mysql-innodb-cluster", "ovn-central"].map((n) => `all 3 ${n} units run on one physical host (controller); the quorum survives a container or VM failure but not the loss of that host`),
    );
  });
});

describe("relation checks against the charm catalog", () => {
  test("a relation joining different interfaces fails, naming the relation, the endpoints and the interfaces", () => {
    expect(() => checkedRelation("keystone:shared-db", "rabbitmq-server:amqp", plan.applications)).toThrow(
      "relation keystone:shared-db <-> rabbitmq-server:amqp: interfaces differ: keystone:shared-db speaks mysql-shared (requires) but rabbitmq-server:amqp speaks rabbitmq (provides)",
    );
  });

  test("an endpoint the charm does not have fails, listing its endpoints", () => {
    expect(() => checkedRelation("glance:database", "keystone-mysql-router:shared-db", plan.applications)).toThrow(
      /relation glance:database <-> keystone-mysql-router:shared-db: charm glance \(application glance\) has no endpoint "database"; its endpoints are .*shared-db/,
    );
  });

  test("two providers of one interface, or a peer endpoint across applications, fail", () => {
    expect(() => checkedRelation("vault:certificates", "vault:certificates", plan.applications)).toThrow(/both endpoints provide tls-certificates/);
    expect(() => checkedRelation("ceph-mon:mon", "ceph-mon:mon", plan.applications)).toThrow(/ceph-mon:mon is a peer endpoint/);
  });

  test("an unknown application fails", () => {
    expect(() => checkedRelation("swift-proxy:identity-service", "keystone:identity-service", plan.applications)).toThrow(/no application swift-proxy/);
  });
});

describe("quorum rules", () => {
  test("fewer than 3 members and an even ceph-mon count are warned about", () => {
    const shrunk = plan.applications.map((a) =>
      a.name === "ceph-mon" ? { ...a, machines: a.machines.slice(0, 2), units: 2 } : a.name === "mysql-innodb-cluster" ? { ...a, machines: a.machines.slice(0, 1), units: 1 } : a,
    );
    const warnings = quorumWarnings({ machines: plan.machines, applications: shrunk });
    expect(warnings).toContain("ceph-mon has 2 units; a quorum needs at least 3 to survive the loss of one");
    expect(warnings).toContain("ceph-mon has an even number of units (2); an even monitor count tolerates no more failures than one fewer, use an odd count");
    expect(warnings).toContain("mysql-innodb-cluster has 1 unit; a quorum needs at least 3 to survive the loss of one");
  });

  test("members spread over physical hosts are not warned about", () => {
    const spread = plan.machines.map((m) => (m.parent === "control-2" ? { ...m, physicalHost: "rack-2" } : m));
    expect(quorumWarnings({ machines: spread, applications: plan.applications })).toEqual([]);
  });
});

describe("site settings", () => {
  test("openstack.ceph.replicas sets pool replication", () => {
    const p = planDeployment(siteWith((s) => (s.openstack.ceph = { replicas: 1 })));
    expect(app(p, "glance").config["ceph-osd-replication-count"]).toBe("1");
  });

  test("config overrides are merged last (the site checks match them to the catalog first)", () => {
    const p = planDeployment(siteWith((s) => (s.openstack.config = { keystone: { debug: true, "token-expiration": 7200 } })));
    expect(app(p, "keystone").config).toMatchObject({ debug: "true", "token-expiration": "7200", "openstack-origin": "cloud:jammy-caracal" });
  });

  test("channel overrides replace the catalog channel of a charm", () => {
    const p = planDeployment(siteWith((s) => (s.openstack.channels = { vault: "1.8/candidate" })));
    expect(app(p, "vault").channel).toBe("1.8/candidate");
    expect(app(p, "keystone").channel).toBe("2024.1/stable");
  });

  test("plans exactly the applications the site checks validate openstack.config against", () => {
    for (const s of [site, siteWith((d) => (d.workers[1].osdDevices = ["/dev/nvme0n1"]))]) {
      const charms = applicationCharms(s.workers.filter((w) => w.roles.includes("storage")));
      expect(new Map(planDeployment(s).applications.map((a) => [a.name, a.charm]))).toEqual(new Map([...charms].sort()));
    }
  });

  test("workers with different OSD devices get one ceph-osd application per device list, each related to ceph-mon", () => {
    const p = planDeployment(siteWith((s) => (s.workers[1].osdDevices = ["/dev/nvme0n1"])));
    expect(app(p, "ceph-osd")).toMatchObject({ machines: ["worker-1"], config: { "osd-devices": "/dev/sdb /dev/sdc", source: "cloud:jammy-caracal" } });
    expect(app(p, "ceph-osd-nvme0n1")).toMatchObject({ charm: "ceph-osd", machines: ["worker-2"], config: { "osd-devices": "/dev/nvme0n1" } });
    const mons = p.relations.filter((r) => r.b.app === "ceph-mon" && r.b.endpoint === "osd").map((r) => r.a.app);
    expect(mons).toEqual(["ceph-osd", "ceph-osd-nvme0n1"]);
    expect(app(p, "ceph-mon").config["expected-osd-count"]).toBe("3");
    expect(p.warnings.some((w) => w.includes("ceph-osd-nvme0n1 (worker-2)"))).toBe(true);
  });
});

describe("OVN gateways", () => {
  test("the default site's two compute workers are both gateways", () => {
    expect(site.openstack.ovn.gateways).toEqual(["worker-1", "worker-2"]);
    expect(app(plan, "ovn-chassis").config["bridge-interface-mappings"]).toBe("br-ex:3c:ec:ef:10:00:02 br-ex:3c:ec:ef:10:00:12");
  });

  test("every chassis advertises enable-chassis-as-gw, which Caracal's Neutron requires of a gateway", () => {
    expect(app(plan, "ovn-chassis").config["prefer-chassis-as-gw"]).toBe("true");
  });

  test("only the listed gateways' external NICs are mapped; a compute worker without one still runs nova-compute", () => {
    const p = planDeployment(
      siteWith((s) => {
        s.openstack.ovn = { gateways: ["worker-2"] };
        s.workers[0].nics = s.workers[0].nics.filter((n: { segment: string }) => n.segment !== "external");
      }),
    );
    expect(app(p, "ovn-chassis").config["bridge-interface-mappings"]).toBe("br-ex:3c:ec:ef:10:00:12");
    expect(app(p, "nova-compute").machines).toEqual(["worker-1", "worker-2"]);
  });

  test("the mapping follows the site's worker order, not the list's, so reordering the list changes nothing", () => {
    const p = planDeployment(siteWith((s) => (s.openstack.ovn = { gateways: ["worker-2", "worker-1"] })));
    expect(app(p, "ovn-chassis").config).toEqual(app(plan, "ovn-chassis").config);
  });
});

describe("scale", () => {
  const big = planDeployment(loadSite({ site: "scale-50" }));
  const bigSite = loadSite({ site: "scale-50" });

  test("nova-compute, ovn-chassis and ceph-osd follow the workers", () => {
    const compute = bigSite.workers.filter((w) => w.roles.includes("compute")).map((w) => w.hostname);
    const storage = bigSite.workers.filter((w) => w.roles.includes("storage")).map((w) => w.hostname);
    expect(app(big, "nova-compute").machines).toEqual(compute);
    expect(app(big, "ceph-osd").machines).toEqual(storage);
    // Three gateways, the first compute worker of each zone, whatever the number of compute workers.
    expect(bigSite.openstack.ovn.gateways).toEqual(["worker-1", "worker-2", "worker-3"]);
    expect(bigSite.workers.slice(0, 3).map((w) => w.zone)).toEqual(["zone-1", "zone-2", "zone-3"]);
    const externalMac = (hostname: string) => bigSite.workers.find((w) => w.hostname === hostname)!.nics.find((n) => n.segment === "external")!.mac;
    expect(app(big, "ovn-chassis").config["bridge-interface-mappings"]).toBe(["worker-1", "worker-2", "worker-3"].map((h) => `br-ex:${externalMac(h)}`).join(" "));
    expect(big.machines.filter((m) => m.kind === "worker")).toHaveLength(50);
  });

  test("nothing else changes: same applications, charms, channels, bindings, containers and relations", () => {
    // Config keys derived from the workers themselves.
    const workerDerived: Record<string, string[]> = {
      "ovn-chassis": ["bridge-interface-mappings"],
      "ceph-mon": ["expected-osd-count"],
      "ceph-osd": ["osd-devices"],
      glance: ["ceph-osd-replication-count"],
      "nova-compute": ["ceph-osd-replication-count"],
      "cinder-ceph": ["ceph-osd-replication-count"],
      "ceph-radosgw": ["ceph-osd-replication-count"],
    };
    const shape = (p: Deployment) =>
      p.applications.map((a) => {
        const config = { ...a.config };
        for (const key of workerDerived[a.name] ?? []) delete config[key];
        const placedInContainers = a.machines.every((k) => p.machines.find((m) => m.name === k)!.kind === "container");
        return { ...a, config, machines: placedInContainers ? a.machines : "workers", units: placedInContainers ? a.units : "workers" };
      });
    expect(shape(big)).toEqual(shape(plan));
    expect(big.relations).toEqual(plan.relations);
    expect(big.machines.filter((m) => m.kind !== "worker")).toEqual(plan.machines.filter((m) => m.kind !== "worker"));
    // Replication reaches its ceiling of 3 with 50 storage workers (2 on the default site).
    expect(app(big, "glance").config["ceph-osd-replication-count"]).toBe("3");
  });
});

test("a Ceph replica count left to follow the storage workers is a synth warning that says what to run when it changes", () => {
  const derived = planDeployment(siteWith((s) => delete s.openstack.ceph));
  expect(derived.warnings).toContainEqual(expect.stringMatching(/^openstack\.ceph\.replicas is not set, so Ceph pools get 2 replicas from the 2 storage workers; .*juju run ceph-mon\/leader pool-set name=<pool> key=size/));
  expect(planDeployment(siteWith(() => {})).warnings.filter((w) => w.includes("replicas"))).toEqual([]);
});
