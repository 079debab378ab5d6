import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Organization } from './organization.entity';

@Injectable()
export class OrganizationsRepository {
  constructor(@InjectRepository(Organization) private readonly orgs: Repository<Organization>) {}

  insert(name: string): Promise<Organization> {
    return this.orgs.save(this.orgs.create({ name }));
  }

  /** The oldest organization of that name (names are not unique; the seed reuses its own). */
  findByName(name: string): Promise<Organization | null> {
    return this.orgs.findOne({ where: { name }, order: { createdAt: 'ASC' } });
  }

  exists(id: string): Promise<boolean> {
    return this.orgs.existsBy({ id });
  }
}
