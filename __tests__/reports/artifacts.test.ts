/**
 * What the plan-preview and drift workflows upload holds no secret. run-stacks runs as the workflows run it, on our
 * stacks planned by real terraform against the provider simulator with canary secrets (a preview of every stack, then,
 * after an apply, a drift check whose plan carries the prior state); then every file the upload-artifact steps' paths
 * match is searched for each canary. The saved plans, kept out of the artifact, do hold them.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { processIo } from "../../tools/reports/cli-io";
import { loadPlanFile } from "../../tools/reports/plan-json";
import { renderPlanReport } from "../../tools/reports/render-plan";
import { main } from "../../tools/reports/run-stacks";
import { summarizePlan } from "../../tools/reports/summarize";
import { createBench, type Bench } from "../../tools/testbench";
import { ROOT, SECRET_MARKERS, STACKS, STACK_ENV, appScript, loopbackSite, seedTwin, startFakeMaas, synth, tempDir, type FakeMaas } from "../e2e/harness";

/** Secrets beyond the harness's: the first-run LXD trust token and a per-host IPMI password. */
const CANARY_ENV = { TF_VAR_ipmi_passwords: JSON.stringify({ "worker-2": "canary-ipmi-worker-2-77aa" }) };
/** The markers, plus the LXD trust token the twin minted for this world (seedTwin puts it in STACK_ENV). */
const canaries = (): string[] => [...SECRET_MARKERS, String(STACK_ENV["TF_VAR_lxd_trust_token"]), "canary-ipmi-worker-2-77aa"];

interface UploadStep {
  uses?: string;
  with?: { path?: string };
}
interface Workflow {
  jobs: Record<string, { env?: Record<string, string>; steps: UploadStep[] }>;
}

/** The upload-artifact paths of a workflow, with `${{ env.X }}` taken from the job's env, one glob per line. */
function uploadGlobs(file: string): string[] {
  const wf = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", file), "utf8")) as Workflow;
  return Object.values(wf.jobs).flatMap((job) =>
    job.steps
      .filter((s) => s.uses?.startsWith("actions/upload-artifact@"))
      .flatMap((s) => String(s.with?.path ?? "").split("\n").map((l) => l.trim()).filter(Boolean))
      .map((l) => l.replace(/\$\{\{\s*env\.([A-Z_]+)\s*\}\}/g, (_, name: string) => job.env?.[name] ?? `<unset ${name}>`)),
  );
}

/** The files under `root` a workflow glob (relative to the checkout, `*` within one folder level) matches. */
function matching(glob: string, checkout: string, files: readonly string[]): string[] {
  const re = new RegExp(`^${glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")}$`);
  return files.filter((f) => re.test(path.relative(checkout, f)));
}

const leaks = (text: string) => canaries().filter((c) => text.includes(c));

const WORKFLOWS = ["plan-preview.yml", "drift.yml"] as const;

describe("the workflow artifacts", () => {
  let bench: Bench;
  let maas: FakeMaas;
  let checkout: string;
  const stackDir = (stack: string) => path.join(checkout, "cdktf.out", "stacks", stack);
  /** The workflows' PLANS_DIR (cdktf.out/plans) of each run, as separate runs of the two workflows have it. */
  const runs = {} as Record<(typeof WORKFLOWS)[number], { checkout: string; plans: string }>;
  let env: NodeJS.ProcessEnv;
  const stderr: string[] = [];
  const io = { ...processIo, stdout: () => undefined, stderr: (t: string) => void stderr.push(t) };

  beforeAll(async () => {
    bench = createBench();
    seedTwin(bench);
    maas = await startFakeMaas();
    // A checkout's layout: cdktf.out/stacks as synthesized, and the plans folder of each workflow run beside it.
    checkout = tempDir("artifacts");
    const cdktfOut = path.join(checkout, "cdktf.out");
    synth(appScript(), checkout, loopbackSite(maas.port), { CDKTF_OUTDIR: cdktfOut });
    for (const wf of WORKFLOWS) {
      const root = path.join(checkout, "runs", wf);
      runs[wf] = { checkout: root, plans: path.join(root, "cdktf.out", "plans") };
    }
    env = { ...(await bench.toolEnv()), ...STACK_ENV, ...CANARY_ENV };
    const preview = main(["preview", "--no-synth", "--cdktf-out", cdktfOut, "--out-dir", runs["plan-preview.yml"].plans], io, env);
    expect({ preview, stderr }).toMatchObject({ preview: 0 });
    await bench.apply(stackDir("substrate"), [], { env: { ...STACK_ENV, ...CANARY_ENV } });
    const drift = main(["drift", "--no-synth", "--stack", "substrate", "--cdktf-out", cdktfOut, "--out-dir", runs["drift.yml"].plans], io, env);
    expect({ drift, stderr }).toMatchObject({ drift: 0 });
  }, 180_000);
  afterAll(async () => {
    bench?.dispose();
    await maas?.close();
    if (checkout) fs.rmSync(checkout, { recursive: true, force: true });
  });

  const planFiles = (wf: (typeof WORKFLOWS)[number]) => fs.readdirSync(runs[wf].plans).map((f) => path.join(runs[wf].plans, f));
  const perStack = (stacks: readonly string[]) => stacks.flatMap((st) => [`${st}.json`, `${st}.plan.txt`, `${st}.init.log`, `${st}.plan.log`]);
  const expected = { "plan-preview.yml": ["plan-report.md", ...perStack(STACKS)], "drift.yml": ["substrate.drift.md", ...perStack(["substrate"])] };

  it.each(WORKFLOWS)("%s uploads the report, the masked JSON plans, the plan text and the logs; no saved plan", (wf) => {
    const globs = uploadGlobs(wf);
    expect(globs).toEqual(["cdktf.out/plans/*.md", "cdktf.out/plans/*.json", "cdktf.out/plans/*.plan.txt", "cdktf.out/plans/*.log"]);
    const uploaded = globs.flatMap((g) => matching(g, runs[wf].checkout, planFiles(wf)));
    expect(uploaded.map((f) => path.basename(f)).sort()).toEqual(expected[wf].sort());
    expect(["x.tfplan", "x.tfstate"].filter((f) => globs.some((g) => matching(g, ".", [path.join(path.dirname(g), f)]).length))).toEqual([]);
  });

  it.each(WORKFLOWS)("no file %s uploads, nor any other in its plans folder, holds a canary secret", (wf) => {
    const found = planFiles(wf).flatMap((f) => leaks(fs.readFileSync(f, "utf8")).map((c) => `${path.basename(f)}: ${c}`));
    expect(found).toEqual([]);
  });

  it("the saved plans, which stay on the runner, do hold them (so the check above is not vacuous)", async () => {
    const raw = async (stack: string) => (await bench.tfOk(stackDir(stack), ["show", "-json", "plan.tfplan"], [0], { env })).stdout;
    // juju-controller: the MAAS API key in `variables`; substrate's drift plan: the IPMI passwords in its prior state.
    expect(leaks(await raw("juju-controller"))).toEqual(expect.arrayContaining(["e2e-token-2c9d", "e2e-secret-4a2b"]));
    const substrate = await raw("substrate");
    expect(JSON.parse(substrate).prior_state).toBeDefined();
    expect(leaks(substrate)).toEqual(expect.arrayContaining(["e2e-ipmi-password-7d1f", "canary-ipmi-worker-2-77aa", String(STACK_ENV["TF_VAR_lxd_trust_token"])]));
  });

  it("the masked JSON still is the plan: plan-report renders from it the very comment the workflow posted", () => {
    const { plans } = runs["plan-preview.yml"];
    const posted = fs.readFileSync(path.join(plans, "plan-report.md"), "utf8");
    expect(posted).toContain("- **openstack**: 131 to create");
    const fromArtifact = STACKS.map((st) => summarizePlan(st, loadPlanFile(path.join(plans, `${st}.json`))));
    expect(renderPlanReport(fromArtifact, { detailsHint: `read \`${plans}/<stack>.plan.txt\`` })).toBe(posted);
  });
});
