import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { EntityManager, Repository } from 'typeorm';
import type { WorkingHours } from '../schedule/working-hours';
import { Staff } from './staff.entity';

export interface StaffFields {
  name: string;
  timezone: string;
  workingHours: WorkingHours;
}

@Injectable()
export class StaffRepository {
  constructor(@InjectRepository(Staff) private readonly staff: Repository<Staff>) {}

  findById(orgId: string, id: string): Promise<Staff | null> {
    return this.staff.findOneBy({ orgId, id });
  }

  findByName(orgId: string, name: string): Promise<Staff | null> {
    return this.staff.findOneBy({ orgId, name });
  }

  /** One page, oldest first (id breaks ties so pages never overlap), and the total. */
  findPage(orgId: string, offset: number, limit: number): Promise<[Staff[], number]> {
    return this.staff.findAndCount({ where: { orgId }, order: { createdAt: 'ASC', id: 'ASC' }, skip: offset, take: limit });
  }

  create(orgId: string, fields: StaffFields): Promise<Staff> {
    return this.staff.save(this.staff.create({ orgId, ...fields }));
  }

  /** Applies `changes` and returns the row, or null when no such staff member is in the org. */
  async update(orgId: string, id: string, changes: Partial<StaffFields>): Promise<Staff | null> {
    if (Object.keys(changes).length > 0) await this.staff.update({ orgId, id }, changes);
    return this.findById(orgId, id);
  }

  /**
   * Reads the staff row and locks it until `manager`'s transaction ends: bookings of one staff
   * member queue here, so each one's overlap check sees the bookings committed before it.
   */
  lockById(manager: EntityManager, orgId: string, id: string): Promise<Staff | null> {
    return manager.getRepository(Staff).findOne({ where: { orgId, id }, lock: { mode: 'pessimistic_write' } });
  }
}
