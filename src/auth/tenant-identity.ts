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
   * The identity an earlier guard of this request (the rate limit's) found for this bearer
   * token, so that `TenantGuard` does not look the same key up again. Only found identities are
   * kept: a failed or empty lookup is made again by `TenantGuard`, which answers for it.
   */
  resolvedKey?: { token: string; tenant: TenantIdentity };
}

/** Keeps what a guard found for the request's bearer token (see `TenantRequest.resolvedKey`); returns it. */
export function rememberResolvedKey(request: TenantRequest, token: string, tenant: TenantIdentity): TenantIdentity {
  request.resolvedKey = { token, tenant };
  return tenant;
}
