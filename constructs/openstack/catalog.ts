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
  release: channelsFile.openstackRelease,
  base: channelsFile.ubuntuBase,
  origin: channelsFile.openstackOrigin,
  channels: channelsFile.channels as Readonly<Record<string, string>>,
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
