/**
 * A small, renderer-neutral description of a figure: boxes (with rows edges can attach to), nested
 * groups and links. Each figure is built once from the model and written both as Graphviz DOT and as
 * Mermaid, so the SVG/PNG and the Mermaid in the docs always show the same things.
 */
import { ipToInt } from "../../constructs/site/ipv4";

export type Tone =
  | "bmc"
  | "management"
  | "external"
  | "uplink"
  | "host"
  | "vm"
  | "bridge"
  | "container"
  | "worker"
  | "identity"
  | "compute"
  | "network"
  | "storage"
  | "database"
  | "messaging"
  | "secrets"
  | "dashboard"
  | "other";

/** A row of a box: a NIC with its address, an application. */
export interface Row {
  readonly text: string;
  readonly tone?: Tone;
  /** Small, unshaded print belonging to the row above (a subordinate under its principal). */
  readonly minor?: boolean;
}

export interface Box {
  readonly id: string;
  readonly title: string;
  /** Small print under the title (hostnames of a worker group, a segment's details). */
  readonly notes?: readonly string[];
  readonly rows?: readonly Row[];
  readonly tone: Tone;
  readonly tooltip?: string;
}

export interface Group {
  readonly id: string;
  readonly title: string;
  readonly tone: Tone;
  readonly boxes: readonly Box[];
  readonly groups: readonly Group[];
  /** Layout hint: boxes in a grid this many wide (in TB figures) rather than all side by side. */
  readonly columns?: number;
}

export interface Link {
  /** Box ids. */
  readonly from: string;
  readonly to: string;
  readonly label?: string;
  readonly style: "solid" | "dashed" | "bold";
  readonly tone?: Tone;
  /** Draw an arrow head (a control or dependency direction); cables have none. */
  readonly arrow?: boolean;
  /** Layout hint: the link does not pull its ends into different ranks. */
  readonly loose?: boolean;
}

export interface Figure {
  readonly id: string;
  readonly title: string;
  readonly direction: "TB" | "LR";
  readonly groups: readonly Group[];
  readonly boxes: readonly Box[];
  readonly links: readonly Link[];
  /** Layout hints: box ids that share a rank (a row in TB), top to bottom. */
  readonly ranks: readonly (readonly string[])[];
  /** Layout hints: [above, below] box pairs, to stack parts of a figure that have no links between them. */
  readonly above?: readonly (readonly [string, string])[];
}

/** Fill colours per tone, shared by both renderers (light fills, readable black text). */
export const TONE_FILL: Readonly<Record<Tone, string>> = {
  bmc: "#fde2c8",
  management: "#d4e4fa",
  external: "#d5f0d5",
  uplink: "#eeeeee",
  host: "#f4f4f4",
  vm: "#fff7d6",
  bridge: "#e9e3f5",
  container: "#ffffff",
  worker: "#f4f4f4",
  identity: "#fbe3ea",
  compute: "#fff0c2",
  network: "#d5f0d5",
  storage: "#e6dcf5",
  database: "#d4e4fa",
  messaging: "#ffe0cc",
  secrets: "#e0e0e0",
  dashboard: "#d9f2f2",
  other: "#ffffff",
};

export const TONE_STROKE: Readonly<Record<Tone, string>> = {
  bmc: "#c0692a",
  management: "#2f64b0",
  external: "#2e8b3a",
  uplink: "#666666",
  host: "#444444",
  vm: "#a08000",
  bridge: "#6a4fa3",
  container: "#777777",
  worker: "#444444",
  identity: "#b0355d",
  compute: "#a08000",
  network: "#2e8b3a",
  storage: "#6a4fa3",
  database: "#2f64b0",
  messaging: "#c0692a",
  secrets: "#555555",
  dashboard: "#2a8a8a",
  other: "#777777",
};

/** An identifier both Graphviz and Mermaid accept, stable for a given name (never an index). */
export function idFor(kind: string, name: string): string {
  return `${kind}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** Every box of a figure, including those inside groups. */
export function allBoxes(figure: Figure): Box[] {
  const walk = (group: Group): Box[] => [...group.boxes, ...group.groups.flatMap(walk)];
  return [...figure.boxes, ...figure.groups.flatMap(walk)];
}

/** "10.20.1.20 – 10.20.1.35" for a set of addresses (lowest to highest), or the single address. */
export function addressSpan(addresses: readonly string[]): string {
  const sorted = [...new Set(addresses)].sort((a, b) => ipToInt(a) - ipToInt(b));
  if (sorted.length === 0) return "";
  return sorted.length === 1 ? sorted[0] : `${sorted[0]} – ${sorted[sorted.length - 1]} (${sorted.length})`;
}

/** Words joined into lines of at most `width` characters, for labels that must not grow too wide. */
export function wrap(words: readonly string[], width: number, separator = " "): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of words) {
    const next = line ? line + separator + word : word;
    if (line && next.length > width) {
      lines.push(line + separator.trimEnd());
      line = word;
    } else {
      line = next;
    }
  }
  if (line) lines.push(line);
  return lines;
}

export { byHostname } from "../../constructs/site/model";
