// The client's address, for the per-IP limits. Behind `trustedProxies` proxies of our own (a load
// balancer), the TCP peer is the nearest proxy, and each proxy appends the address it saw to
// X-Forwarded-For; the client is the entry that many places from the right. Entries further left
// are whatever the client sent and are never trusted (anyone can write the header). Pure.

/** Proxies in front of the gateway whose X-Forwarded-For entries are believed, at most. */
export const MAX_TRUSTED_PROXIES = 10;

export function clientAddress(remote: string | undefined, forwardedFor: string | string[] | undefined, trustedProxies: number): string {
  const peer = remote ?? 'unknown';
  if (trustedProxies <= 0 || forwardedFor === undefined) return peer;
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  if (hops.length === 0) return peer;
  // Fewer entries than trusted proxies: the request came through fewer of them, and the leftmost
  // entry was still written by one of ours.
  return hops[Math.max(0, hops.length - trustedProxies)] as string;
}
