import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, type Repository } from 'typeorm';
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

  /** Id and name of each of `ids` that exists (ids must be UUIDs). */
  findNames(ids: readonly string[]): Promise<Pick<Organization, 'id' | 'name'>[]> {
    return this.orgs.find({ select: { id: true, name: true }, where: { id: In([...ids]) } });
  }

  exists(id: string): Promise<boolean> {
    return this.orgs.existsBy({ id });
  }
}
