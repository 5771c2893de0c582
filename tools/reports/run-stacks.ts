/**
 * run-stacks: the same plan preview or drift check on a workstation and in CI.
 *
 *   tsx tools/reports/run-stacks.ts preview [options]   synth, per stack init + plan + show -json, plan-report
 *   tsx tools/reports/run-stacks.ts drift   [options]   synth, per stack init + plan -refresh-only + show -json, drift-report
 *   tsx tools/reports/run-stacks.ts list    [options]   synth, then the stacks as a JSON array (for a CI matrix)
 *
 * Options: --stack NAME (repeatable; default every stack in cdktf.out), --no-synth, --cdktf-out DIR (default
 * cdktf.out), --out-dir DIR (default cdktf.out/plans), --marker KEY, --context MARKDOWN, --details-hint MARKDOWN.
 *
 * Writes into --out-dir only what is safe to share (the workflows upload it): per stack <stack>.json (show -json with
 * every secret masked, tools/reports/redact.ts), <stack>.plan.txt (show, sensitive values redacted by Terraform),
 * <stack>.init.log, <stack>.plan.log (secret values scrubbed); and plan-report.md or <stack>.drift.md, which it also
 * prints. The saved plan, which holds secrets in clear, stays in the stack's folder as plan.tfplan (to apply exactly
 * what was reviewed), and the unmasked JSON is never written. Terraform runs with -no-color and -input=false; its
 * output goes to the log files, not the console.
 *
 * Exit code, preview: 0 reported, 1 a stack failed (the report still says which, with Terraform's error).
 * Exit code, drift: 0 no drift, 2 drift in some stack, 1 error in some stack (before anything else).
 *
 * An empty TF_VAR_x (GitHub's value for a secret that is not set) is dropped when variable x is not a string.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { processIo, type Io } from "./cli-io";
import { parsePlan, type Plan } from "./plan-json";
import { redactShowJson, scrubSecrets } from "./redact";
import { renderDriftReport } from "./render-drift";
import { renderPlanReport } from "./render-plan";
import { failedStack, skippedStack, summarizePlan, type StackSummary } from "./summarize";

export interface StackDir {
  readonly name: string;
  /** Absolute path of the stack's Terraform working directory. */
  readonly dir: string;
}

interface Manifest {
  readonly stacks?: Record<string, { readonly workingDirectory?: string; readonly dependencies?: readonly string[] }>;
}

/** Stacks of a synthesized app, dependencies first (from manifest.json), else the stack directories by name. */
export function discoverStacks(cdktfOut: string): StackDir[] {
  const manifestFile = join(cdktfOut, "manifest.json");
  if (existsSync(manifestFile)) {
    const m = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
    const stacks = m.stacks ?? {};
    const order: string[] = [];
    const visit = (n: string, path: string[]) => {
      if (order.includes(n) || !stacks[n]) return;
      if (path.includes(n)) throw new Error(`stack dependency cycle: ${[...path, n].join(" -> ")}`);
      for (const d of stacks[n]!.dependencies ?? []) visit(d, [...path, n]);
      order.push(n);
    };
    for (const n of Object.keys(stacks).sort()) visit(n, []);
    return order.map((n) => ({ name: n, dir: resolve(cdktfOut, stacks[n]!.workingDirectory ?? join("stacks", n)) }));
  }
  const root = join(cdktfOut, "stacks");
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((n) => existsSync(join(root, n, "cdk.tf.json")))
    .sort()
    .map((n) => ({ name: n, dir: resolve(root, n) }));
}

interface Run {
  readonly status: number;
  readonly stdout: string;
  /** stdout then stderr, for the logs. */
  readonly output: string;
}

function run(cmd: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv): Run {
  const r = spawnSync(cmd, args, { cwd, env, encoding: "utf8", maxBuffer: 1 << 30 });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === "ENOENT") {
    const where = cmd === (env.TERRAFORM_BIN || "terraform") ? "; install Terraform ≥ 1.5 (README \"Before the first plan\") or set TERRAFORM_BIN to its path" : "; install Node 20 with npm";
    return { status: 1, stdout: "", output: `${cmd} is not installed or not on PATH${where}` };
  }
  if (r.error) return { status: 1, stdout: "", output: `${cmd}: ${r.error.message}` };
  return { status: r.status ?? 1, stdout: r.stdout ?? "", output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

export type Mode = "preview" | "drift";

export interface StackResult {
  readonly stack: StackDir;
  /** The plan, unmasked (the reports mask what they print), when it succeeded. */
  readonly plan?: Plan;
  readonly error?: string;
  /** Not planned: it needs outputs of a stack that has not been deployed (or whose outputs are not given). */
  readonly skipped?: string;
}

/**
 * Why a stack cannot be planned yet, or undefined. A required variable (no default) whose description says it is
 * `output <name> of the <stack> stack` and that the environment does not set means that stack has not been
 * deployed: the openstack stack's provider dials the Juju controller while planning, and there is none before the
 * juju-controller stack is applied.
 */
export function missingStackOutputs(stack: StackDir, env: NodeJS.ProcessEnv): string | undefined {
  const file = join(stack.dir, "cdk.tf.json");
  if (!existsSync(file)) return undefined;
  const vars = (JSON.parse(readFileSync(file, "utf8")) as { variable?: Record<string, { default?: unknown; description?: string }> }).variable ?? {};
  const missing = new Map<string, string[]>();
  for (const [name, v] of Object.entries(vars)) {
    const from = /output \S+.* of the (\S+) stack/.exec(v.description ?? "")?.[1];
    if (!from || v.default !== undefined || env[`TF_VAR_${name}`]) continue;
    missing.set(from, [...(missing.get(from) ?? []), `TF_VAR_${name}`]);
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing].map(([from, names]) => `deploy the \`${from}\` stack first, then set ${names.map((n) => `\`${n}\``).join(", ")} from its outputs`);
  return `Skipped: this stack plans against what other stacks create, and its inputs from them are not set; ${parts.join("; ")} (docs/openstack.md, "The operator's run").`;
}

/**
 * GitHub Actions passes a secret that is not set as an empty string. For a variable of type string that is a value
 * (""), but for a map, list or number Terraform fails to parse it; so an empty TF_VAR_ of a variable whose type is
 * not string counts as not set, and the variable keeps its default.
 */
export function stackEnv(stack: StackDir, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const file = join(stack.dir, "cdk.tf.json");
  if (!existsSync(file)) return env;
  const vars = ((JSON.parse(readFileSync(file, "utf8")) as { variable?: Record<string, { type?: string }> }).variable ?? {});
  const out = { ...env };
  for (const [name, v] of Object.entries(vars)) {
    if (out[`TF_VAR_${name}`] === "" && (v.type ?? "string") !== "string") delete out[`TF_VAR_${name}`];
  }
  return out;
}

/** init, plan (-refresh-only for drift) with -detailed-exitcode, show -json and show. */
export function planStack(stack: StackDir, mode: Mode, outDir: string, baseEnv: NodeJS.ProcessEnv, io: Io): StackResult {
  const env = stackEnv(stack, baseEnv);
  const skipped = missingStackOutputs(stack, env);
  if (skipped) return { stack, skipped };
  const tf = env.TERRAFORM_BIN || "terraform";
  const base = join(outDir, stack.name);
  // In the stack's folder, not outDir: a saved plan holds every secret in clear.
  const planFile = join(stack.dir, "plan.tfplan");
  const init = run(tf, [`-chdir=${stack.dir}`, "init", "-input=false", "-no-color"], process.cwd(), env);
  io.writeFile(`${base}.init.log`, scrubSecrets(init.output, env));
  if (init.status !== 0) return { stack, error: `terraform init failed (exit ${init.status}):\n${scrubSecrets(tail(init.output, 40), env)}` };
  const planArgs = [`-chdir=${stack.dir}`, "plan", "-input=false", "-no-color", "-lock-timeout=10m", "-detailed-exitcode", `-out=${planFile}`];
  if (mode === "drift") planArgs.push("-refresh-only");
  const plan = run(tf, planArgs, process.cwd(), env);
  io.writeFile(`${base}.plan.log`, scrubSecrets(plan.output, env));
  if (plan.status !== 0 && plan.status !== 2) {
    return { stack, error: `terraform plan failed (exit ${plan.status}):\n${scrubSecrets(tail(plan.output, 40), env)}` };
  }
  const json = run(tf, [`-chdir=${stack.dir}`, "show", "-json", planFile], process.cwd(), env);
  if (json.status !== 0) return { stack, error: `terraform show -json failed (exit ${json.status}):\n${scrubSecrets(tail(json.output, 20), env)}` };
  const parsed = parsePlan(json.stdout, `terraform show -json of ${stack.name}`);
  io.writeFile(`${base}.json`, JSON.stringify(redactShowJson(JSON.parse(json.stdout), { env })));
  const text = run(tf, [`-chdir=${stack.dir}`, "show", "-no-color", planFile], process.cwd(), env);
  io.writeFile(`${base}.plan.txt`, scrubSecrets(text.stdout, env));
  return { stack, plan: parsed };
}

function synth(env: NodeJS.ProcessEnv, io: Io): void {
  const pkg = existsSync("package.json") ? (JSON.parse(readFileSync("package.json", "utf8")) as { scripts?: Record<string, string> }) : {};
  const r = pkg.scripts?.synth ? run("npm", ["run", "--silent", "synth"], process.cwd(), env) : run("npx", ["cdktf", "synth"], process.cwd(), env);
  if (r.status !== 0) throw new Error(`synth failed (exit ${r.status}):\n${scrubSecrets(tail(r.output, 40), env)}`);
  io.stderr("run-stacks: synthesized\n");
}

export function main(argv: readonly string[], io: Io = processIo, env: NodeJS.ProcessEnv = process.env): number {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        stack: { type: "string", multiple: true },
        "no-synth": { type: "boolean" },
        "cdktf-out": { type: "string" },
        "out-dir": { type: "string" },
        marker: { type: "string" },
        context: { type: "string" },
        "details-hint": { type: "string" },
      },
    });
    const mode = positionals[0];
    if ((mode !== "preview" && mode !== "drift" && mode !== "list") || positionals.length !== 1) {
      throw new Error("usage: run-stacks <preview|drift|list> [--stack NAME]... [--no-synth] [--cdktf-out DIR] [--out-dir DIR] [--marker KEY] [--context MD] [--details-hint MD]");
    }
    const cdktfOut = resolve(values["cdktf-out"] ?? "cdktf.out");
    const outDir = resolve(values["out-dir"] ?? join(cdktfOut, "plans"));
    const tfEnv: NodeJS.ProcessEnv = { ...env, TF_IN_AUTOMATION: "1", TF_INPUT: "0" };
    if (!values["no-synth"]) synth(tfEnv, io);
    let stacks = discoverStacks(cdktfOut);
    if (values.stack?.length) {
      const unknown = values.stack.filter((s) => !stacks.some((d) => d.name === s));
      if (unknown.length) throw new Error(`no such stack in ${cdktfOut}: ${unknown.join(", ")} (have: ${stacks.map((s) => s.name).join(", ") || "none"})`);
      stacks = stacks.filter((s) => values.stack!.includes(s.name));
    }
    if (stacks.length === 0) throw new Error(`no synthesized stacks in ${cdktfOut}; run the synth first`);
    if (mode === "list") {
      io.stdout(JSON.stringify(stacks.map((s) => s.name)) + "\n");
      return 0;
    }
    const hint = values["details-hint"] ? { detailsHint: values["details-hint"] } : { detailsHint: `read \`${outDir}/<stack>.plan.txt\`` };
    const results = stacks.map((s) => {
      io.stderr(`run-stacks: ${mode} ${s.name}\n`);
      return planStack(s, mode, outDir, tfEnv, io);
    });

    if (mode === "preview") {
      const summaries: StackSummary[] = results.map((r) =>
        r.plan ? summarizePlan(r.stack.name, r.plan) : r.skipped ? skippedStack(r.stack.name, r.skipped) : failedStack(r.stack.name, r.error!),
      );
      const md = renderPlanReport(summaries, {
        ...(values.marker ? { markerKey: values.marker } : {}),
        ...(values.context ? { context: values.context } : {}),
        ...hint,
      });
      io.writeFile(join(outDir, "plan-report.md"), md);
      io.stdout(md);
      const failed = results.filter((r) => r.error);
      for (const f of failed) io.stderr(`run-stacks: stack ${f.stack.name}: ${f.error}\n`);
      return failed.length ? 1 : 0;
    }

    let drift = false;
    let error = false;
    for (const r of results) {
      if (r.skipped) {
        io.stderr(`run-stacks: stack ${r.stack.name}: ${r.skipped}\n`);
        continue;
      }
      if (r.error) {
        error = true;
        io.stderr(`run-stacks: stack ${r.stack.name}: ${r.error}\n`);
        continue;
      }
      const report = renderDriftReport(r.stack.name, r.plan!, {
        ...(values.marker ? { markerKey: values.marker } : {}),
        ...(values.context ? { context: values.context } : {}),
        ...hint,
      });
      io.writeFile(join(outDir, `${r.stack.name}.drift.md`), report.markdown);
      io.stdout(report.markdown);
      drift ||= report.drifted;
    }
    return error ? 1 : drift ? 2 : 0;
  } catch (e) {
    io.stderr(`run-stacks: ${(e as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
