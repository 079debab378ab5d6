import type { IncomingHttpHeaders } from 'node:http';

/** Who a tenant request acts for: the organization its API key belongs to, and that key. */
export interface TenantIdentity {
  orgId: string;
  keyId: string;
}

/** The parts of an HTTP request the guards read and write. */
export interface TenantRequest {
  headers: IncomingHttpHeaders;
  /** Set by `TenantGuard`. */
  tenant?: TenantIdentity;
  /**
   * Set by the rate limiter, which runs first: the identity the presented key was found to
   * stand for while this request was counted, so `TenantGuard` need not look the same key up again.
   */
  keyLookup?: { token: string; tenant: TenantIdentity };
}
