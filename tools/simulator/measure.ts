/**
 * Measures the simulator: plugin start-up (spawn to handshake line) and a
 * plan/apply cycle of the fixture provider, with plugins started by
 * Terraform and reattached. Run: `npx tsx tools/simulator/measure.ts [runs]`.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import { createBench, fixtureProvider, stackDir, vendoredProviders } from "../testbench";
import { ensureSimulator } from "./build";

const runs = Number(process.argv[2] ?? 10);
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function startOnce(executable: string, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(executable, [], { env, stdio: ["ignore", "pipe", "ignore"] });
    child.stdout.once("data", () => {
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
      child.kill("SIGTERM");
    });
    child.on("error", reject);
  });
}

async function main(): Promise<void> {
  const install = ensureSimulator({ stateDir: fs.mkdtempSync(`${os.tmpdir()}/sim-measure-`), providers: [...vendoredProviders(), fixtureProvider()] });
  const env = {
    ...process.env,
    TF_PLUGIN_MAGIC_COOKIE: "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
    PLUGIN_PROTOCOL_VERSIONS: "5,6",
    PLUGIN_CLIENT_CERT: "-----BEGIN CERTIFICATE-----\nunused\n-----END CERTIFICATE-----\n",
    SIM_WORLD_DIR: install.worldDir,
  };
  const node: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    spawnSync(process.execPath, ["-e", "0"]);
    node.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}; bare \`node -e 0\`: median ${median(node).toFixed(0)} ms`);
  for (const p of install.providers) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) times.push(await startOnce(p.executable, env));
    console.log(`plugin start ${p.address}: median ${median(times).toFixed(0)} ms, min ${Math.min(...times).toFixed(0)} ms`);
  }

  for (const reattach of [false, true]) {
    const bench = createBench({ providers: [fixtureProvider()], reattach });
    bench.world.put("sim", "sim_image", "img-1", { name: "jammy", size: 3 });
    const dir = stackDir({ "main.tf.json": fs.readFileSync(`${__dirname}/__fixtures__/measure.tf.json`, "utf8") });
    const t: string[] = [];
    const step = async (label: string, args: string[], codes = [0]): Promise<void> => {
      const r = await bench.tfOk(dir, args, codes);
      t.push(`${label} ${r.ms} ms`);
    };
    await step("init", ["init", "-input=false"]);
    await step("plan", ["plan", "-input=false", "-out=p.tfplan"]);
    await step("apply", ["apply", "-input=false", "p.tfplan"]);
    await step("plan(no-op)", ["plan", "-input=false", "-detailed-exitcode"]);
    await step("destroy", ["destroy", "-input=false", "-auto-approve"]);
    console.log(`fixture cycle, ${reattach ? "reattached" : "plugins started by terraform"}: ${t.join(", ")}`);
    bench.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  fs.rmSync(install.stateDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
