import { Injectable, NotFoundException } from '@nestjs/common';
import { ApiKeysService, type IssuedApiKey } from '../auth/api-keys.service';
import { OrganizationsRepository } from './organizations.repository';

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

  async issueKey(orgId: string): Promise<IssuedApiKey> {
    if (!(await this.orgs.exists(orgId))) throw new NotFoundException(`No organization with id ${orgId}`);
    return this.apiKeys.issue(orgId);
  }
}
