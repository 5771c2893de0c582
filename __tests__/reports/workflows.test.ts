/**
 * Lints the plan-preview and drift workflows: the action-validator schema check, then the rules of
 * docs/plan-previews.md (permissions, runner, secrets only in env, no injection, shell syntax), then runs their
 * github-script steps against a fake GitHub API.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { validateWorkflow } from "@action-validator/core";
import { parse } from "yaml";

const ROOT = join(__dirname, "../..");
const WORKFLOWS = ["plan-preview.yml", "drift.yml"] as const;

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  if?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Job {
  "runs-on": string[];
  if?: string;
  env?: Record<string, string>;
  steps: Step[];
  strategy?: { matrix: Record<string, unknown> };
}
interface Workflow {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  concurrency: { group: string; "cancel-in-progress": boolean };
  jobs: Record<string, Job>;
}

const source = (f: string) => readFileSync(join(ROOT, ".github/workflows", f), "utf8");
const load = (f: string) => parse(source(f)) as Workflow;
const steps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);

describe.each(WORKFLOWS)("%s", (file) => {
  const wf = load(file);

  test("passes action-validator with no error", () => {
    const state = validateWorkflow(source(file));
    expect(state.actionType).toBe("workflow");
    expect(state.errors).toEqual([]);
  });

  test("runs on the self-hosted lab runner with a timeout", () => {
    for (const job of Object.values(wf.jobs)) {
      expect(job["runs-on"]).toEqual(["self-hosted", "openstack-lab"]);
      expect((job as { "timeout-minutes"?: number })["timeout-minutes"]).toBeGreaterThan(0);
    }
  });

  test("secrets appear only as step environment of the step that runs Terraform, never in a script", () => {
    for (const job of Object.values(wf.jobs)) {
      for (const v of Object.values(job.env ?? {})) expect(String(v)).not.toMatch(/secrets\./);
      for (const step of job.steps) {
        expect(step.run ?? "").not.toMatch(/secrets\./);
        expect(JSON.stringify(step.with ?? {})).not.toMatch(/secrets\./);
        const secretEnv = Object.values(step.env ?? {}).filter((v) => /secrets\./.test(String(v)));
        if (secretEnv.length) expect(step.run).toMatch(/npm run --silent (preview|drift) -- /);
      }
    }
  });

  test("no script echoes a secret or expands untrusted event text", () => {
    for (const step of steps(wf)) {
      const text = `${step.run ?? ""}\n${String(step.with?.script ?? "")}`;
      expect(text).not.toMatch(/\$\{\{\s*github\.event\.(pull_request\.(title|body|head\.ref|head\.label)|issue|comment)/);
      expect(text).not.toMatch(/echo[^\n]*\$(MAAS_API_KEY|JUJU_PASSWORD|PG_CONN_STR|AWS_SECRET_ACCESS_KEY|TF_VAR_|TF_HTTP_PASSWORD)/);
      expect(text).not.toMatch(/set -x|TF_LOG/);
      expect(text).not.toMatch(/\$\{\{/);
    }
  });

  test("every run script is valid bash", () => {
    const dir = mkdtempSync(join(tmpdir(), "wf-"));
    steps(wf)
      .filter((s) => s.run)
      .forEach((s, i) => {
        const f = join(dir, `${i}.sh`);
        writeFileSync(f, s.run!);
        const r = spawnSync("bash", ["--noprofile", "--norc", "-n", f], { encoding: "utf8" });
        expect([s.name, r.status, r.stderr]).toEqual([s.name, 0, ""]);
      });
  });

  test("pins the actions to a major version and keeps the plans as an artifact", () => {
    for (const s of steps(wf).filter((x) => x.uses)) expect(s.uses).toMatch(/^actions\/[a-z-]+@v\d+$/);
    const upload = steps(wf).find((s) => s.uses?.startsWith("actions/upload-artifact@"))!;
    expect(upload.if).toBe("${{ !cancelled() }}");
    expect(upload.with?.["retention-days"]).toBeLessThanOrEqual(14);
  });

  test("every secret it uses is documented", () => {
    const docs = readFileSync(join(ROOT, "docs/plan-previews.md"), "utf8");
    const used = new Set([...source(file).matchAll(/secrets\.([A-Z0-9_]+)/g)].map((m) => m[1]!));
    expect(used.size).toBeGreaterThan(5);
    for (const s of used) expect([s, docs.includes(`\`${s}\``)]).toEqual([s, true]);
  });
});

describe("plan-preview.yml", () => {
  const wf = load("plan-preview.yml");

  test("runs on pull requests, one run per PR at a time, with contents read and pull-requests write only", () => {
    expect(Object.keys(wf.on)).toEqual(["pull_request"]);
    expect(wf.permissions).toEqual({ contents: "read", "pull-requests": "write" });
    expect(wf.concurrency.group).toContain("${{ github.event.pull_request.number }}");
    expect(wf.jobs.plan!.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
  });

  test("installs, synthesizes, plans every stack and reports, in that order", () => {
    const s = wf.jobs.plan!.steps;
    const at = (re: RegExp) => s.findIndex((x) => re.test(`${x.uses ?? ""} ${x.run ?? ""}`));
    const order = [/actions\/checkout@/, /actions\/setup-node@/, /npm ci/, /npm run --silent synth/, /npm run --silent preview -- --no-synth/, /actions\/github-script@/, /actions\/upload-artifact@/].map(at);
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const node = s.find((x) => x.uses?.startsWith("actions/setup-node@"))!;
    expect(node.with).toEqual({ "node-version": 20, cache: "npm" });
    expect(s.find((x) => x.id === "plan")!.run).toContain("set -o pipefail");
  });
});

describe("drift.yml", () => {
  const wf = load("drift.yml");

  test("runs on a schedule and by hand, per stack, with contents read and issues write only", () => {
    expect(Object.keys(wf.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
    expect((wf.on.schedule as { cron: string }[])[0]!.cron).toMatch(/^\S+ \S+ \S+ \S+ \S+$/);
    expect(wf.permissions).toEqual({ contents: "read", issues: "write" });
    // One job per stack of the site, as synthesized (substrate, juju-controller when the site bootstraps it, openstack).
    expect(wf.jobs.drift!.strategy!.matrix.stack).toBe("${{ fromJSON(needs.stacks.outputs.stacks) }}");
    expect((wf.jobs.drift as unknown as { needs: string }).needs).toBe("stacks");
    expect(wf.jobs.stacks!.steps.find((x) => x.id === "list")!.run).toContain("npx tsx tools/reports/run-stacks.ts list");
  });

  test("fails the job on an error (exit 1) and acts on the issue only for 0 and 2", () => {
    const s = wf.jobs.drift!.steps;
    const check = s.find((x) => x.id === "drift")!;
    expect(check.run).toContain("npm run --silent drift -- --no-synth --stack \"$STACK\"");
    expect(check.run).toMatch(/\*\) echo "::error[^\n]*\n\s*exit 1 ;;/);
    expect(s.find((x) => x.uses?.startsWith("actions/github-script@"))!.if).toBe("steps.drift.outputs.rc == '0' || steps.drift.outputs.rc == '2'");
  });

  test("the drift step maps each exit code of run-stacks as documented", () => {
    const run = wf.jobs.drift!.steps.find((x) => x.id === "drift")!.run!;
    const dir = mkdtempSync(join(tmpdir(), "drift-step-"));
    for (const [rc, stepStatus] of [[0, 0], [2, 0], [1, 1], [3, 1]] as const) {
      // A fake npm that exits with the given code stands in for the real plan.
      writeFileSync(join(dir, "npm"), `#!/bin/sh\necho report\nexit ${rc}\n`, { mode: 0o755 });
      const out = join(dir, `out-${rc}`);
      const r = spawnSync("bash", ["--noprofile", "--norc", "-e", "-c", run], {
        encoding: "utf8",
        env: { PATH: `${dir}:${process.env.PATH}`, STACK: "substrate", PLANS_DIR: dir, GITHUB_OUTPUT: out, GITHUB_STEP_SUMMARY: join(dir, "summary") },
      });
      expect([rc, r.status]).toEqual([rc, stepStatus]);
      expect(readFileSync(out, "utf8")).toBe(`rc=${rc}\n`);
    }
  });
});

/** Runs a github-script step's script with a fake `github`, `context` and `core`. */
async function runScript(step: Step, env: Record<string, string>, api: Record<string, jest.Mock>, paginate: (fn: unknown) => unknown[]) {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const github = { rest: { issues: api }, paginate: jest.fn(async (fn: unknown) => paginate(fn)) };
    const context = { repo: { owner: "o", repo: "r" }, issue: { number: 7 } };
    const core = { info: jest.fn(), notice: jest.fn(), warning: jest.fn() };
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (...a: string[]) => (...a: unknown[]) => Promise<unknown>;
    await new AsyncFunction("require", "github", "context", "core", String(step.with!.script))(require, github, context, core);
  } finally {
    process.env = saved;
  }
}

describe("the sticky comment", () => {
  const step = load("plan-preview.yml").jobs.plan!.steps.find((s) => s.uses?.startsWith("actions/github-script@"))!;
  const dir = mkdtempSync(join(tmpdir(), "sticky-"));
  const report = join(dir, "plan-report.md");
  const key = "plan preview/cdktf.out";
  writeFileSync(report, `<!-- plan-preview:${key} -->\n## Terraform plan preview\n`);
  const env = { REPORT: report, MARKER_KEY: key, RUN_URL: "https://example.invalid/run/1" };
  const api = () => ({ listComments: jest.fn(), updateComment: jest.fn(async () => ({})), createComment: jest.fn(async () => ({ data: { html_url: "u" } })) });

  test("is created once, then updated in place", async () => {
    const a = api();
    await runScript(step, env, a, () => [{ id: 1, user: { type: "User" }, body: "LGTM" }]);
    expect(a.createComment).toHaveBeenCalledWith(expect.objectContaining({ issue_number: 7, body: expect.stringContaining("## Terraform plan preview") }));
    const b = api();
    await runScript(step, env, b, () => [{ id: 1, user: { type: "User" }, body: "LGTM" }, { id: 42, user: { type: "Bot" }, body: `<!-- plan-preview:${key} -->\nold`, html_url: "u" }]);
    expect(b.createComment).not.toHaveBeenCalled();
    expect(b.updateComment).toHaveBeenCalledWith(expect.objectContaining({ comment_id: 42, body: expect.stringContaining("## Terraform plan preview") }));
  });

  test("never takes over a person's comment that quotes the marker", async () => {
    const a = api();
    await runScript(step, env, a, () => [{ id: 5, user: { type: "User" }, body: `<!-- plan-preview:${key} -->\nquoted` }]);
    expect(a.updateComment).not.toHaveBeenCalled();
    expect(a.createComment).toHaveBeenCalled();
  });

  test("says the preview failed when no report was written", async () => {
    const a = api();
    await runScript(step, { ...env, REPORT: join(dir, "missing.md") }, a, () => []);
    expect(a.createComment).toHaveBeenCalledWith(expect.objectContaining({ body: expect.stringMatching(/^<!-- plan-preview:plan preview\/cdktf.out -->\n[\s\S]*failed before any plan/) }));
  });
});

describe("the drift issue", () => {
  const step = load("drift.yml").jobs.drift!.steps.find((s) => s.uses?.startsWith("actions/github-script@"))!;
  const dir = mkdtempSync(join(tmpdir(), "drift-issue-"));
  const report = join(dir, "substrate.drift.md");
  writeFileSync(report, "<!-- drift:substrate -->\n## Drift in stack <code>substrate</code>\n");
  const env = (rc: string) => ({ STACK: "substrate", DRIFT_RC: rc, REPORT: report, RUN_URL: "https://example.invalid/run/1" });
  const api = () => ({
    listForRepo: jest.fn(),
    getLabel: jest.fn(async () => {
      throw Object.assign(new Error("Not Found"), { status: 404 });
    }),
    createLabel: jest.fn(async () => ({})),
    create: jest.fn(async () => ({ data: { html_url: "u" } })),
    update: jest.fn(async () => ({})),
    createComment: jest.fn(async () => ({})),
  });
  const issue = { number: 9, title: "Drift detected in stack substrate", body: "<!-- drift:substrate -->\nold", html_url: "u" };

  test("is opened with its labels on drift", async () => {
    const a = api();
    await runScript(step, env("2"), a, () => []);
    expect(a.createLabel).toHaveBeenCalledTimes(2);
    expect(a.create).toHaveBeenCalledWith(expect.objectContaining({ title: "Drift detected in stack substrate", labels: ["drift", "stack:substrate"], body: expect.stringContaining("## Drift in stack") }));
  });

  test("is updated, not repeated, while the drift lasts; another stack's issue is left alone", async () => {
    const a = api();
    await runScript(step, env("2"), a, () => [{ number: 3, title: "Drift detected in stack openstack", body: "<!-- drift:openstack -->" }, issue]);
    expect(a.create).not.toHaveBeenCalled();
    expect(a.update).toHaveBeenCalledWith(expect.objectContaining({ issue_number: 9, body: expect.stringContaining("## Drift in stack") }));
  });

  test("is closed with a comment when the stack is clean, and nothing happens when there is none", async () => {
    const a = api();
    await runScript(step, env("0"), a, () => [issue]);
    expect(a.createComment).toHaveBeenCalledWith(expect.objectContaining({ issue_number: 9 }));
    expect(a.update).toHaveBeenCalledWith(expect.objectContaining({ issue_number: 9, state: "closed" }));
    const b = api();
    await runScript(step, env("0"), b, () => []);
    expect(b.update).not.toHaveBeenCalled();
    expect(b.create).not.toHaveBeenCalled();
  });
});
