import { Injectable, NotFoundException } from '@nestjs/common';
import { ApiKeysService, type IssuedApiKey } from '../auth/api-keys.service';
import { OrganizationsRepository } from './organizations.repository';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An organization as created, with its first key (shown this once). */
export interface CreatedOrganization extends IssuedApiKey {
  id: string;
  name: string;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly orgs: OrganizationsRepository,
    private readonly apiKeys: ApiKeysService,
  ) {}

  async create(name: string): Promise<CreatedOrganization> {
    const org = await this.orgs.insert(name);
    const key = await this.apiKeys.issue(org.id);
    return { id: org.id, name: org.name, apiKey: key.apiKey, keyId: key.keyId };
  }

  /** The organization of that name with a new key, created first if there is none (for the seed). */
  async findOrCreate(name: string): Promise<CreatedOrganization> {
    const existing = await this.orgs.findByName(name);
    if (existing === null) return this.create(name);
    const key = await this.apiKeys.issue(existing.id);
    return { id: existing.id, name: existing.name, apiKey: key.apiKey, keyId: key.keyId };
  }

  /**
   * Names of the organizations among `ids`, for operator views that would otherwise show bare
   * ids; an id that is not an organization's (not a UUID, or no such row) is left out.
   * Queried in batches of 1 000.
   */
  async namesOf(ids: readonly string[]): Promise<Map<string, string>> {
    const names = new Map<string, string>();
    const uuids = [...new Set(ids)].filter((id) => UUID.test(id));
    for (let i = 0; i < uuids.length; i += 1_000) {
      for (const org of await this.orgs.findNames(uuids.slice(i, i + 1_000))) names.set(org.id, org.name);
    }
    return names;
  }

  async issueKey(orgId: string): Promise<IssuedApiKey> {
    if (!(await this.orgs.exists(orgId))) throw new NotFoundException(`No organization with id ${orgId}`);
    return this.apiKeys.issue(orgId);
  }
}
