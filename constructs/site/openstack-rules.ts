/**
 * The site's OpenStack settings checked against the charm catalog and the deployment's applications, at the edge
 * with the other site rules: a release outside the catalog, a misspelt application, option or channel is reported
 * with its field path and the fix, together with every other problem of the file, before anything is built.
 */
import { applicationCharms } from "../openstack/applications";
import { CATALOG, CHANNEL_PATTERN, charm, nearest, optionProblem, valueProblem } from "../openstack/catalog";
import type { SiteFile } from "./schema";

type Add = (path: string, message: string) => void;

const CATALOG_FILE = "constructs/openstack/catalog/channels.json";

export function checkOpenStack(site: SiteFile, add: Add): void {
  checkCeph(site, add);
  checkCatalogPair(site, add);
  const charms = applicationCharms(site.workers.filter((w) => w.roles.includes("storage")));
  checkChannels(site, new Set(charms.values()), add);
  checkConfig(site, charms, add);
  checkSpaces(site, add);
}

function checkCeph(site: SiteFile, add: Add): void {
  const osdHosts = site.workers.filter((w) => w.roles.includes("storage")).length;
  const replicas = site.openstack.ceph.replicas;
  if (replicas !== undefined && replicas > osdHosts) {
    add("openstack.ceph.replicas", `${replicas} replicas need ${replicas} storage workers but the site has ${osdHosts}; Ceph could never place every copy. Use at most ${osdHosts} or add storage workers`);
  }
  if (osdHosts === 0) add("workers", "no worker has the storage role; Ceph (Glance, Cinder, RadosGW) needs at least one");
  if (!site.workers.some((w) => w.roles.includes("compute"))) add("workers", "no worker has the compute role; Nova needs at least one");
}

/** The catalog holds one tested release and base; anything else would deploy charms nobody checked together. */
function checkCatalogPair(site: SiteFile, add: Add): void {
  const { release, base } = site.openstack;
  const holds = `the charm catalog, which holds one tested set: OpenStack ${CATALOG.release} on ${CATALOG.base} (${CATALOG_FILE})`;
  if (release !== CATALOG.releaseNumber) {
    add("openstack.release", `"${release}" is not in ${holds}; use release "${CATALOG.releaseNumber}", or vendor a catalog for ${release} first`);
  }
  if (base !== CATALOG.base) {
    add("openstack.base", `${base} is not in ${holds}; use base ${CATALOG.base}, or vendor a catalog for ${base} first`);
  }
}

function checkChannels(site: SiteFile, deployed: ReadonlySet<string>, add: Add): void {
  const known = [...deployed].sort();
  for (const [name, channel] of Object.entries(site.openstack.channels)) {
    const at = `openstack.channels.${name}`;
    if (!deployed.has(name)) {
      add(at, `no charm "${name}" in this deployment${didYouMean(name, known)}; channels are keyed by charm: ${known.join(", ")}`);
    } else if (!CHANNEL_PATTERN.test(channel)) {
      add(at, `"${channel}" is not a charm channel; write <track>/<risk> with risk one of stable, candidate, beta, edge (the catalog's is ${CATALOG.channels[name]})`);
    }
  }
}

function checkConfig(site: SiteFile, charms: ReadonlyMap<string, string>, add: Add): void {
  const applications = [...charms.keys()].sort();
  for (const [app, options] of Object.entries(site.openstack.config)) {
    const charmName = charms.get(app);
    if (!charmName) {
      add(`openstack.config.${app}`, `no application "${app}" in this deployment${didYouMean(app, applications)}; applications: ${applications.join(", ")}`);
      continue;
    }
    const c = charm(charmName);
    for (const [key, value] of Object.entries(options)) {
      const problem = optionProblem(c, key) ?? valueProblem(c, key, value);
      if (problem) add(`openstack.config.${app}.${key}`, problem);
    }
  }
}

/** Juju binds endpoints to one space per purpose, so segments of a purpose in several racks share it. */
function checkSpaces(site: SiteFile, add: Add): void {
  for (const purpose of ["management", "external"] as const) {
    const first = site.segments.find((s) => s.purpose === purpose);
    if (!first) continue;
    const space = first.space ?? purpose;
    site.segments.forEach((s, i) => {
      if (s.purpose !== purpose || (s.space ?? purpose) === space) return;
      add(
        `segments[${i}].space`,
        `segment "${s.name}" is in space "${s.space ?? purpose}" but ${purpose} segment "${first.name}" is in "${space}"; Juju binds the OpenStack endpoints to one space per purpose, so give every ${purpose} segment space: ${space}`,
      );
    });
  }
}

function didYouMean(name: string, valid: readonly string[]): string {
  const near = nearest(name, valid);
  return near.length ? ` (did you mean ${near.join(", ")}?)` : "";
}
