/** The figures' content, straight from the model: every segment, node, VM, worker and application shows up in both renderings. */
import { planDeployment } from "../../constructs/openstack/deployment";
import { loadSite } from "../../constructs/site/load";
import type { Site } from "../../constructs/site/model";
import { toDot } from "../../tools/diagrams/dot";
import { allBoxes } from "../../tools/diagrams/figure";
import { toMermaid } from "../../tools/diagrams/mermaid";
import { GROUP_WORKERS_ABOVE, groupWorkers, networkFigure } from "../../tools/diagrams/network";
import { applicationsByMachine, servicesFigure } from "../../tools/diagrams/services";

const sites: [string, Site][] = ["default", "scale-50"].map((name) => [name, loadSite({ site: name })]);

/** Graphviz HTML labels escape these; Mermaid labels escape quotes. */
const escaped = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

describe.each(sites)("network figure of the %s site", (_name, site) => {
  const figure = networkFigure(site);
  const outputs = { dot: toDot(figure), mermaid: toMermaid(figure) };

  it.each(Object.entries(outputs))("%s names every segment with its CIDR, VLAN, purpose and gateway", (_kind, text) => {
    for (const s of site.segments) {
      expect(text).toContain(s.name);
      expect(text).toContain(`${s.purpose} · VLAN ${s.vlan} · ${s.cidr}`);
      if (s.gateway) expect(text).toContain(`gateway ${s.gateway}`);
    }
  });

  it.each(Object.entries(outputs))("%s shows the controller's NICs and bridges, every VM with its addresses, and every worker", (_kind, text) => {
    expect(text).toContain(site.controller.hostname);
    for (const nic of site.controller.nics) expect(text).toContain(`${nic.name} · ${nic.segment} · ${nic.address}`);
    for (const bridge of Object.values(site.controller.lxd.bridges)) expect(text).toContain(`bridge ${bridge}`);
    for (const vm of site.controller.vms) {
      expect(text).toContain(vm.hostname);
      for (const nic of vm.nics) expect(text).toContain(`${nic.segment} · ${nic.address}`);
    }
    for (const worker of site.workers) expect(text).toMatch(new RegExp(`\\b${worker.hostname}\\b`));
  });

  it("links every worker (or its group) to each of its segments and the controller's MAAS power link to its BMC", () => {
    for (const group of groupWorkers(site)) {
      const targets = figure.links.filter((l) => l.from === group.id || l.to === group.id);
      for (const nic of group.workers[0].nics) expect(targets.some((l) => l.from === `segment_${nic.segment.replace(/-/g, "_")}` || l.to === `segment_${nic.segment.replace(/-/g, "_")}`)).toBe(true);
      expect(targets.some((l) => l.from === "host_controller" && l.style === "dashed" && l.arrow)).toBe(true);
      expect(targets.some((l) => l.label === "BMC")).toBe(true);
    }
  });

  it("draws an uplink to every external segment's gateway", () => {
    for (const s of site.segments.filter((x) => x.purpose === "external" && x.gateway)) {
      expect(figure.links).toContainEqual(expect.objectContaining({ to: `segment_${s.name.replace(/-/g, "_")}`, label: "uplink" }));
    }
  });
});

describe("worker grouping", () => {
  it("draws each worker of a small site on its own", () => {
    const site = sites[0][1];
    expect(site.workers.length).toBeLessThanOrEqual(GROUP_WORKERS_ABOVE);
    expect(groupWorkers(site).map((g) => g.workers.map((w) => w.hostname))).toEqual(site.workers.map((w) => [w.hostname]));
  });

  it("groups the 50-worker site by zone and shape, every worker in exactly one group that lists it and spans its addresses", () => {
    const site = sites[1][1];
    const groups = groupWorkers(site);
    expect(groups.length).toBeLessThan(10);
    expect(groups.flatMap((g) => g.workers.map((w) => w.hostname)).sort()).toEqual(site.workers.map((w) => w.hostname).sort());
    const boxes = allBoxes(networkFigure(site));
    for (const group of groups.filter((g) => g.workers.length > 1)) {
      const box = boxes.find((b) => b.id === group.id)!;
      expect(box.title).toBe(`${group.workers.length} workers · ${group.zone}`);
      expect(new Set(group.workers.map((w) => w.zone)).size).toBe(1);
      for (const w of group.workers) expect(box.notes!.join(" ")).toMatch(new RegExp(`\\b${w.hostname}\\b`));
      const pxe = box.rows!.find((r) => r.text.startsWith("eno1 (PXE)"))!;
      expect(pxe.text).toContain(`(${group.workers.length})`);
    }
  });

  it("draws each OVN gateway of the 50-worker site on its own, the only workers whose external NIC is bridged", () => {
    const site = sites[1][1];
    const bridged = allBoxes(networkFigure(site)).filter((b) => b.rows?.some((r) => r.text === "eno2 · external · no address (OVN br-ex)"));
    expect(bridged.map((b) => b.title)).toEqual(expect.arrayContaining([...site.openstack.ovn.gateways]));
    expect(bridged).toHaveLength(site.openstack.ovn.gateways.length);
  });
});

describe.each(sites)("service figure of the %s site", (_name, site) => {
  const plan = planDeployment(site);
  const figure = servicesFigure(site, plan);
  const outputs = { dot: toDot(figure), mermaid: toMermaid(figure) };

  it.each(Object.entries(outputs))("%s shows every application, control-plane VM, the Juju controller VM and every worker", (_kind, text) => {
    for (const app of plan.applications) expect(text).toContain(escaped(app.name));
    for (const vm of site.controller.vms) expect(text).toContain(vm.hostname);
    for (const worker of site.workers) expect(text).toMatch(new RegExp(`\\b${worker.hostname}\\b`));
  });

  it("puts one row per LXD container in its VM's box, and each subordinate with its principal", () => {
    const boxes = allBoxes(figure);
    const onMachine = applicationsByMachine(plan);
    for (const vm of plan.machines.filter((m) => m.kind === "control-plane")) {
      const rows = boxes.find((b) => b.id === `vm_${vm.name.replace(/-/g, "_")}`)!.rows!;
      const containers = plan.machines.filter((m) => m.parent === vm.name);
      expect(rows.filter((r) => !r.minor)).toHaveLength(containers.length);
      for (const c of containers) for (const app of onMachine.get(c.name)!) expect(rows.map((r) => r.text)).toContain(app.subordinate ? `+ ${app.name}` : app.name);
    }
    expect(onMachine.get(site.workers[0].hostname)!.map((a) => a.name)).toContain("ovn-chassis");
    expect(onMachine.get("keystone-on-control-1")!.map((a) => a.name)).toEqual(["keystone", "keystone-mysql-router"]);
  });

  it("summarises relations per pair of service groups: one line each, counts adding up to every relation", () => {
    const groupLinks = figure.links.filter((l) => l.from.startsWith("group_"));
    const pairs = groupLinks.map((l) => [l.from, l.to].sort().join(" "));
    expect(new Set(pairs).size).toBe(pairs.length);
    expect(groupLinks.length).toBeLessThan(25);
    const within = allBoxes(figure)
      .filter((b) => b.id.startsWith("group_"))
      .map((b) => Number(/(\d+) relations? within/.exec((b.notes ?? []).join(" "))?.[1] ?? 0));
    const total = groupLinks.reduce((sum, l) => sum + Number(l.label), 0) + within.reduce((a, b) => a + b, 0);
    expect(total).toBe(plan.relations.length);
    for (const g of ["identity", "compute", "network", "storage", "database", "messaging", "secrets"]) expect(outputs.mermaid).toContain(`group_${g}[`);
  });
});

it("is deterministic: the same site gives the same DOT and Mermaid", () => {
  for (const [name] of sites) {
    const [a, b] = [loadSite({ site: name }), loadSite({ site: name })];
    expect(toDot(networkFigure(a))).toBe(toDot(networkFigure(b)));
    expect(toMermaid(servicesFigure(a))).toBe(toMermaid(servicesFigure(b)));
  }
});
