/**
 * `npm run -s sim:env`: builds the simulator if needed and prints the shell
 * lines under which plain `terraform` runs against it:
 *
 *     eval "$(npm run -s sim:env)"
 *     cd cdktf.out/stacks/<stack> && terraform init && terraform plan
 *
 * SIM_WORLD_DIR keeps its value when already set in the environment.
 */
import { ensureSimulator, simulatorEnv } from "./build";

const install = ensureSimulator();
const env = simulatorEnv(install, process.env["SIM_WORLD_DIR"] || install.worldDir);
const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;
const lines = Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`);
lines.push("unset TF_PLUGIN_CACHE_DIR");
if (install.providers.length === 0) {
  lines.unshift("# warning: no vendored provider schemas found in providers/schemas/ - the mirror is empty");
} else {
  lines.unshift(`# provider simulator: ${install.providers.map((p) => `${p.address} ${p.version}`).join(", ")}`);
}
process.stdout.write(lines.join("\n") + "\n");
