import * as fs from "node:fs";
import * as path from "node:path";
import { loadSite, parseSite, selectionFromEnvironment } from "../../constructs/site";
import { generatedSiteYaml, optionsFromArgs } from "../../tools/sitegen/generate";
import { SITE_JSON_SCHEMA_PATH, siteJsonSchema } from "../../tools/sitegen/json-schema";
import { siteProblems, siteWith, type SiteData } from "../helpers/sites";


describe("the default site", () => {
  const site = loadSite({ site: "default" });

  it("is the guide's cluster: one controller, two workers, three segments", () => {
    expect(site.segments.map((s) => [s.name, s.purpose, s.vlan, s.cidr])).toEqual([
      ["bmc", "bmc", 10, "10.10.0.0/24"],
      ["management", "management", 20, "10.20.0.0/24"],
      ["external", "external", 30, "203.0.113.0/24"],
    ]);
    expect(site.controller.hostname).toBe("controller");
    expect(site.workers.map((w) => w.hostname)).toEqual(["worker-1", "worker-2"]);
    expect(site.workers.every((w) => w.roles.includes("compute") && w.roles.includes("storage"))).toBe(true);
  });

  it("derives defaults: DHCP on management only, spaces by purpose, LXD address on the management NIC", () => {
    expect(site.segments.map((s) => [s.name, s.dhcp, s.space, s.fabric])).toEqual([
      ["bmc", false, "bmc", "bmc"],
      ["management", true, "management", "management"],
      ["external", false, "external", "external"],
    ]);
    expect(site.controller.lxd.address).toBe("https://10.20.0.2:8443");
    expect(site.workers[0].pxeNic).toMatchObject({ name: "eno1", mac: "3c:ec:ef:10:00:01" });
  });

  it("protects everything unless SITE_ALLOW_DESTROY names hosts", () => {
    expect(site.protection).toEqual({ allowDestroy: [], allowDestroyAll: false });
    expect(loadSite({ site: "default", allowDestroy: "worker-2, worker-1" }).protection.allowDestroy).toEqual(["worker-2", "worker-1"]);
    expect(loadSite({ site: "default", allowDestroy: "*" }).protection.allowDestroyAll).toBe(true);
  });
});

describe("site selection", () => {
  it("takes SITE, then the cdktf context, then the default", () => {
    expect(selectionFromEnvironment({ SITE: "scale-50" }).site).toBe("scale-50");
    expect(selectionFromEnvironment({ CDKTF_CONTEXT_JSON: JSON.stringify({ site: "sites/x.yaml" }) }).site).toBe("sites/x.yaml");
    expect(selectionFromEnvironment({}).site).toBe("default");
  });

  it("names the known sites when the selected one does not exist", () => {
    expect(() => loadSite({ site: "nowhere" })).toThrow(/no site named "nowhere".*default\.yaml/);
    expect(() => loadSite(selectionFromEnvironment({ SITE: "nowhere" }))).toThrow(
      /^nowhere: 1 problem in the site selection; nothing was synthesized\.\n  - SITE: no site named "nowhere" in sites\/ \(known: default\.yaml, scale-50\.yaml\); give one of those names or the path of a \.yaml\/\.json site file$/,
    );
  });

  it("says what is wrong with a path that is no site file, naming the setting", () => {
    expect(() => loadSite({ site: "sites/nowhere.yaml", setting: "SITE" })).toThrow(/  - SITE: no file .*sites\/nowhere\.yaml; check the path/);
    expect(() => loadSite({ site: "sites/", setting: "SITE" })).toThrow(/  - SITE: .*sites is a folder; name a \.yaml or \.json site file in it/);
  });

  it("refuses a cdktf context that is not JSON, or whose site is not a string", () => {
    expect(() => selectionFromEnvironment({ CDKTF_CONTEXT_JSON: "{site: x}" })).toThrow(/  - CDKTF_CONTEXT_JSON: not valid JSON .*fix it or unset it/);
    expect(() => selectionFromEnvironment({ CDKTF_CONTEXT_JSON: '{"site": 3}' })).toThrow(/  - cdktf context "site": must be a site name or the path of a \.yaml\/\.json site file, got 3; fix "context" in cdktf\.json/);
    expect(selectionFromEnvironment({ CDKTF_CONTEXT_JSON: '{"other": 1}' }).site).toBe("default");
    expect(selectionFromEnvironment({ SITE: "scale-50", CDKTF_CONTEXT_JSON: "not read" }).site).toBe("scale-50");
  });

  it("loads a second site file without code changes", () => {
    expect(loadSite({ site: "scale-50" }).workers).toHaveLength(50);
  });
});

describe("bad input gets every problem, with the field path and the fix", () => {
  it("overlapping CIDRs", () => {
    expect(siteProblems((s) => (s.segments[2].cidr = "10.20.0.128/25"))).toContainEqual(
      expect.stringMatching(/^segments\[2\]\.cidr: 10\.20\.0\.128\/25 overlaps 10\.20\.0\.0\/24 of segment "management"/),
    );
  });

  it("a CIDR written with host bits", () => {
    expect(siteProblems((s) => (s.segments[1].cidr = "10.20.0.5/24"))).toContainEqual(
      "segments[1].cidr: 10.20.0.5/24 has host bits set; write the network address, e.g. 10.20.0.0/24",
    );
  });

  it("a gateway outside its subnet", () => {
    expect(siteProblems((s) => (s.segments[1].gateway = "10.30.0.1"))).toContainEqual(
      "segments[1].gateway: gateway 10.30.0.1 is outside 10.20.0.0/24; use a host address of that subnet",
    );
  });

  it("a static IP outside its subnet", () => {
    expect(siteProblems((s) => (s.workers[0].nics[0].address = "10.99.0.21"))).toContainEqual(
      expect.stringMatching(/^workers\[0\]\.nics\[0\]\.address: 10\.99\.0\.21 is outside 10\.20\.0\.0\/24 of segment "management"/),
    );
  });

  it("a range outside its subnet, and a reversed range", () => {
    const problems = siteProblems((s) => {
      s.segments[1].dynamic[0].end = "10.20.1.10";
      s.segments[0].reserved[0] = { start: "10.10.0.9", end: "10.10.0.1" };
    });
    expect(problems).toContainEqual(expect.stringMatching(/^segments\[1\]\.dynamic\[0\]\.end: 10\.20\.1\.10 is outside 10\.20\.0\.0\/24/));
    expect(problems).toContainEqual(expect.stringMatching(/^segments\[0\]\.reserved\[0\]: range starts at 10\.10\.0\.9, after its end 10\.10\.0\.1/));
  });

  it("a static IP inside a dynamic range", () => {
    expect(siteProblems((s) => (s.workers[1].nics[0].address = "10.20.0.210"))).toContainEqual(
      expect.stringMatching(/^workers\[1\]\.nics\[0\]\.address: 10\.20\.0\.210 is inside the dynamic range 10\.20\.0\.200-10\.20\.0\.250/),
    );
  });

  it("duplicate hostnames, MACs and IPs", () => {
    const problems = siteProblems((s) => {
      s.workers[1].hostname = "worker-1";
      s.workers[1].nics[0].mac = s.workers[0].nics[0].mac.toUpperCase();
      s.workers[1].nics[0].address = "10.20.0.21";
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "workers[1].hostname: hostname worker-1 is already used by workers[0].hostname; each must be unique",
        "workers[1].nics[0].mac: MAC 3c:ec:ef:10:00:01 is already used by workers[0].nics[0].mac; each must be unique",
        "workers[1].nics[0].address: IP address 10.20.0.21 is already used by workers[0].nics[0].address; each must be unique",
      ]),
    );
  });

  it("VLAN IDs outside 1-4094 or duplicated on a fabric", () => {
    expect(siteProblems((s) => (s.segments[0].vlan = 4095))).toContainEqual(
      "segments[0].vlan: VLAN ID must be between 1 and 4094 (802.1Q); use the tag your switch ports carry",
    );
    expect(siteProblems((s) => (s.segments[0].vlan = 0))).toContainEqual(expect.stringMatching(/^segments\[0\]\.vlan: VLAN ID must be between 1 and 4094/));
    expect(
      siteProblems((s) => {
        s.segments[0].fabric = "shared";
        s.segments[1].fabric = "shared";
        s.segments[1].vlan = 10;
      }),
    ).toContainEqual('segments[1].vlan: VLAN 10 is already used on fabric "shared" by segment "bmc"; pick another VLAN ID or another fabric');
  });

  it("a worker without a BMC address, or one off the BMC network", () => {
    expect(siteProblems((s) => delete s.workers[0].bmc)).toContainEqual(
      "workers[0].bmc: every worker needs bmc: {address: <its BMC's IPv4 on the bmc segment>} so MAAS can power it",
    );
    expect(siteProblems((s) => delete s.workers[0].bmc.address)).toContainEqual(expect.stringMatching(/^workers\[0\]\.bmc\.address: is required/));
    expect(siteProblems((s) => (s.workers[0].bmc.address = "10.20.0.99"))).toContainEqual(
      expect.stringMatching(/^workers\[0\]\.bmc\.address: BMC address 10\.20\.0\.99 is on no bmc segment/),
    );
  });

  it("VMs that exceed the controller's capacity, stating the headroom", () => {
    const problems = siteProblems((s) => {
      s.controller.vms[1].cores = 40;
      s.controller.vms[1].memoryGiB = 250;
      s.controller.vms[1].diskGiB = 2000;
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        "controller.vms: the VMs ask for 68 cores but the controller offers 44 (capacity 48 minus headroom 4 kept for the host, MAAS and LXD); shrink the VMs or raise controller.capacity.cores",
        expect.stringMatching(/^controller\.vms: the VMs ask for 386 GiB of memory but the controller offers 240 \(capacity 256 minus headroom 16/),
        expect.stringMatching(/^controller\.vms: the VMs ask for 2860 GiB of disk but the controller offers 1700/),
      ]),
    );
  });

  it("an unknown role", () => {
    expect(siteProblems((s) => (s.workers[0].roles = ["compute", "gpu"]))).toContainEqual("workers[0].roles[1]: unknown role; valid roles are compute, storage");
    expect(siteProblems((s) => (s.controller.vms[0].role = "database"))).toContainEqual(
      "controller.vms[0].role: must be one of juju-controller, control-plane",
    );
  });

  it("a malformed file", () => {
    expect(() => parseSite("name: [unclosed\n", "broken.yaml")).toThrow(/broken\.yaml: 1 problem.*\n\s+- line \d: not valid YAML/);
    expect(() => parseSite("{ not json", "broken.json")).toThrow(/broken\.json: .*not valid JSON/s);
    expect(() => parseSite("- a\n- b\n", "list.yaml")).toThrow(/a site file must be a mapping/);
  });

  it("a secret in the site file is refused with where secrets go", () => {
    expect(siteProblems((s) => (s.workers[0].bmc.password = "hunter2"))).toContainEqual(
      expect.stringMatching(/^workers\[0\]\.bmc: unknown field password; secrets never go in the site file: export them as sensitive Terraform variables/),
    );
  });

  it("lists every problem at once, not only the first", () => {
    const problems = siteProblems((s) => {
      s.segments[0].vlan = 5000;
      s.workers[0].roles = ["gpu"];
      s.workers[1].nics[0].mac = "not-a-mac";
    });
    expect(problems).toHaveLength(3);
    try {
      siteWith((s) => (s.segments[2].gateway = "10.0.0.1"));
    } catch (err) {
      expect((err as Error).message).toMatch(/^test-site\.json: 1 problem in the site file; nothing was synthesized\.\n  - segments\[2\]\.gateway:/);
    }
  });

  it("an OpenStack release or base outside the charm catalog", () => {
    expect(siteProblems((s) => ((s.openstack.release = "2023.2"), (s.openstack.base = "ubuntu@24.04")))).toEqual([
      'openstack.release: "2023.2" is not in the charm catalog, which holds one tested set: OpenStack 2024.1 (caracal) on ubuntu@22.04 (constructs/openstack/catalog/channels.json); use release "2024.1", or vendor a catalog for 2023.2 first',
      "openstack.base: ubuntu@24.04 is not in the charm catalog, which holds one tested set: OpenStack 2024.1 (caracal) on ubuntu@22.04 (constructs/openstack/catalog/channels.json); use base ubuntu@22.04, or vendor a catalog for ubuntu@24.04 first",
    ]);
  });

  it("a channel for a charm the deployment does not use, or one that is not a channel", () => {
    const problems = siteProblems((s) => (s.openstack.channels = { valut: "1.8/stable", ntp: "latest/stable", vault: "1.8/stabel", "ceph-osd": "reef/stable" }));
    expect(problems).toEqual([
      expect.stringMatching(/^openstack\.channels\.valut: no charm "valut" in this deployment \(did you mean vault\?\); channels are keyed by charm: ceph-mon, .*, vault$/),
      expect.stringMatching(/^openstack\.channels\.ntp: no charm "ntp" in this deployment; /),
      'openstack.channels.vault: "1.8/stabel" is not a charm channel; write <track>/<risk> with risk one of stable, candidate, beta, edge (the catalog\'s is 1.8/stable)',
    ]);
  });

  it("charm options: an unknown application or option, and a value of the wrong type", () => {
    const problems = siteProblems(
      (s) => (s.openstack.config = { keystone: { debgu: true, "token-expiration": "two hours", debug: "yes", "admin-port": "35357" }, keystone2: { debug: true } }),
    );
    expect(problems).toEqual([
      expect.stringMatching(/^openstack\.config\.keystone\.debgu: charm keystone has no option "debgu"; did you mean debug\? \(options are listed in constructs\/openstack\/catalog\/charms\.json, from openstack\/charm-keystone@[0-9a-f]{12}\)$/),
      'openstack.config.keystone.token-expiration: option token-expiration of charm keystone is of type int, got "two hours"; give a whole number such as 3600 (the charm\'s default is 3600)',
      'openstack.config.keystone.debug: option debug of charm keystone is of type boolean, got "yes"; give true or false (the charm\'s default is false)',
      expect.stringMatching(/^openstack\.config\.keystone2: no application "keystone2" in this deployment \(did you mean keystone, keystone-mysql-router\?\); applications: ceph-mon, /),
    ]);
  });

  it("charm options of a ceph-osd application named after its disks", () => {
    const split = (s: SiteData) => (s.workers[1].osdDevices = ["/dev/nvme0n1"]);
    expect(() => siteWith((s) => (split(s), (s.openstack.config = { "ceph-osd-nvme0n1": { "osd-devices": "/dev/nvme0n1 /dev/nvme1n1" } })))).not.toThrow();
    expect(siteProblems((s) => (split(s), (s.openstack.config = { "ceph-osd-sdb": { "osd-devices": "/dev/sdb" } })))).toEqual([
      expect.stringMatching(/^openstack\.config\.ceph-osd-sdb: no application "ceph-osd-sdb" in this deployment .*; applications: ceph-mon, ceph-osd, ceph-osd-nvme0n1, ceph-radosgw, /),
    ]);
  });

  it("management segments of several racks in different MAAS spaces", () => {
    const rack2 = { name: "management-rack2", purpose: "management", vlan: 21, cidr: "10.21.0.0/24", space: "mgmt2", dhcp: false };
    expect(siteProblems((s) => s.segments.push(rack2))).toEqual([
      'segments[3].space: segment "management-rack2" is in space "mgmt2" but management segment "management" is in "management"; Juju binds the OpenStack endpoints to one space per purpose, so give every management segment space: management',
    ]);
  });

  it("more Ceph replicas than storage workers", () => {
    expect(siteProblems((s) => (s.openstack.ceph = { replicas: 3 }))).toContainEqual(
      expect.stringMatching(/^openstack\.ceph\.replicas: 3 replicas need 3 storage workers but the site has 2/),
    );
  });
});

describe("generated sites", () => {
  it("scale to many workers over several racks with the same code", () => {
    const site = parseSite(generatedSiteYaml({ workers: 200, zones: 5 }), "scale-200.yaml");
    expect(site.workers).toHaveLength(200);
    expect(new Set(site.workers.map((w) => w.zone)).size).toBe(5);
    expect(site.segments.filter((s) => s.purpose === "management").map((s) => s.space)).toEqual(Array(5).fill("management"));
  });

  it("npm run site:generate refuses arguments it cannot turn into a valid site, saying which and why", () => {
    expect(optionsFromArgs([])).toEqual({ workers: 50, zones: 3 });
    expect(optionsFromArgs(["200", "5"])).toEqual({ workers: 200, zones: 5 });
    expect(() => optionsFromArgs(["abc"])).toThrow(/^site:generate: WORKERS must be a whole number from 1 to 51000, got "abc"\nusage: npm run site:generate -- /);
    expect(() => optionsFromArgs(["500", "1"])).toThrow(/500 workers over 1 zones is more than 200 per rack's \/24; give at least 3 zones/);
    expect(() => optionsFromArgs(["10", "0", "x"])).toThrow(/takes at most two arguments, got 3; ZONES must be a whole number from 1 to 255, got "0"/);
  });

  it("sites/scale-50.yaml is what the generator writes", () => {
    const file = fs.readFileSync(path.join(__dirname, "..", "..", "sites", "scale-50.yaml"), "utf8");
    expect(file).toBe(generatedSiteYaml({ workers: 50, zones: 3 }));
  });
});

it("sites/site.schema.json is generated from the current schema (npm run site:schema)", () => {
  expect(fs.readFileSync(SITE_JSON_SCHEMA_PATH, "utf8")).toBe(siteJsonSchema());
});
