/** The site file's `cloud` section: what it derives, and one test per bad input with the message an operator sees. */
import { siteProblems, siteWith, type SiteData } from "../helpers/sites";


/** A second external segment with its own floating range. */
const secondExternal = (s: SiteData) =>
  s.segments.push({
    name: "external-2", purpose: "external", vlan: 31, cidr: "198.51.100.0/24", gateway: "198.51.100.1",
    floating: { start: "198.51.100.100", end: "198.51.100.199" },
  });
const project = (name: string, cidr: string) => ({ name, network: { cidr } });

describe("the cloud section", () => {
  it("is optional: without it the external network is flat on the OVN physnet, with the default flavors and nothing else", () => {
    const { cloud } = siteWith((s) => delete s.cloud);
    expect(cloud.external).toMatchObject({
      name: "external",
      physnet: "physnet1",
      switchPort: "access",
      networkType: "flat",
      segmentationId: undefined,
      gateway: "203.0.113.1",
      allocationPool: { start: "203.0.113.100", end: "203.0.113.199" },
    });
    expect(cloud.external.segment.name).toBe("external");
    expect(cloud.flavors.map((f) => [f.name, f.vcpus, f.ramMiB, f.diskGiB])).toEqual([
      ["m1.tiny", 1, 512, 1],
      ["m1.small", 1, 2048, 20],
      ["m1.medium", 2, 4096, 40],
      ["m1.large", 4, 8192, 80],
    ]);
    expect(cloud.images).toEqual([]);
    expect(cloud.projects).toEqual([]);
  });

  it("a tagged switch port makes a VLAN network with the segment's VLAN ID, on the physnet the site names", () => {
    const { cloud } = siteWith((s) => {
      s.cloud.external.switchPort = "tagged";
      s.openstack.ovn.physnet = "physext";
    });
    expect(cloud.external).toMatchObject({ networkType: "vlan", segmentationId: 30, physnet: "physext" });
  });

  it("the default site's image is downloaded into the cache under a name that carries its checksum", () => {
    const [image] = siteWith(() => undefined).cloud.images;
    expect(image).toMatchObject({
      name: "ubuntu-22.04",
      url: "https://cloud-images.ubuntu.com/releases/22.04/release-20240912/ubuntu-22.04-server-cloudimg-amd64.img",
      localFile: ".cache/images/ubuntu-22.04-5da0b3d37d02ca6c.img",
      diskFormat: "qcow2",
      containerFormat: "bare",
    });
    const file = siteWith((s) => (s.cloud.images = [{ name: "cirros", file: "/srv/images/cirros.img", sha256: "A".repeat(64) }])).cloud.images[0];
    expect(file).toMatchObject({ localFile: "/srv/images/cirros.img", url: undefined, sha256: "a".repeat(64) });
  });

  it("groups a project's quotas by service and gives its network the external segment's DNS by default", () => {
    const [demo] = siteWith(() => undefined).cloud.projects;
    expect(demo).toMatchObject({
      name: "demo",
      role: "member",
      members: [],
      quotas: { compute: { instances: 10, cores: 20, ramMiB: 51200 }, volume: { volumes: 10, volumeGiB: 500 }, network: { floatingIps: 5 } },
      network: { cidr: "192.168.100.0/24", dns: ["203.0.113.1"] },
      access: { from: ["0.0.0.0/0"], tcpPorts: [22], icmp: true },
    });
  });
});

describe("bad cloud sections are rejected with the field, the problem and the fix", () => {
  it.each<[string, (s: SiteData) => void, string]>([
    [
      "an unknown switch port kind",
      (s) => (s.cloud.external.switchPort = "trunk"),
      "cloud.external.switchPort: must be one of access, tagged",
    ],
    [
      "an external segment that does not exist",
      (s) => (s.cloud.external.segment = "outside"),
      'cloud.external.segment: no segment named "outside"; known segments: bmc, management, external',
    ],
    [
      "an external network on a segment that is not external",
      (s) => (s.cloud.external.segment = "management"),
      'cloud.external.segment: segment "management" is management; the external network must be on a segment with purpose: external',
    ],
    [
      "an external segment without a floating range",
      (s) => delete s.segments[2].floating,
      `segments[2].floating: the cloud's external network takes its allocation pool from the floating range of "external", which has none; add floating: {start, end}`,
    ],
    [
      "no external segment at all",
      (s) => {
        s.segments.splice(2, 1);
        for (const host of [s.controller, ...s.controller.vms, ...s.workers]) host.nics = host.nics.filter((n: { segment: string }) => n.segment !== "external");
        s.workers.forEach((w: SiteData) => (w.roles = ["storage"]));
        s.workers[0].roles = ["compute", "storage"];
        delete s.controller.lxd.bridges.external;
      },
      "segments: the cloud's external network needs an external segment with a floating range (its allocation pool); add one with purpose: external and floating: {start, end}",
    ],
    [
      "two external segments with floating ranges and none named",
      secondExternal,
      'cloud.external.segment: segments "external" and "external-2" are all external with a floating range; name the one the external network uses',
    ],
    [
      "an external segment without a gateway",
      (s) => {
        delete s.segments[2].gateway;
      },
      `segments[2].gateway: the external network's subnet needs the upstream router of "external" as its gateway (tenant routers send their traffic there); add gateway`,
    ],
    [
      "no compute worker with a NIC on the external network's segment",
      (s) => {
        secondExternal(s);
        s.cloud.external.segment = "external-2";
      },
      'openstack.ovn.gateways: no compute worker has a NIC on "external-2", the external network\'s segment, so none can be an OVN gateway; cable one compute worker\'s external NIC to it (the default gateways are chosen among those)',
    ],
    [
      "a gateway whose bridged NIC is on the other external segment",
      (s) => {
        secondExternal(s);
        s.cloud.external.segment = "external-2";
        s.workers[0].nics.push({ name: "eno3", mac: "3c:ec:ef:10:00:03", segment: "external-2" });
      },
      'workers[0].nics[1].segment: OVN bridges eno2, the first external NIC of worker-1, which is on "external"; the external network is on "external-2": list eno3 first',
    ],
    [
      "a flavor name used twice",
      (s) => (s.cloud.flavors = [{ name: "m1.small", vcpus: 1, ramMiB: 2048, diskGiB: 20 }, { name: "m1.small", vcpus: 2, ramMiB: 4096, diskGiB: 40 }]),
      'cloud.flavors[1].name: flavor name "m1.small" is already used by cloud.flavors[0].name; each needs its own name',
    ],
    [
      "a flavor without vCPUs",
      (s) => (s.cloud.flavors = [{ name: "m1.none", vcpus: 0, ramMiB: 512, diskGiB: 1 }]),
      "cloud.flavors[0].vcpus: must be greater than 0",
    ],
    [
      "a flavor name with a space",
      (s) => (s.cloud.flavors = [{ name: "m1 small", vcpus: 1, ramMiB: 512, diskGiB: 1 }]),
      "cloud.flavors[0].name: must start with a letter or digit and hold only letters, digits, '.', '_' and '-' (at most 63)",
    ],
    [
      "an image with both a URL and a file",
      (s) => (s.cloud.images[0].file = "/srv/ubuntu.img"),
      'cloud.images[0]: image "ubuntu-22.04" gives both url and file; keep one: url to download it at apply, file to upload a file already on that machine',
    ],
    [
      "an image with neither a URL nor a file",
      (s) => delete s.cloud.images[0].url,
      'cloud.images[0]: image "ubuntu-22.04" gives neither url nor file; add url (downloaded at apply) or file (a path on the machine that runs apply)',
    ],
    [
      "an image without a checksum",
      (s) => delete s.cloud.images[0].sha256,
      "cloud.images[0].sha256: is required (expected string, received undefined)",
    ],
    [
      "an image checksum that is not a SHA-256",
      (s) => (s.cloud.images[0].sha256 = "d41d8cd98f00b204e9800998ecf8427e"),
      "cloud.images[0].sha256: must be the image's SHA-256: 64 hex digits, as in the SHA256SUMS file published beside it",
    ],
    [
      "an image URL that is not http(s)",
      (s) => (s.cloud.images[0].url = "ftp://mirror/ubuntu.img"),
      "cloud.images[0].url: must be an http(s) URL of the image file",
    ],
    [
      "an unknown disk format",
      (s) => (s.cloud.images[0].diskFormat = "qcow3"),
      "cloud.images[0].diskFormat: must be one of qcow2, raw, vmdk, vdi, vhd, vhdx, iso, ploop, aki, ari, ami",
    ],
    [
      "an image name used twice",
      (s) => s.cloud.images.push({ ...s.cloud.images[0] }),
      'cloud.images[1].name: image name "ubuntu-22.04" is already used by cloud.images[0].name; each needs its own name',
    ],
    [
      "a project name used twice",
      (s) => s.cloud.projects.push(project("demo", "192.168.101.0/24")),
      'cloud.projects[1].name: project name "demo" is already used by cloud.projects[0].name; each needs its own name',
    ],
    [
      "a project network that overlaps a segment",
      (s) => (s.cloud.projects[0].network.cidr = "10.20.0.0/25"),
      'cloud.projects[0].network.cidr: 10.20.0.0/25 overlaps 10.20.0.0/24 of segment "management"; the project\'s router could not reach that segment, pick a range outside the site\'s segments',
    ],
    [
      "two projects with overlapping networks",
      (s) => s.cloud.projects.push(project("lab", "192.168.100.128/25")),
      'cloud.projects[1].network.cidr: 192.168.100.128/25 overlaps 192.168.100.0/24 of project "demo" (cloud.projects[0].network.cidr); give each project its own range so an address names one instance in logs and firewall rules',
    ],
    [
      "a project network with host bits",
      (s) => (s.cloud.projects[0].network.cidr = "192.168.100.7/24"),
      "cloud.projects[0].network.cidr: 192.168.100.7/24 has host bits set; write the network address, e.g. 192.168.100.0/24",
    ],
    [
      "a project network too small for a router and instances",
      (s) => (s.cloud.projects[0].network.cidr = "192.168.100.0/29"),
      "cloud.projects[0].network.cidr: 192.168.100.0/29 is too small: the router, Neutron's DHCP port and the instances need addresses; use a /28 or larger",
    ],
    [
      "a project without a network",
      (s) => delete s.cloud.projects[0].network,
      "cloud.projects[0].network: is required (expected object, received undefined)",
    ],
    [
      "a quota below -1",
      (s) => (s.cloud.projects[0].quotas.cores = -2),
      "cloud.projects[0].quotas.cores: must be -1 (unlimited) or more",
    ],
    [
      "an unknown quota",
      (s) => (s.cloud.projects[0].quotas.gpus = 2),
      "cloud.projects[0].quotas: unknown field gpus; check the spelling against sites/site.schema.json",
    ],
    [
      "a member listed twice",
      (s) => (s.cloud.projects[0].members = ["alice", "alice"]),
      "cloud.projects[0].members[1]: alice is listed twice",
    ],
    [
      "an access CIDR with host bits",
      (s) => (s.cloud.projects[0].access = { from: ["198.51.100.7/24"] }),
      "cloud.projects[0].access.from[0]: 198.51.100.7/24 has host bits set; write the network address, e.g. 198.51.100.0/24",
    ],
    [
      "an access port out of range",
      (s) => (s.cloud.projects[0].access = { tcpPorts: [0] }),
      "cloud.projects[0].access.tcpPorts[0]: a port is 1-65535",
    ],
  ])("%s", (_, edit, message) => {
    expect(siteProblems(edit)).toContain(message);
  });

  it("a password in a project is refused with where secrets go", () => {
    expect(siteProblems((s) => (s.cloud.projects[0].password = "hunter2"))[0]).toMatch(
      /^cloud\.projects\[0\]: unknown field password; secrets never go in the site file/,
    );
  });
});
