/**
 * `npm run diagrams [-- --site <name|path>]... [--all] [--out <dir>] [--no-png]`
 *
 * Draws the network and service architecture of a site from the same model the stacks use, into
 * <out>/<site name>/{network,services}.{svg,png,mmd} (default out: docs/diagrams). The site comes from
 * --site, else SITE like the app, else the default site; --all draws every site in sites/. Drawing the
 * default site also rewrites the generated section of architecture.md next to <out> (docs/architecture.md).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_SITE, loadSite, PROJECT_ROOT, resolveSitePath, selectionFromEnvironment, SITES_DIR } from "../../constructs/site/load";
import type { Site } from "../../constructs/site/model";
import { updateArchitectureDoc } from "./docs";
import { toDot } from "./dot";
import type { Figure } from "./figure";
import { toMermaid } from "./mermaid";
import { networkFigure } from "./network";
import { dotToSvg } from "./layout";
import { fontFiles, svgToPng } from "./png";
import { servicesFigure } from "./services";

export interface Options {
  readonly sites: readonly string[];
  readonly out: string;
  readonly png: boolean;
}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Options {
  const sites: string[] = [];
  let out = path.join(PROJECT_ROOT, "docs", "diagrams");
  let png = true;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined || next.startsWith("--")) throw new Error(`${arg} needs a value`);
      return next;
    };
    if (arg === "--site") sites.push(value());
    else if (arg === "--out") out = path.resolve(value());
    else if (arg === "--no-png") png = false;
    else if (arg === "--all") sites.push(...allSiteNames());
    else throw new Error(`unknown argument ${arg}; usage: npm run diagrams -- [--site <name|path>]... [--all] [--out <dir>] [--no-png]`);
  }
  if (sites.length === 0) sites.push(selectionFromEnvironment(env).site ?? DEFAULT_SITE);
  return { sites: [...new Set(sites)], out, png };
}

function allSiteNames(): string[] {
  return fs
    .readdirSync(SITES_DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f) && !f.endsWith(".schema.json"))
    .map((f) => f.replace(/\.(ya?ml|json)$/, ""))
    .sort();
}

export interface Written {
  readonly site: Site;
  readonly files: readonly string[];
}

/** Both figures of one site, as files in <out>/<site name>/. */
export async function drawSite(site: Site, out: string, fonts: readonly string[] | undefined): Promise<Written> {
  const dir = path.join(out, site.name);
  fs.mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  const write = (name: string, data: string | Buffer) => {
    fs.writeFileSync(path.join(dir, name), data);
    files.push(path.join(dir, name));
  };
  const figures: [string, Figure][] = [
    ["network", networkFigure(site)],
    ["services", servicesFigure(site)],
  ];
  for (const [name, figure] of figures) {
    const svg = await dotToSvg(toDot(figure));
    write(`${name}.svg`, svg);
    write(`${name}.mmd`, toMermaid(figure));
    if (fonts) write(`${name}.png`, svgToPng(svg, fonts));
  }
  return { site, files };
}

export async function main(argv: readonly string[]): Promise<void> {
  const options = parseArgs(argv);
  const fonts = options.png ? fontFiles() : undefined;
  const defaultFile = resolveSitePath(DEFAULT_SITE);
  for (const name of options.sites) {
    const started = Date.now();
    const site = loadSite({ site: name });
    const written = await drawSite(site, options.out, fonts);
    const rel = (f: string) => path.relative(process.cwd(), f);
    console.log(`${site.name}: ${written.files.map(rel).join(", ")} (${Date.now() - started} ms)`);
    if (resolveSitePath(name) === defaultFile) {
      const doc = updateArchitectureDoc(site, path.join(path.dirname(options.out), "architecture.md"), path.join(options.out, site.name));
      console.log(`${site.name}: ${rel(doc)} updated`);
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err: Error) => {
    console.error(err.message);
    process.exit(1);
  });
}
