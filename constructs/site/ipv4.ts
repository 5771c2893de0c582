/** Small IPv4 arithmetic for validating and deriving the site's addresses. IPv4 only: the site schema rejects IPv6. */

export const IPV4_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
export const CIDR_PATTERN = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}\/(3[0-2]|[12]?\d)$/;

export function ipToInt(ip: string): number {
  return ip.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
}

export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

export interface Cidr {
  readonly text: string;
  /** First address (the network address). */
  readonly first: number;
  /** Last address (the broadcast address). */
  readonly last: number;
  readonly prefix: number;
}

export function parseCidr(text: string): Cidr {
  const [ip, prefixText] = text.split("/");
  const prefix = Number(prefixText);
  const size = 2 ** (32 - prefix);
  const first = Math.floor(ipToInt(ip) / size) * size;
  return { text, first, last: first + size - 1, prefix };
}

/** True when the CIDR's address part has host bits set (10.0.0.5/24 instead of 10.0.0.0/24). */
export function hasHostBits(text: string): boolean {
  return ipToInt(text.split("/")[0]) !== parseCidr(text).first;
}

/** A usable host address: inside the subnet and not its network or broadcast address (for prefixes up to /30). */
export function isHostIn(cidr: Cidr, ip: string): boolean {
  const value = ipToInt(ip);
  if (cidr.prefix >= 31) return value >= cidr.first && value <= cidr.last;
  return value > cidr.first && value < cidr.last;
}

export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export interface Range {
  readonly start: number;
  readonly end: number;
}

export function rangesOverlap(a: Range, b: Range): boolean {
  return a.start <= b.end && b.start <= a.end;
}

export function inRange(range: Range, ip: string): boolean {
  const value = ipToInt(ip);
  return value >= range.start && value <= range.end;
}
