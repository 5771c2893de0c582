/** Figure → Mermaid flowchart, for GitHub to render in the docs: each box one node, its notes and rows as label lines. */
import { TONE_FILL, TONE_STROKE, allBoxes, type Box, type Figure, type Group, type Link, type Tone } from "./figure";

const text = (value: string) => value.replace(/&/g, "&amp;").replace(/"/g, "#quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function boxLine(box: Box, indent: string): string {
  const lines = [`<b>${text(box.title)}</b>`, ...(box.notes ?? []).map((n) => `<small>${text(n)}</small>`), ...(box.rows ?? []).map((r) => text(r.text))];
  return `${indent}${box.id}["${lines.join("<br/>")}"]:::${box.tone}`;
}

function groupLines(group: Group, indent: string): string[] {
  return [
    `${indent}subgraph ${group.id}["${text(group.title)}"]`,
    ...group.boxes.map((b) => boxLine(b, indent + "  ")),
    ...group.groups.flatMap((g) => groupLines(g, indent + "  ")),
    `${indent}end`,
  ];
}

function linkLine(link: Link): string {
  const label = link.label ? `|"${text(link.label)}"|` : "";
  const shaft = link.style === "dashed" ? (link.arrow ? "-.->" : "-.-") : link.style === "bold" ? (link.arrow ? "==>" : "===") : link.arrow ? "-->" : "---";
  return `  ${link.from} ${shaft}${label} ${link.to}`;
}

export function toMermaid(figure: Figure): string {
  const tones = [...new Set(allBoxes(figure).map((b) => b.tone))].sort() as Tone[];
  return [
    "---",
    `title: ${JSON.stringify(figure.title)}`,
    "---",
    `flowchart ${figure.direction}`,
    ...figure.groups.flatMap((g) => groupLines(g, "  ")),
    ...figure.boxes.map((b) => boxLine(b, "  ")),
    ...figure.links.map(linkLine),
    ...tones.map((t) => `  classDef ${t} fill:${TONE_FILL[t]},stroke:${TONE_STROKE[t]},color:#000`),
    "",
  ].join("\n");
}
