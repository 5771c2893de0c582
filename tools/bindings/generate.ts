/**
 * Generates the typed provider bindings in .gen/providers/{maas,lxd,juju,openstack} offline.
 *
 * It drives the very code path `cdktf get` uses (ConstructsMaker from @cdktf/provider-generator),
 * with the experimental schema cache that `cdktf get` reads from CDKTF_EXPERIMENTAL_PROVIDER_SCHEMA_CACHE_PATH.
 * The cache is filled from the vendored schemas in providers/schemas, so no terraform binary and no registry
 * are needed, and the output (layout, constraints.json, versions.json) is what `cdktf get` writes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadVendoredProviders, schemaCacheFileName } from "./vendored";

const root = path.resolve(__dirname, "..", "..");

/**
 * Loading @cdktf/commons runs `terraform version -json` (for cdktf's debug report, unused here) and logs whatever
 * terraform prints on stderr as an `[ERROR]`: a TF_CLI_CONFIG_FILE naming a missing file, for one, makes every
 * `npm ci` look broken. Generation needs no terraform, so that lookup gets an empty CLI configuration (the null
 * device, which outlives the lookup running in the background) and no checkpoint call (terraform's update check,
 * and cdktf's telemetry should the lookup fail).
 */
function quietTerraformLookup(): void {
  process.env.TF_CLI_CONFIG_FILE = os.devNull;
  process.env.CHECKPOINT_DISABLE = "1";
}

async function main(): Promise<void> {
  quietTerraformLookup();
  // Loaded only now: the lookup runs when the module loads.
  const { ConstructsMaker } = await import("@cdktf/provider-generator");
  const { Language, TerraformProviderConstraint } = await import("@cdktf/commons");
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
  const constraints = (cdktfJson.terraformProviders as string[]).map((c) => new TerraformProviderConstraint(c));
  const vendored = loadVendoredProviders();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-schema-cache-"));
  try {
    for (const constraint of constraints) {
      const provider = vendored.find((p) => p.meta.source === constraint.source);
      if (!provider) {
        throw new Error(
          `cdktf.json names provider "${constraint.source}" but providers/schemas has no vendored schema for it; ` +
            `add providers/schemas/<name>.json and .meta.json (see providers/README.md).`,
        );
      }
      fs.writeFileSync(path.join(cacheDir, schemaCacheFileName(constraint)), JSON.stringify(provider.schema));
    }
    const outdir = path.join(root, cdktfJson.codeMakerOutput ?? ".gen");
    const maker = new ConstructsMaker({ targetLanguage: Language.TYPESCRIPT, codeMakerOutput: outdir }, cacheDir);
    const started = Date.now();
    await maker.generate(constraints, await maker.filterAlreadyGenerated(constraints));
    await maker.removeFoldersThatShouldNotExist(constraints);
    console.log(`bindings: ${constraints.map((c) => c.source).join(", ")} -> ${path.relative(root, outdir)}/providers (${Date.now() - started} ms)`);
  } finally {
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
