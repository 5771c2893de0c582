/**
 * Typed access to the vendored charm catalog (catalog/*.json): each charm's endpoints, interfaces and
 * config options at a recorded source commit, the reference bundle, and the consistent channel set.
 * The plan checks every relation and config key against it, so a typo fails at synth, not at deploy.
 */
import charmsFile from "./catalog/charms.json";
import channelsFile from "./catalog/channels.json";
import referenceFile from "./catalog/reference-bundle.json";

export type EndpointRole = "provides" | "requires" | "peers";

export interface CharmConfigOption {
  readonly type: string;
  readonly default: unknown;
}

export interface Charm {
  readonly name: string;
  readonly subordinate: boolean;
  readonly bases?: readonly string[];
  readonly provides: Readonly<Record<string, string>>;
  readonly requires: Readonly<Record<string, string>>;
  readonly peers: Readonly<Record<string, string>>;
  readonly extraBindings: readonly string[];
  readonly containerScoped: readonly string[];
  readonly config: Readonly<Record<string, CharmConfigOption>>;
  readonly source: { readonly repo: string; readonly commit: string; readonly path: string };
}

export interface Endpoint {
  readonly name: string;
  readonly role: EndpointRole;
  readonly interface: string;
}

type RawCharm = Omit<Charm, "name">;
const charms = (charmsFile as unknown as { charms: Record<string, RawCharm> }).charms;

export const CATALOG = {
  /** "2024.1 (caracal)"; sites name the release by its number, {@link CATALOG.releaseNumber}. */
  release: channelsFile.openstackRelease,
  releaseNumber: channelsFile.openstackRelease.split(" ")[0],
  base: channelsFile.ubuntuBase,
  origin: channelsFile.openstackOrigin,
  channels: channelsFile.channels as Readonly<Record<string, string>>,
  /**
   * Optional revision pins, per charm, each recorded with the channel it was taken from: two sites deployed a month
   * apart then run the same charm code. Without a pin a charm deploys the channel's latest revision.
   */
  revisions: ((channelsFile as { revisions?: unknown }).revisions ?? {}) as Readonly<Record<string, { readonly channel: string; readonly revision: number }>>,
  why: channelsFile.why,
  reference: {
    source: referenceFile.source,
    relations: referenceFile.relations as unknown as readonly (readonly [string, string])[],
  },
} as const;

export function charmNames(): string[] {
  return Object.keys(charms);
}

export function charm(name: string): Charm {
  const raw = charms[name];
  if (!raw) throw new Error(`charm ${name} is not in the catalog (constructs/openstack/catalog/charms.json); known charms: ${charmNames().join(", ")}`);
  return { name, ...raw };
}

/**
 * An endpoint of a charm, or undefined. `juju-info` is Juju's implicit endpoint: every principal charm
 * provides it without declaring it.
 */
export function endpointOf(c: Charm, endpoint: string): Endpoint | undefined {
  for (const role of ["provides", "requires", "peers"] as const) {
    const iface = c[role][endpoint];
    if (iface !== undefined) return { name: endpoint, role, interface: iface };
  }
  if (endpoint === "juju-info" && !c.subordinate) return { name: endpoint, role: "provides", interface: "juju-info" };
  return undefined;
}

export function endpointNames(c: Charm): string[] {
  return [...Object.keys(c.provides), ...Object.keys(c.requires), ...Object.keys(c.peers)];
}

/** What is wrong with option `key` of charm `c`, with the nearest valid names; undefined when the charm has it. */
export function optionProblem(c: Charm, key: string): string | undefined {
  if (key in c.config) return undefined;
  const near = nearest(key, Object.keys(c.config));
  return (
    `charm ${c.name} has no option "${key}"${near.length ? `; did you mean ${near.join(", ")}?` : ""} ` +
    `(options are listed in constructs/openstack/catalog/charms.json, from ${c.source.repo}@${c.source.commit.slice(0, 12)})`
  );
}

/**
 * What is wrong with `value` for option `key` (which the charm has) given its declared type, with an example of a
 * valid one; undefined when it fits. juju_application.config is a map of strings, so a number or boolean may also be
 * written as a string, but Juju rejects "two hours" for an int only at deploy time.
 */
export function valueProblem(c: Charm, key: string, value: string | number | boolean): string | undefined {
  const option = c.config[key];
  const text = String(value).trim();
  const fits: Record<string, boolean> = {
    int: typeof value !== "boolean" && /^-?\d+$/.test(text),
    float: typeof value !== "boolean" && text !== "" && Number.isFinite(Number(text)),
    boolean: typeof value === "boolean" || text === "true" || text === "false",
  };
  if (fits[option.type] ?? true) return undefined;
  const example = { int: "a whole number such as 3600", float: "a number such as 1.5", boolean: "true or false" }[option.type];
  return `option ${key} of charm ${c.name} is of type ${option.type}, got ${JSON.stringify(value)}; give ${example} (the charm's default is ${JSON.stringify(option.default)})`;
}

/** The valid names closest to a misspelt one (shared prefix or small edit distance), nearest first. */
export function nearest(key: string, valid: readonly string[]): string[] {
  const scored = valid.map((v) => ({ v, d: editDistance(key, v) }));
  return scored
    .filter(({ v, d }) => d <= Math.max(2, Math.floor(key.length / 3)) || v.startsWith(key.slice(0, 4)) || v.includes(key))
    .sort((x, y) => x.d - y.d)
    .slice(0, 5)
    .map(({ v }) => v);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const next = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = row[j];
      row[j] = next;
    }
  }
  return row[b.length];
}

/** A Charmhub channel: [<track>/]<risk>[/<branch>]. */
export const CHANNEL_PATTERN = /^([a-z0-9][a-z0-9.-]*\/)?(stable|candidate|beta|edge)(\/[a-z0-9][a-z0-9.-]*)?$/;
