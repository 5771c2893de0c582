/**
 * `npm run -s sim:env` seeds the twin for SITE and prints everything a hand-run `terraform apply` of every
 * stack needs: each variable the stacks declare without a default, and the providers' own settings.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CREDENTIALS_FILE } from "../../tools/simulator/seed";
import { STACKS, appScript, defaultSite, synth, tempDir } from "../e2e/harness";

const ROOT = path.join(__dirname, "..", "..");

function simEnv(world: string): { status: number | null; exports: Map<string, string>; stderr: string } {
  const r = spawnSync(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "tools", "simulator", "env.ts")], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, SITE: "default", SIM_WORLD_DIR: world },
  });
  const exports = new Map<string, string>();
  for (const m of r.stdout.matchAll(/^export ([A-Z_a-z0-9]+)='((?:[^']|'\\'')*)'$/gm)) exports.set(m[1]!, m[2]!.replace(/'\\''/g, "'"));
  return { status: r.status, exports, stderr: r.stderr };
}

test("prints a value for every variable the stacks need, from a world it seeded once, with credentials kept only there", () => {
  const world = fs.mkdtempSync(path.join(os.tmpdir(), "sim-env-"));
  try {
    const s = synth(appScript(), tempDir("sim-env"), defaultSite());
    const first = simEnv(world);
    expect(first.status).toBe(0);
    for (const stack of STACKS) {
      const variables = (s.json(stack).variable ?? {}) as Record<string, { default?: unknown }>;
      for (const [name, v] of Object.entries(variables)) if (!("default" in v)) expect([stack, first.exports.has(`TF_VAR_${name}`)]).toEqual([stack, true]);
    }
    for (const name of ["MAAS_API_KEY", "OS_AUTH_URL", "TF_CLI_CONFIG_FILE", "SIM_WORLD_DIR"]) expect(first.exports.has(name)).toBe(true);
    expect(first.exports.get("TF_VAR_lxd_client_certificate")).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(fs.readdirSync(world).sort()).toEqual([CREDENTIALS_FILE, "juju.json", "lxd.json", "maas.json", "openstack.json"].sort());
    // A second call keeps the world and its credentials.
    const second = simEnv(world);
    expect(second.exports.get("MAAS_API_KEY")).toBe(first.exports.get("MAAS_API_KEY"));
    expect(second.exports.get("TF_VAR_lxd_trust_token")).toBe(first.exports.get("TF_VAR_lxd_trust_token"));
    fs.rmSync(path.dirname(s.out), { recursive: true, force: true });
  } finally {
    fs.rmSync(world, { recursive: true, force: true });
  }
});
