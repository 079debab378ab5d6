import { describeError } from '@app/cache';
import { Injectable, Logger } from '@nestjs/common';
import { OrganizationsService } from '../organizations/organizations.service';

/** How long a looked-up name (or the absence of one) is reused. */
const NAME_TTL_MS = 60_000;
/** Names remembered at most; past it the memory starts over. */
const MAX_REMEMBERED = 20_000;

/**
 * Organization names for the operator views, which count by id: looked up in batches and
 * remembered for a minute, so a dashboard polling every 3 s costs a query a minute, not one a
 * poll. A database that does not answer leaves names out (null) rather than failing the stats.
 */
@Injectable()
export class OrgNames {
  private readonly logger = new Logger(OrgNames.name);
  private readonly remembered = new Map<string, { name: string | null; at: number }>();

  constructor(private readonly orgs: OrganizationsService) {}

  async of(ids: Iterable<string>): Promise<Map<string, string | null>> {
    const now = Date.now();
    const result = new Map<string, string | null>();
    const missing: string[] = [];
    for (const id of ids) {
      const known = this.remembered.get(id);
      if (known !== undefined && now - known.at < NAME_TTL_MS) result.set(id, known.name);
      else missing.push(id);
    }
    if (missing.length === 0) return result;
    let found: Map<string, string>;
    try {
      found = await this.orgs.namesOf(missing);
    } catch (error) {
      this.logger.warn(`Organization names unavailable: ${describeError(error)}`);
      for (const id of missing) result.set(id, null);
      return result;
    }
    if (this.remembered.size + missing.length > MAX_REMEMBERED) this.remembered.clear();
    for (const id of missing) {
      const name = found.get(id) ?? null;
      this.remembered.set(id, { name, at: now });
      result.set(id, name);
    }
    return result;
  }
}
