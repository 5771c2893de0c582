import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DANGEROUS_TYPES, layerOf, LAYERS } from "../../tools/reports/catalog";
import { GITHUB_BODY_LIMIT } from "../../tools/reports/markdown";
import { parsePlan, PlanInputError, stackNameFromPath, type Plan, type ResourceChange } from "../../tools/reports/plan-json";
import { main } from "../../tools/reports/plan-report";
import { markerFor, renderPlanReport } from "../../tools/reports/render-plan";
import { failedStack, summarizePlan } from "../../tools/reports/summarize";
import { renderDriftReport } from "../../tools/reports/render-drift";
import { formatPath, nameIsMasked } from "../../tools/reports/values";
import * as docsExample from "../../tools/reports/docs-example";
import { captureIo, changesOfKind, reshapeSecrets, scenarioFile, scenarioPlan, scenarioSources, SCENARIOS, secretValues, useRealPlans } from "./helpers";

useRealPlans();

const report = (plans: [string, Plan][], opts = {}) => renderPlanReport(plans.map(([n, p]) => summarizePlan(n, p)), opts);

/** The dangerous section: from its heading to the first stack section. */
function dangerSection(md: string): string {
  const start = md.indexOf("dangerous change");
  expect(start).toBeGreaterThan(-1);
  return md.slice(start, md.indexOf("### Stack", start));
}

describe("layers", () => {
  test("each family of the vendored provider schemas falls in its layer", () => {
    const expectations: [string, string][] = [
      ["maas_fabric", "networks"],
      ["maas_subnet_ip_range", "networks"],
      ["maas_dns_record", "networks"],
      ["maas_machine", "machines"],
      ["maas_network_interface_bond", "machines"],
      ["maas_vm_host_machine", "machines"],
      ["lxd_storage_pool", "lxd"],
      ["lxd_instance", "lxd"],
      ["juju_model", "juju-model"],
      ["juju_machine", "juju-model"],
      ["juju_ssh_key", "juju-model"],
      ["juju_space", "juju-model"],
      ["juju_application", "applications"],
      ["juju_integration", "integrations"],
      ["openstack_networking_network_v2", "cloud"],
      ["openstack_compute_flavor_v2", "cloud"],
      ["openstack_images_image_v2", "cloud"],
      ["openstack_identity_project_v3", "cloud"],
      ["null_resource", "other"],
    ];
    for (const [type, layer] of expectations) expect([type, layerOf(type).id]).toEqual([type, layer]);
  });

  test("every resource type of maas, lxd, juju and openstack has a layer but the few listed as other", () => {
    const other: string[] = [];
    for (const p of ["maas", "lxd", "juju", "openstack"]) {
      const s = JSON.parse(readFileSync(join(__dirname, "../../providers/schemas", `${p}.json`), "utf8")) as {
        provider_schemas: Record<string, { resource_schemas: Record<string, unknown> }>;
      };
      for (const t of Object.keys(Object.values(s.provider_schemas)[0]!.resource_schemas)) if (layerOf(t).id === "other") other.push(t);
    }
    // Not part of a layer of the site: admin objects of MAAS (users, keys, images, repositories, settings, scripts)
    // and Juju/JAAS.
    expect(other.filter((t) => !/^(juju_jaas_|juju_access_(cloud|controller|group|role))/.test(t)).sort()).toEqual(
      [
        "juju_action",
        "juju_controller",
        "juju_kubernetes_cloud",
        "juju_secret_backend",
        "juju_user",
        "maas_boot_source",
        "maas_boot_source_selection",
        "maas_configuration",
        "maas_device",
        "maas_node_script",
        "maas_package_repository",
        "maas_ssh_keys",
        "maas_user",
      ].sort(),
    );
  });

  test("the layer table lists every layer once", () => {
    expect(new Set(LAYERS.map((l) => l.id)).size).toBe(LAYERS.length);
  });
});

describe("plan-report on the scenario plans", () => {
  test.each(scenarioSources("creates"))("a first plan (%s): counts by layer, every created and adopted object, the outputs, no dangerous change", (src) => {
    const plan = scenarioPlan("creates", src);
    const creates = changesOfKind(plan, "create");
    // What MAAS discovered is imported and updated in place (renamed, put in its space), never created.
    const adopted = changesOfKind(plan, "update");
    expect(creates.length).toBeGreaterThan(0);
    const md = report([["substrate", plan]]);
    const imports = adopted.length > 0 ? `, ${adopted.length} to import` : "";
    expect(md).toContain(`**substrate**: ${creates.length} to create, ${adopted.length} to update, 0 to replace, 0 to delete${imports}`);
    expect(md).toContain(`| **Total** | **${creates.length}** | **${adopted.length}** | **0** | **0** |`);
    for (const layer of new Set([...creates, ...adopted].map((c) => layerOf(c.type).title))) {
      const n = (list: typeof creates) => list.filter((c) => layerOf(c.type).title === layer).length;
      expect(md).toContain(`| ${layer} | ${n(creates)} | ${n(adopted)} | 0 | 0 |`);
    }
    for (const c of creates) expect(md).toContain(`<code>+</code> create <code>${c.address}</code>`);
    expect(md).toContain("**No dangerous changes**");
    for (const name of Object.keys(plan.output_changes)) expect(md).toContain(`<code>${name}</code> (create)`);
  });

  test.each(scenarioSources("update"))("an in-place update (%s) shows each changed attribute with its old and new value", (src) => {
    const plan = scenarioPlan("update", src);
    const updates = changesOfKind(plan, "update");
    expect(updates.length).toBeGreaterThan(0);
    const md = report([["substrate", plan]]);
    expect(md).toContain(`${updates.length} to update`);
    let rows = 0;
    for (const u of updates) {
      expect(md).toContain(`<code>~</code> update in place <code>${u.address}</code>`);
      const before = u.change.before as Record<string, unknown>;
      const after = u.change.after as Record<string, unknown>;
      const hidden = (shape: unknown, k: string) => typeof shape === "object" && shape !== null && (shape as Record<string, unknown>)[k] === true;
      const changed = Object.keys(after).filter(
        (k) =>
          JSON.stringify(before[k]) !== JSON.stringify(after[k]) &&
          ["string", "number", "boolean"].includes(typeof after[k]) &&
          !nameIsMasked(k) &&
          !hidden(u.change.before_sensitive, k) &&
          !hidden(u.change.after_sensitive, k),
      );
      for (const k of changed) {
        expect(md).toContain(`| <code>${k}</code> | <code>${JSON.stringify(before[k])}</code> | <code>${JSON.stringify(after[k])}</code> |`);
        rows++;
      }
    }
    expect(rows).toBeGreaterThan(0);
    expect(md).toContain("**No dangerous changes**");
  });

  test.each(scenarioSources("replace-machine"))("a replaced machine (%s) is among the dangerous changes, with what forces it and the reason", (src) => {
    const plan = scenarioPlan("replace-machine", src);
    const replaces = changesOfKind(plan, "replace");
    const dangerous = replaces.filter((c) => DANGEROUS_TYPES[c.type]);
    expect(dangerous.length).toBeGreaterThan(0);
    for (const c of dangerous) expect([c.address, (c.change.replace_paths ?? []).length > 0 || c.action_reason !== undefined]).toEqual([c.address, true]);
    const md = report([["substrate", plan]]);
    const danger = dangerSection(md);
    expect(md.indexOf("dangerous change")).toBeLessThan(md.indexOf("### Stack"));
    expect(md).toContain(`### ⚠️ ${dangerous.length} dangerous change`);
    for (const c of dangerous) {
      const row = danger.split("\n").find((l) => l.includes(`<code>${c.address}</code>`))!;
      expect(row).toContain("**replace**");
      for (const p of c.change.replace_paths ?? []) expect(row).toContain(`<code>${formatPath(p)}</code>`);
      if (c.action_reason) expect(row).toContain(`<code>${c.action_reason}</code>`);
    }
    // Replacements of other types are listed with the other changes, not among the dangerous ones.
    for (const other of replaces.filter((c) => !DANGEROUS_TYPES[c.type])) {
      expect(danger).not.toContain(`<code>${other.address}</code>`);
      expect(md).toContain(`<code>-/+</code> replace <code>${other.address}</code>`);
    }
  });

  test("the real replacements are a worker's machine (by its triggers) and a VM (by replace_paths), both dangerous", () => {
    const dangerous = (src: string) => changesOfKind(scenarioPlan("replace-machine", src), "replace").filter((c) => DANGEROUS_TYPES[c.type]);
    expect(dangerous("real worker").some((c) => c.type === "maas_machine" && c.action_reason === "replace_by_triggers")).toBe(true);
    expect(dangerous("real VM").some((c) => c.type === "maas_vm_host_machine" && (c.change.replace_paths ?? []).length > 0)).toBe(true);
  });

  test.each(scenarioSources("delete-ceph-osd"))("deleting a ceph-osd application (%s) is dangerous; other applications are not", (src) => {
    const plan = scenarioPlan("delete-ceph-osd", src);
    const deletes = changesOfKind(plan, "delete");
    const charm = (c: ResourceChange) => ((c.change.before as { charm?: { name: string }[] }).charm ?? [])[0]?.name;
    const osd = deletes.find((c) => c.type === "juju_application" && charm(c) === "ceph-osd")!;
    expect(osd).toBeDefined();
    const md = report([["openstack", plan]]);
    const danger = dangerSection(md);
    const row = danger.split("\n").find((l) => l.includes(`<code>${osd.address}</code>`))!;
    expect(row).toContain("**delete**");
    expect(row).toContain("charm ceph-osd");
    if (osd.action_reason) expect(row).toContain(osd.action_reason);
    for (const c of [...deletes, ...changesOfKind(plan, "update")].filter((d) => d !== osd && !(d.type === "juju_application" && d.change.actions.includes("delete") && ["ceph-osd", "ceph-mon", "mysql-innodb-cluster", "vault", "rabbitmq-server"].includes(charm(d)!)))) {
      expect(danger).not.toContain(`<code>${c.address}</code>`);
    }
    expect(md).toContain(`${deletes.length} to delete`);
  });

  test.each(SCENARIOS.flatMap((n) => scenarioSources(n).map((src): [string, string] => [n, src])))(
    "%s (%s): no value marked sensitive or named like a secret is printed, nor its length",
    (name, src) => {
      const plan = scenarioPlan(name as (typeof SCENARIOS)[number], src);
      const secrets = secretValues(plan);
      const render = (p: Plan) => (name.startsWith("drift") ? renderDriftReport(name, p).markdown : report([[name, p]]));
      const md = render(plan);
      for (const s of secrets) expect(md).not.toContain(s);
      if (secrets.length) expect(render(reshapeSecrets(plan, secrets))).toBe(md);
    },
  );

  test("the sensitive scenario hides values marked at the top, marked nested, and unmarked but named like secrets", () => {
    const plan = scenarioPlan("sensitive");
    const md = report([["openstack", plan]]);
    expect(secretValues(plan).length).toBeGreaterThan(3);
    expect(md).toContain("(sensitive)");
    expect(md).toContain("(masked)");
  });

  test("a value marked sensitive at the top hides the whole object; one marked nested hides only that part", () => {
    const change = (before_sensitive: unknown): Plan =>
      parsePlan(
        JSON.stringify({
          format_version: "1.2",
          resource_changes: [
            {
              address: "juju_secret.db",
              type: "juju_secret",
              name: "db",
              change: {
                actions: ["update"],
                before: { name: "db", value: { password: "hunter2-old", user: "nova" } },
                after: { name: "db2", value: { password: "hunter2-new", user: "nova2" } },
                after_unknown: {},
                before_sensitive,
                after_sensitive: before_sensitive,
              },
            },
          ],
        }),
        "inline",
      );
    const top = report([["s", change(true)]]);
    expect(top).toContain("| <code>(whole object)</code> | <code>(sensitive)</code> | <code>(sensitive)</code> |");
    expect(top).not.toMatch(/hunter2|nova|db2/);
    const nested = report([["s", change({ value: { user: true } })]]);
    expect(nested).toContain("| <code>name</code> | <code>\"db\"</code> | <code>\"db2\"</code> |");
    expect(nested).toContain("| <code>value.user</code> | <code>(sensitive)</code> | <code>(sensitive)</code> |");
    expect(nested).toContain("| <code>value.password</code> | <code>(masked)</code> | <code>(masked)</code> |");
    expect(nested).not.toMatch(/hunter2|nova/);
  });

  test("no changes is said plainly", () => {
    for (const src of scenarioSources("no-changes")) {
      const one = report([["openstack", scenarioPlan("no-changes", src)]]);
      expect(one).toContain("**No changes.** Terraform plans no changes in stack <code>openstack</code>");
    }
    const md = report([["openstack", scenarioPlan("no-changes")]]);
    expect(md).toContain("**No changes.** Terraform plans no changes in stack <code>openstack</code>");
    expect(md).not.toContain("dangerous");
    expect(md).not.toContain("| Layer |");
    const two = report([["substrate", scenarioPlan("no-changes")], ["openstack", scenarioPlan("no-changes")]]);
    expect(two).toContain("**No changes.** Terraform plans no changes in any stack (<code>substrate</code>, <code>openstack</code>)");
  });

  test("several stacks share one comment: a summary line each, one dangerous list, the sticky marker first", () => {
    const md = report([["substrate", scenarioPlan("replace-machine")], ["openstack", scenarioPlan("delete-ceph-osd")]], { markerKey: "plan preview/cdktf.out" });
    expect(md.split("\n")[0]).toBe(markerFor("plan preview/cdktf.out"));
    expect(md.split("\n")[0]).toBe("<!-- plan-preview:plan preview/cdktf.out -->");
    expect(md).toMatch(/- \*\*substrate\*\*: .*to replace/);
    expect(md).toMatch(/- \*\*openstack\*\*: .*to delete/);
    const danger = dangerSection(md);
    expect(danger).toContain("<code>substrate</code>");
    expect(danger).toContain("<code>openstack</code>");
    expect(md.match(/dangerous change/g)).toHaveLength(1);
  });

  test("a failed stack is reported with Terraform's error and does not hide the others", () => {
    const md = renderPlanReport([failedStack("substrate", "Error: Instance cannot be destroyed <prevent_destroy>"), summarizePlan("openstack", scenarioPlan("no-changes"))]);
    expect(md).toContain("- **substrate**: ❌ plan failed");
    expect(md).toContain("Error: Instance cannot be destroyed &lt;prevent_destroy&gt;");
    expect(md).toContain("- **openstack**: no changes");
    expect(md).not.toContain("**No changes.**");
  });
});

/** A plan of `n` resources over every layer, each with a dozen attributes; every 120th is a dangerous replace. */
function hugePlan(n: number, dangerousEvery = 120): Plan {
  const types = ["maas_subnet", "maas_vlan", "maas_tag", "maas_network_interface_physical", "lxd_profile", "juju_ssh_key", "juju_offer", "juju_integration"];
  const kinds: string[][] = [["create"], ["update"], ["delete", "create"], ["delete"]];
  const rcs = Array.from({ length: n }, (_, i) => {
    const dangerous = i % dangerousEvery === 0;
    const type = dangerous ? "maas_machine" : types[i % types.length]!;
    const actions = dangerous ? ["delete", "create"] : i % 7 === 0 ? kinds[3]! : kinds[i % 3]!;
    const attrs = (v: number) => Object.fromEntries(Array.from({ length: 12 }, (_, k) => [`attribute_${k}`, `value-${i}-${k}-${v}-${"x".repeat(20)}`]));
    return {
      address: `${type}.r${String(i).padStart(4, "0")}`,
      mode: "managed",
      type,
      name: `r${i}`,
      provider_name: "registry.terraform.io/x/y",
      change: {
        actions,
        before: actions[0] === "create" ? null : { ...attrs(0), pxe_mac_address: "52:54:00:00:00:01" },
        after: actions.length === 1 && actions[0] === "delete" ? null : { ...attrs(1), pxe_mac_address: "52:54:00:00:00:02" },
        after_unknown: {},
        before_sensitive: {},
        after_sensitive: {},
        ...(actions.length === 2 ? { replace_paths: [["pxe_mac_address"]] } : {}),
      },
      ...(actions.length === 2 ? { action_reason: "replace_because_cannot_update" } : {}),
    };
  });
  return parsePlan(JSON.stringify({ format_version: "1.2", resource_changes: rcs }), "huge");
}

describe("size", () => {
  test("a plan of 3,000 resources stays under GitHub's limit; the dangerous list and the counts stay whole", () => {
    const plan = hugePlan(3000);
    const s = summarizePlan("substrate", plan);
    const md = renderPlanReport([s], { detailsHint: "download the `plans` artifact of this run" });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md.length).toBeLessThan(GITHUB_BODY_LIMIT);
    const dangerous = s.items.filter((i) => i.danger);
    expect(dangerous.length).toBe(25);
    const danger = dangerSection(md);
    for (const d of dangerous) expect(danger).toContain(`<code>${d.rc.address}</code>`);
    expect(md).toContain(`| **Total** | **${s.counts.create}** | **${s.counts.update}** | **${s.counts.replace}** | **${s.counts.delete}** |`);
    expect(s.counts.create + s.counts.update + s.counts.replace + s.counts.delete).toBe(3000);
    expect(md).toContain("Shortened to fit GitHub's comment size limit");
    expect(md).toContain("download the `plans` artifact of this run");
    // Attribute details go to the dangerous changes first; what does not fit is listed by address, or counted.
    const detailed = [...md.matchAll(/<details><summary><code>[^<]*<\/code> \w[\w ]* <code>([^<]+)<\/code>/g)].map((m) => m[1]);
    expect(detailed.length).toBeGreaterThan(0);
    expect(detailed).toEqual(dangerous.slice(0, detailed.length).map((d) => d.rc.address));
    expect(md).toMatch(/more changes, listed without attributes/);
    expect(md).toMatch(/more changes not listed here \(\d+ replace, \d+ delete, \d+ update, \d+ create\)/);
  });

  test("the first plan of the whole default site (three stacks, real Terraform) renders whole under the limit", () => {
    const stacks = (
      [
        ["substrate", "creates"],
        ["juju-controller", "site-juju-controller"],
        ["openstack", "site-openstack"],
      ] as const
    ).map(([name, scenario]) => summarizePlan(name, scenarioPlan(scenario)));
    const md = renderPlanReport(stacks, { markerKey: "plan preview/cdktf.out" });
    expect(md.length).toBeLessThanOrEqual(60_000);
    for (const s of stacks) {
      expect(s.counts.create).toBeGreaterThan(0);
      expect(md).toContain(`- **${s.name}**: ${s.counts.create} to create, ${s.counts.update} to update, 0 to replace, 0 to delete`);
      // Every change is at least listed by its address.
      for (const i of s.items) expect(md).toContain(`<code>${i.rc.address}</code>`);
    }
  });

  test("even 1,500 dangerous changes stay under the limit, with every count and a plain word that the list is cut", () => {
    const plan = hugePlan(1500, 1);
    const s = summarizePlan("substrate", plan);
    const md = renderPlanReport([s]);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toContain("### ⚠️ 1500 dangerous changes");
    expect(md).toMatch(/more dangerous changes do not fit in one comment/);
    expect(md).toContain(`| **Total** | **0** | **0** | **1500** | **0** |`);
  });

  test("long values are cut, saying how much", () => {
    const plan = parsePlan(
      JSON.stringify({
        format_version: "1.2",
        resource_changes: [{ address: "lxd_instance.a", type: "lxd_instance", change: { actions: ["update"], before: { config: { "user.user-data": "a" } }, after: { config: { "user.user-data": "b".repeat(1000) } } } }],
      }),
      "inline",
    );
    const md = report([["s", plan]]);
    expect(md).toMatch(/… \(\d+ more characters in the full plan\)/);
    expect(md).not.toContain("b".repeat(400));
  });
});

describe("plan input", () => {
  test("rejects what is not a plan, naming the file", () => {
    expect(() => parsePlan("{", "x.json")).toThrow(/x\.json: not JSON/);
    expect(() => parsePlan('{"format_version":"1.0","values":{}}', "state.json")).toThrow(/state\.json: not a Terraform plan \(this looks like a state/);
    expect(() => parsePlan('{"format_version":"2.0","resource_changes":[]}', "p.json")).toThrow(PlanInputError);
    expect(() => parsePlan('{"format_version":"1.2","resource_changes":[{"address":"a"}]}', "p.json")).toThrow(/resource_changes\.0/);
  });

  test("stack names come from the file's path", () => {
    expect(stackNameFromPath("plans/substrate.json")).toBe("substrate");
    expect(stackNameFromPath("out/openstack.plan.json")).toBe("openstack");
    expect(stackNameFromPath("cdktf.out/stacks/substrate/plan.json")).toBe("substrate");
  });
});

describe("plan-report CLI", () => {
  test("renders named plans to --out", () => {
    const c = captureIo();
    const code = main(["--out", "/tmp/r.md", "--marker", "k", `substrate=${scenarioFile("replace-machine")}`, `openstack=${scenarioFile("no-changes")}`], c.io);
    expect(code).toBe(0);
    const md = c.files.get("/tmp/r.md")!;
    expect(md.startsWith("<!-- plan-preview:k -->\n")).toBe(true);
    expect(md).toContain("- **substrate**:");
    expect(md).toContain("- **openstack**: no changes");
    expect(c.stdout).toEqual([]);
  });

  test("exits 1 with a message on stderr for a missing or bad plan", () => {
    const c = captureIo();
    expect(main(["/nonexistent/plan.json"], c.io)).toBe(1);
    expect(c.stderr.join("")).toMatch(/plan-report: \/nonexistent\/plan\.json: no such file/);
    const d = captureIo();
    expect(main([], d.io)).toBe(1);
    expect(d.stderr.join("")).toMatch(/no plan given/);
    const e = captureIo();
    expect(main(["--max-chars", "lots", scenarioFile("creates")], e.io)).toBe(1);
    expect(e.stderr.join("")).toMatch(/--max-chars must be a positive integer/);
  });
});

describe("docs/plan-previews.md", () => {
  test("its example comment and drift issue are what the code renders from its snapshot of real plans, which makes today's changes", () => {
    const { DOC, snapshotPlans, withExamples } = docsExample;
    const doc = readFileSync(DOC, "utf8");
    // If this fails after a change to the reports or to the stacks: npx tsx tools/reports/docs-example.ts
    expect(doc).toBe(withExamples(doc));
    const snap = snapshotPlans();
    const changes = (p: Plan) => [...p.resource_changes, ...p.resource_drift].filter((rc) => rc.change.actions.join() !== "no-op").map((rc) => `${rc.change.actions.join("/")} ${rc.address}`).sort();
    expect(changes(snap.replace)).toEqual(changes(scenarioPlan("replace-machine", "real worker")));
    expect(changes(snap.delete)).toEqual(changes(scenarioPlan("delete-ceph-osd", "real")));
    expect(changes(snap.drift)).toEqual(changes(scenarioPlan("drift", "real")));
    const n = [snap.replace, snap.delete].reduce((a, p) => a + summarizePlan("s", p).items.filter((i) => i.danger).length, 0);
    expect(n).toBeGreaterThan(1);
    expect(doc).toContain(`> ### ⚠️ ${n} dangerous changes`);
  });
});
