/**
 * Which compute workers are OVN gateway chassis: the only ones whose external NIC ovn-chassis bridges into the
 * provider bridge, so the only ones Neutron schedules routers' gateway ports on. The site file may list them
 * (openstack.ovn.gateways); otherwise `defaultGateways` picks a few. Used by the site rules (on the file) and by
 * the site model (on the validated file), so both read one answer.
 */
import { byHostname } from "./model";

/** Enough gateways to lose one and still have a pair, few enough that a site of any size needs only a few external ports. */
export const DEFAULT_GATEWAY_COUNT = 3;

/** What the choice reads of a worker; both the site file's workers and the model's have it. */
export interface GatewayCandidate {
  readonly hostname: string;
  readonly zone: string;
  readonly roles: readonly string[];
  readonly nics: readonly { readonly segment: string }[];
}

/**
 * The default gateways: among compute workers with a NIC on the external network's segment, in hostname order,
 * first the first worker of each zone (zones in the order of their first worker), then the next workers by hostname,
 * up to DEFAULT_GATEWAY_COUNT.
 *
 * Ordering zones by their first worker rather than by name is what keeps the choice put as the site grows: a worker
 * whose hostname sorts after the others' (worker-51 on a 50-worker site) comes last in its zone and, when it opens a
 * zone, that zone comes last too. So it never displaces a zone's first worker or one of the first zones; it becomes a
 * gateway only to fill a free place, or, while the gateways span fewer zones than DEFAULT_GATEWAY_COUNT, by opening a
 * new zone, in which case it takes the place of the last gateway that shared a zone with another (spreading across
 * zones first is the point). Listing openstack.ovn.gateways fixes them for good.
 */
export function defaultGateways(workers: readonly GatewayCandidate[], externalSegment: string): string[] {
  const candidates = workers
    .filter((w) => w.roles.includes("compute") && w.nics.some((n) => n.segment === externalSegment))
    .sort((a, b) => byHostname(a.hostname, b.hostname));
  const firstOfZone = new Map<string, string>();
  for (const w of candidates) if (!firstOfZone.has(w.zone)) firstOfZone.set(w.zone, w.hostname);
  const spread = [...firstOfZone.values()].slice(0, DEFAULT_GATEWAY_COUNT);
  const fill = candidates.map((w) => w.hostname).filter((h) => !spread.includes(h));
  return [...spread, ...fill].slice(0, DEFAULT_GATEWAY_COUNT);
}
