/**
 * `npm run -s sim:env`: builds the simulator if needed, seeds the twin's world for the selected site (`SITE`)
 * when the world folder is empty, and prints the shell lines under which plain `terraform` runs every stack
 * against it, in order, with throwaway credentials that only this world accepts:
 *
 *     eval "$(npm run -s sim:env)"
 *     cd cdktf.out/stacks/substrate && terraform init && terraform apply
 *
 * SIM_WORLD_DIR keeps its value when already set in the environment.
 */
import { loadSite, SiteError } from "../../constructs/site";
import { ensureSimulator, simulatorEnv } from "./build";
import { credentialEnv, seedWorlds } from "./seed";

const q = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

function main(): void {
  const site = loadSite();
  const install = ensureSimulator();
  const worldDir = process.env["SIM_WORLD_DIR"] || install.worldDir;
  const { credentials, seeded } = seedWorlds(site, worldDir);
  const env = { ...simulatorEnv(install, worldDir), ...credentialEnv(credentials) };
  const lines = Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`);
  lines.push("unset TF_PLUGIN_CACHE_DIR");
  lines.unshift(
    install.providers.length === 0
      ? "# warning: no vendored provider schemas found in providers/schemas/ - the mirror is empty"
      : `# provider simulator: ${install.providers.map((p) => `${p.address} ${p.version}`).join(", ")}`,
    `# twin world ${worldDir}: ${seeded ? "seeded now" : "already seeded"} for site ${site.name}; credentials are throwaway, valid only there`,
  );
  process.stdout.write(lines.join("\n") + "\n");
}

try {
  main();
} catch (err) {
  if (!(err instanceof SiteError)) throw err;
  process.stderr.write(`${err.message}\n`);
  process.exit(1);
}
