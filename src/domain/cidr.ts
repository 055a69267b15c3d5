// IPv4 CIDR arithmetic for the subnet rules (inside the VNet, not overlapping, big enough).
export interface Cidr { base: number; bits: number; text: string }

export function parseCidr(text: string): Cidr {
  const [ip, bits] = text.split("/");
  const base = ip.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
  return { base, bits: Number(bits), text };
}

export const size = (c: Cidr): number => 2 ** (32 - c.bits);
const start = (c: Cidr): number => c.base - (c.base % size(c));
const end = (c: Cidr): number => start(c) + size(c) - 1;

/** True when the address is the first of its block (192.168.1.0/24, not 192.168.1.5/24). */
export const isNetworkAddress = (c: Cidr): boolean => c.base === start(c);
export const contains = (outer: Cidr, inner: Cidr): boolean => start(inner) >= start(outer) && end(inner) <= end(outer);
export const overlaps = (a: Cidr, b: Cidr): boolean => start(a) <= end(b) && start(b) <= end(a);

/** Azure reserves five addresses in every subnet (network, gateway, two DNS, broadcast). */
export const usableAddresses = (c: Cidr): number => Math.max(0, size(c) - 5);

/** The n-th usable host address of a subnet (Azure hands out .4 first). */
export function hostAddress(c: Cidr, n: number): string {
  const a = start(c) + 4 + n;
  return [24, 16, 8, 0].map((s) => (a >>> s) & 255).join(".");
}
