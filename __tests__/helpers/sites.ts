/** Test helpers: the default site as mutable data, and parsing a variant of it. */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { parseSite, SiteError, type Site } from "../../constructs/site";
import { generateSite, type GeneratedSiteOptions } from "../../tools/sitegen/generate";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type SiteData = any;

export function defaultSiteData(): SiteData {
  return parse(fs.readFileSync(path.join(__dirname, "..", "..", "sites", "default.yaml"), "utf8"));
}

/** The default site after `edit`, parsed and validated as a JSON document. */
export function siteWith(edit: (site: SiteData) => void, allowDestroy?: string): Site {
  const data = defaultSiteData();
  edit(data);
  return parseSite(JSON.stringify(data), "test-site.json", allowDestroy);
}

export function generatedSite(options: GeneratedSiteOptions, allowDestroy?: string): Site {
  return parseSite(JSON.stringify(generateSite(options)), `scale-${options.workers}.json`, allowDestroy);
}

/** The problems the site rules find in the default site after `edit`, as "path: message" lines; [] when it is accepted. */
export function siteProblems(edit: (site: SiteData) => void): string[] {
  try {
    siteWith(edit);
  } catch (err) {
    if (err instanceof SiteError) return err.problems.map((p) => `${p.path}: ${p.message}`);
    throw err;
  }
  return [];
}
