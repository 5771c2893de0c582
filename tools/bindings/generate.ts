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
import { ConstructsMaker } from "@cdktf/provider-generator";
import { Language, TerraformProviderConstraint } from "@cdktf/commons";
import { loadVendoredProviders, schemaCacheFileName } from "./vendored";

const root = path.resolve(__dirname, "..", "..");

async function main(): Promise<void> {
  const cdktfJson = JSON.parse(fs.readFileSync(path.join(root, "cdktf.json"), "utf8"));
  const constraints: TerraformProviderConstraint[] = (cdktfJson.terraformProviders as string[]).map(
    (c) => new TerraformProviderConstraint(c),
  );
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
