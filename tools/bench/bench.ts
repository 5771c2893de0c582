/**
 * Speed and scale benchmark (`npm run bench`): prints figures, asserts nothing.
 *
 * For the default site and generated sites of 50, 200 and 1,000 workers it measures, as fresh
 * processes: the project's real `app` command (what `cdktf synth` runs), its peak memory, the
 * resources per stack, the stock cdktf path (`npx ts-node main.ts`, type-checking) for comparison,
 * and `terraform validate` / `terraform plan` of every stack against the provider simulator.
 *
 *   npm run bench [-- --runs 5] [-- --sizes 50,200,1000] [-- --no-stock] [-- --no-terraform]
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { generatedSiteYaml } from "../sitegen/generate";
import { createBench, vendoredProviders, type Bench } from "../testbench";
import { STACK_ENV, seedTwin } from "../testbench/scenarios";
import { load as loadYaml } from "js-yaml";

const ROOT = path.resolve(__dirname, "..", "..");
const STACKS = ["substrate", "juju-controller", "openstack", "cloud"] as const;

interface Args {
  runs: number;
  sizes: number[];
  stock: boolean;
  terraform: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  return {
    runs: Number(value("--runs") ?? 5),
    sizes: (value("--sizes") ?? "50,200,1000").split(",").map(Number),
    stock: !argv.includes("--no-stock"),
    terraform: !argv.includes("--no-terraform"),
  };
}

interface Sample {
  ms: number;
  rssMiB: number;
}

interface SiteCase {
  label: string;
  workers: number;
  site: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const spread = (xs: number[]) => `${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))}`;

/** Runs a command as a fresh process with the site selected; returns wall time and the app's peak RSS. */
function timed(command: string, args: string[], site: string, outdir: string): Sample {
  const rssFile = path.join(outdir, "rss");
  fs.rmSync(outdir, { recursive: true, force: true });
  fs.mkdirSync(outdir, { recursive: true });
  const started = process.hrtime.bigint();
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: {
      ...process.env,
      SITE: site,
      CDKTF_OUTDIR: outdir,
      BENCH_RSS_FILE: rssFile,
      NODE_OPTIONS: `--require ${path.join(__dirname, "peak-rss.cjs")}`,
    },
    encoding: "utf8",
  });
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed for ${site}:\n${result.stderr}`);
  const rssKiB = fs.existsSync(rssFile) ? Number(fs.readFileSync(rssFile, "utf8")) : NaN;
  return { ms, rssMiB: rssKiB / 1024 };
}

function resourceCounts(outdir: string): Record<string, number> {
  return Object.fromEntries(
    STACKS.map((stack) => {
      const file = path.join(outdir, "stacks", stack, "cdk.tf.json");
      if (!fs.existsSync(file)) return [stack, 0];
      const json = JSON.parse(fs.readFileSync(file, "utf8"));
      return [stack, Object.values<Record<string, unknown>>(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0)];
    }),
  );
}

async function terraformTimes(bench: Bench, outdir: string): Promise<Record<string, { validate: number; plan: number }>> {
  const times: Record<string, { validate: number; plan: number }> = {};
  for (const stack of STACKS) {
    const dir = path.join(outdir, "stacks", stack);
    await bench.tfOk(dir, ["init", "-input=false"]);
    const validate = await bench.tfOk(dir, ["validate"], [0], { env: STACK_ENV });
    const plan = await bench.tfOk(dir, ["plan", "-input=false", "-refresh=false", "-lock=false"], [0], { env: STACK_ENV });
    times[stack] = { validate: validate.ms, plan: plan.ms };
  }
  return times;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const cases: SiteCase[] = [{ label: "default (2 workers)", workers: 2, site: "default" }];
  for (const workers of args.sizes) {
    const zones = Math.max(3, Math.ceil(workers / 40));
    const file = path.join(work, `scale-${workers}.yaml`);
    fs.writeFileSync(file, generatedSiteYaml({ workers, zones }));
    cases.push({ label: `${workers} workers, ${zones} zones`, workers, site: file });
  }

  console.log(`# Benchmark (${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}, load ${os.loadavg()[0].toFixed(1)})\n`);
  // Builds dist/app.cjs and its code cache once, so every measured run is what a user's second synth costs.
  spawnSync("node", ["tools/app/run.cjs"], { cwd: ROOT, stdio: "ignore", env: { ...process.env, CDKTF_OUTDIR: path.join(work, "warm") } });

  const rows: string[] = [];
  const medians = new Map<number, number>();
  const stockRatios: string[] = [];
  let bench: Bench | undefined;
  for (const c of cases) {
    const outdir = path.join(work, "out");
    const app = Array.from({ length: args.runs }, () => timed("node", ["tools/app/run.cjs"], c.site, outdir));
    const counts = resourceCounts(outdir);
    medians.set(c.workers, median(app.map((s) => s.ms)));
    let tf = "";
    if (args.terraform) {
      // A twin world per site, seeded as README "Before the first plan" says: the twin's rules are on.
      bench?.dispose();
      bench = createBench({ providers: vendoredProviders() });
      const file = c.site === "default" ? path.join(ROOT, "sites", "default.yaml") : c.site;
      seedTwin(bench, loadYaml(fs.readFileSync(file, "utf8")));
      const times = await terraformTimes(bench, outdir);
      tf = STACKS.map((s) => `${s} ${(times[s].validate / 1000).toFixed(1)} / ${(times[s].plan / 1000).toFixed(1)}`).join("<br>");
    }
    rows.push(
      `| ${c.label} | ${Math.round(median(app.map((s) => s.ms)))} (${spread(app.map((s) => s.ms))}) | ` +
        `${Math.round(Math.max(...app.map((s) => s.rssMiB)))} | ` +
        `${STACKS.map((s) => counts[s]).join(" / ")} | ${tf} |`,
    );
    if (args.stock && (c.workers === 2 || c.workers === 200)) {
      const stock = Array.from({ length: Math.min(args.runs, 3) }, () => timed("npx", ["ts-node", "main.ts"], c.site, outdir));
      const ratio = median(stock.map((s) => s.ms)) / median(app.map((s) => s.ms));
      stockRatios.push(`| ${c.label} | ${Math.round(median(stock.map((s) => s.ms)))} (${spread(stock.map((s) => s.ms))}) | ${Math.round(median(app.map((s) => s.ms)))} | ${ratio.toFixed(1)}× |`);
    }
  }
  bench?.dispose();

  console.log("## Synth as a fresh process (ms: median (min–max); MiB: peak RSS of the app)\n");
  console.log(`| site | app command (\`node tools/app/run.cjs\`), ms | peak MiB | resources substrate / juju-controller / openstack / cloud | terraform validate / plan, s (simulator) |`);
  console.log("|---|---|---|---|---|");
  rows.forEach((r) => console.log(r));
  if (stockRatios.length) {
    console.log("\n## Against the stock cdktf path (`npx ts-node main.ts`, type-checking)\n");
    console.log("| site | stock ms | ours ms | speed-up |\n|---|---|---|---|");
    stockRatios.forEach((r) => console.log(r));
  }
  const sizes = [...medians.keys()].filter((w) => w > 2).sort((a, b) => a - b);
  if (sizes.length >= 2) {
    console.log("\n## Growth (app command, median)\n");
    for (let i = 1; i < sizes.length; i++) {
      const [a, b] = [sizes[i - 1], sizes[i]];
      console.log(`- ${a} → ${b} workers: ${((medians.get(b)! - medians.get(a)!) / (b - a)).toFixed(2)} ms per added worker`);
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
