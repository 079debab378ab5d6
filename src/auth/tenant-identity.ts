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
}
