/** Keeps the generated section of docs/architecture.md (the default site's Mermaid figures) in step with the model. */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Site } from "../../constructs/site/model";

export const BEGIN = "<!-- BEGIN GENERATED: npm run diagrams -->";
export const END = "<!-- END GENERATED: npm run diagrams -->";

/** The generated section: links to the SVG/PNG files and both Mermaid figures, read from `figuresDir`. */
export function generatedSection(site: Site, docPath: string, figuresDir: string): string {
  const rel = (file: string) => path.relative(path.dirname(docPath), path.join(figuresDir, file)).split(path.sep).join("/");
  const mermaid = (name: string) => fs.readFileSync(path.join(figuresDir, `${name}.mmd`), "utf8").trimEnd();
  const pngs = fs.existsSync(path.join(figuresDir, "network.png"));
  const files = (name: string) => `[${name}.svg](${rel(`${name}.svg`)})${pngs ? `, [${name}.png](${rel(`${name}.png`)})` : ""}, [${name}.mmd](${rel(`${name}.mmd`)})`;
  return [
    BEGIN,
    `<!-- Generated from ${site.source} (site "${site.name}"); edit the site file and run npm run diagrams, not this section. -->`,
    "",
    `### Network architecture (${site.name})`,
    "",
    `Files: ${files("network")}`,
    "",
    "```mermaid",
    mermaid("network"),
    "```",
    "",
    `### Service architecture (${site.name})`,
    "",
    `Files: ${files("services")}`,
    "",
    "```mermaid",
    mermaid("services"),
    "```",
    END,
  ].join("\n");
}

/** Replaces the section between the markers (or appends one) and returns the document's path. */
export function updateArchitectureDoc(site: Site, docPath: string, figuresDir: string): string {
  const section = generatedSection(site, docPath, figuresDir);
  const current = fs.existsSync(docPath) ? fs.readFileSync(docPath, "utf8") : "# Architecture\n";
  const start = current.indexOf(BEGIN);
  const stop = current.indexOf(END);
  const next =
    start >= 0 && stop > start
      ? current.slice(0, start) + section + current.slice(stop + END.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  fs.mkdirSync(path.dirname(docPath), { recursive: true });
  fs.writeFileSync(docPath, next);
  return docPath;
}
