/**
 * Generates large, valid sites for scale tests, diagrams and the benchmark: N workers spread over
 * zones, one rack per zone with its own management and BMC segments (same MAAS spaces), and a control
 * plane sized to the worker count. `npm run site:generate -- 50 3` writes sites/scale-50.yaml.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { stringify } from "yaml";

export interface GeneratedSiteOptions {
  readonly workers: number;
  readonly zones: number;
}

const hex = (n: number, width = 2) => n.toString(16).padStart(width, "0");
const mac = (prefix: string, n: number) => `${prefix}:${hex(Math.floor(n / 65536) % 256)}:${hex(Math.floor(n / 256) % 256)}:${hex(n % 256)}`;

/** A site file (plain data, before validation) for the given scale. */
export function generateSite({ workers, zones }: GeneratedSiteOptions): Record<string, unknown> {
  const perRack = Math.ceil(workers / zones);
  if (perRack > 200) throw new Error(`${workers} workers over ${zones} zones is more than 200 per rack's /24; add zones`);
  const racks = Array.from({ length: zones }, (_, r) => r + 1);
  const controlPlaneVms = workers > 200 ? 5 : 3;
  const vmCores = Math.min(32, 8 + Math.ceil(workers / 25));
  const vmMemory = Math.min(256, 32 + 8 * Math.ceil(workers / 25));

  const segments: Record<string, unknown>[] = racks.flatMap((r) => [
    {
      // Its own fabric: the controller reaches rack 1's BMC network through a NIC of its own, and MAAS puts
      // each controller NIC on a fabric of its own.
      name: `bmc-r${r}`, purpose: "bmc", fabric: `rack${r}-bmc`, vlan: 10, cidr: `10.10.${r}.0/24`, gateway: `10.10.${r}.1`,
      reserved: [{ start: `10.10.${r}.1`, end: `10.10.${r}.9`, comment: "gateway and switches" }],
    },
    {
      name: `management-r${r}`, purpose: "management", fabric: `rack${r}`, vlan: 20, cidr: `10.20.${r}.0/24`, gateway: `10.20.${r}.1`,
      dns: ["10.20.1.2"], space: "management",
      reserved: [{ start: `10.20.${r}.1`, end: `10.20.${r}.9`, comment: "gateway and switches" }],
      dynamic: [{ start: `10.20.${r}.240`, end: `10.20.${r}.254`, comment: "enlistment" }],
    },
  ]);
  segments.push({
    name: "external", purpose: "external", vlan: 30, cidr: "198.51.100.0/24", gateway: "198.51.100.1", dns: ["198.51.100.1"],
    reserved: [{ start: "198.51.100.1", end: "198.51.100.9", comment: "upstream router" }],
    floating: { start: "198.51.100.100", end: "198.51.100.250", comment: "tenant floating IPs" },
  });

  const vms = [
    { hostname: "juju-controller", role: "juju-controller", cores: 4, memoryGiB: 16, diskGiB: 100, nics: [{ segment: "management-r1", address: "10.20.1.10" }] },
    ...Array.from({ length: controlPlaneVms }, (_, i) => ({
      hostname: `control-${i + 1}`, role: "control-plane", cores: vmCores, memoryGiB: vmMemory, diskGiB: 500,
      nics: [{ segment: "management-r1", address: `10.20.1.${11 + i}` }, { segment: "external", address: `198.51.100.${11 + i}` }],
    })),
  ];
  const sum = (key: "cores" | "memoryGiB" | "diskGiB") => vms.reduce((acc, vm) => acc + (vm[key] as number), 0);

  const workerList = Array.from({ length: workers }, (_, i) => {
    const rack = (i % zones) + 1;
    const slot = Math.floor(i / zones) + 20;
    const roles = i % 4 === 3 ? ["storage"] : ["compute", "storage"];
    return {
      hostname: `worker-${i + 1}`,
      zone: `zone-${rack}`,
      roles,
      bmc: { address: `10.10.${rack}.${slot}` },
      nics: [
        { name: "eno1", mac: mac("3c:ec:ef", 2 * i), segment: `management-r${rack}`, address: `10.20.${rack}.${slot}` },
        { name: "eno2", mac: mac("3c:ec:ef", 2 * i + 1), segment: "external" },
      ],
      osdDevices: ["/dev/sdb", "/dev/sdc", "/dev/sdd"],
    };
  });

  return {
    $schema: "./site.schema.json",
    name: `scale-${workers}`,
    description: `Generated: ${workers} workers over ${zones} zones (tools/sitegen)`,
    maas: { url: "http://10.20.1.2:5240/MAAS", domain: "maas" },
    state: { backend: "local", directory: "state" },
    segments,
    controller: {
      hostname: "controller",
      nics: [
        { name: "eno1", mac: "3c:ec:ef:ff:00:01", segment: "management-r1", address: "10.20.1.2" },
        { name: "eno2", mac: "3c:ec:ef:ff:00:02", segment: "external", address: "198.51.100.2" },
        { name: "eno3", mac: "3c:ec:ef:ff:00:03", segment: "bmc-r1", address: "10.10.1.2" },
      ],
      capacity: { cores: sum("cores") + 8, memoryGiB: sum("memoryGiB") + 32, diskGiB: sum("diskGiB") + 200 },
      headroom: { cores: 4, memoryGiB: 16, diskGiB: 100 },
      lxd: { project: "maas", storagePool: { name: "vmpool", driver: "zfs" }, bridges: { "management-r1": "br-mgmt", external: "br-ext" } },
      vms,
    },
    workers: workerList,
    openstack: {
      model: { name: "openstack", cloud: "maas-cloud", credential: "maas-credential", config: { "default-space": "management" } },
      // Fixed before the first deploy: the charms set a pool's size only when they create it.
      ceph: { replicas: 3 },
    },
  };
}

export function generatedSiteYaml(options: GeneratedSiteOptions): string {
  return `# Generated by tools/sitegen/generate.ts (${options.workers} workers, ${options.zones} zones); do not edit by hand.\n` +
    stringify(generateSite(options), { lineWidth: 0 });
}

const USAGE = "usage: npm run site:generate -- [WORKERS (default 50)] [ZONES (default 3)]";

/** The command's arguments, or every problem with them, each naming the argument and what fits. */
export function optionsFromArgs(args: readonly string[]): GeneratedSiteOptions {
  const problems: string[] = [];
  const whole = (name: string, text: string, max: number) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > max) problems.push(`${name} must be a whole number from 1 to ${max}, got ${JSON.stringify(text)}`);
    return n;
  };
  if (args.length > 2) problems.push(`takes at most two arguments, got ${args.length}`);
  // One rack per zone: BMC and management subnets 10.10.<zone>.0/24 and 10.20.<zone>.0/24, up to 200 workers each.
  const workers = whole("WORKERS", args[0] ?? "50", 255 * 200);
  const zones = whole("ZONES", args[1] ?? "3", 255);
  if (problems.length === 0 && Math.ceil(workers / zones) > 200) {
    problems.push(`${workers} workers over ${zones} zones is more than 200 per rack's /24; give at least ${Math.ceil(workers / 200)} zones`);
  }
  if (problems.length) throw new Error(`site:generate: ${problems.join("; ")}\n${USAGE}`);
  return { workers, zones };
}

if (require.main === module) {
  let options: GeneratedSiteOptions;
  try {
    options = optionsFromArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
  const out = path.resolve(__dirname, "..", "..", "sites", `scale-${options.workers}.yaml`);
  fs.writeFileSync(out, generatedSiteYaml(options));
  console.log(`wrote ${path.relative(process.cwd(), out)}`);
}
