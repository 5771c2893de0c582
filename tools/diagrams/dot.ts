/** Figure → Graphviz DOT, with HTML-like table labels : a bold title, small notes, shaded rows. */
import { TONE_FILL, TONE_STROKE, type Box, type Figure, type Group, type Link } from "./figure";

/** Graphviz estimates text width from the built-in metrics of this face; the PNG renderer maps it to a font of similar width. */
export const FONT = "Helvetica";

const html = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
const quote = (text: string) => `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;

function boxLabel(box: Box): string {
  const cells = [`<TR><TD BGCOLOR="${TONE_FILL[box.tone]}" ALIGN="CENTER"><B>${html(box.title)}</B></TD></TR>`];
  for (const note of box.notes ?? []) {
    cells.push(`<TR><TD BORDER="0" ALIGN="LEFT"><FONT POINT-SIZE="11">${html(note)}</FONT></TD></TR>`);
  }
  for (const row of box.rows ?? []) {
    const fill = row.tone ? ` BGCOLOR="${TONE_FILL[row.tone]}"` : "";
    cells.push(
      row.minor
        ? `<TR><TD${fill} ALIGN="LEFT" CELLPADDING="2">    <FONT POINT-SIZE="10">${html(row.text)}</FONT></TD></TR>`
        : `<TR><TD${fill} ALIGN="LEFT" SIDES="T">${html(row.text)}</TD></TR>`,
    );
  }
  return `<<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="4">${cells.join("")}</TABLE>>`;
}

function boxDot(box: Box, indent: string): string {
  const attrs = [`label=${boxLabel(box)}`, `color="${TONE_STROKE[box.tone]}"`];
  if (box.tooltip) attrs.push(`tooltip=${quote(box.tooltip)}`);
  return `${indent}${box.id} [${attrs.join(", ")}];`;
}

function groupDot(group: Group, indent: string): string[] {
  return [
    `${indent}subgraph cluster_${group.id} {`,
    `${indent}  label=<<B>${html(group.title)}</B>>; style="rounded,filled"; fillcolor="${TONE_FILL[group.tone]}"; color="${TONE_STROKE[group.tone]}";`,
    ...group.boxes.map((b) => boxDot(b, indent + "  ")),
    ...group.groups.flatMap((g) => groupDot(g, indent + "  ")),
    ...(group.columns ? group.boxes.slice(group.columns).map((b, i) => `${indent}  ${group.boxes[i].id} -> ${b.id} [style=invis];`) : []),
    `${indent}}`,
  ];
}

function linkDot(link: Link): string {
  const color = link.tone ? TONE_STROKE[link.tone] : "#555555";
  const attrs = [`color="${color}"`, `dir=${link.arrow ? "forward" : "none"}`];
  if (link.style === "dashed") attrs.push("style=dashed");
  if (link.style === "bold") attrs.push("penwidth=2.5");
  if (link.label) attrs.push(`label=${quote(link.label)}`, `fontcolor="${color}"`);
  if (link.loose) attrs.push("constraint=false");
  return `  ${link.from} -> ${link.to} [${attrs.join(", ")}];`;
}

export function toDot(figure: Figure): string {
  return [
    `digraph ${figure.id} {`,
    `  graph [rankdir=${figure.direction}, label=${quote(figure.title)}, labelloc=t, fontsize=18, fontname="${FONT}", nodesep=0.35, ranksep=0.6, newrank=true, ordering=out, bgcolor="white", pad=0.3];`,
    `  node [shape=box, style="rounded,filled", fillcolor="white", fontname="${FONT}", fontsize=12, margin=0];`,
    `  edge [fontname="${FONT}", fontsize=12, arrowsize=0.7];`,
    ...figure.groups.flatMap((g) => groupDot(g, "  ")),
    ...figure.boxes.map((b) => boxDot(b, "  ")),
    ...figure.links.map(linkDot),
    ...figure.ranks.map((rank) => `  { rank=same; ${rank.join("; ")}; }`),
    ...(figure.above ?? []).map(([top, bottom]) => `  ${top} -> ${bottom} [style=invis, weight=0];`),
    "}",
    "",
  ].join("\n");
}
