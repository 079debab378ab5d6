import { CacheEvict } from '@app/cache';
import { Injectable, NotFoundException } from '@nestjs/common';
import { type Page, toPage } from '../page';
import { canonicalTimeZone } from '../schedule/zoned-time';
import { orgOfFirstArg } from '../../common/cache/cache-ttl-setting';
import { AvailabilityCache } from '../availability.cache';
import type { CreateStaffDto } from './dto/create-staff.dto';
import type { StaffDto } from './dto/staff.dto';
import type { UpdateStaffDto } from './dto/update-staff.dto';
import type { Staff } from './staff.entity';
import { type StaffFields, StaffRepository } from './staff.repository';

/**
 * Staff members of an organization. The controller caches reads per org (tag `staff:<id>` for
 * one, `staff` for lists); writes evict exactly those after the commit (`@CacheEvict`), and a
 * change also evicts the staff member's slots and checks (`slots:<id>`).
 */
@Injectable()
export class StaffService {
  constructor(
    private readonly staff: StaffRepository,
  ) {}

  async get(orgId: string, id: string): Promise<StaffDto> {
    return toStaffDto(await this.require(orgId, id));
  }

  async list(orgId: string, page: number, limit: number): Promise<Page<StaffDto>> {
    const [rows, total] = await this.staff.findPage(orgId, (page - 1) * limit, limit);
    return toPage(rows.map(toStaffDto), page, limit, total);
  }

  @CacheEvict({ org: orgOfFirstArg, tags: [AvailabilityCache.tags.staffList] })
  async create(orgId: string, body: CreateStaffDto): Promise<StaffDto> {
    const row = await this.staff.create(orgId, { ...body, timezone: canonicalTimeZone(body.timezone) });
    return toStaffDto(row);
  }

  @CacheEvict({
    org: orgOfFirstArg,
    tags: (_orgId: string, id: string) => [AvailabilityCache.tags.staff(id), AvailabilityCache.tags.staffList, AvailabilityCache.tags.slots(id)],
  })
  async update(orgId: string, id: string, body: UpdateStaffDto): Promise<StaffDto> {
    const changes: Partial<StaffFields> = {};
    if (body.name !== undefined) changes.name = body.name;
    if (body.timezone !== undefined) changes.timezone = canonicalTimeZone(body.timezone);
    if (body.workingHours !== undefined) changes.workingHours = body.workingHours;
    const row = await this.staff.update(orgId, id, changes);
    if (row === null) throw notFound(id);
    return toStaffDto(row);
  }

  /** The staff row itself, uncached (for rules that must see the committed hours). */
  async require(orgId: string, id: string): Promise<Staff> {
    const row = await this.staff.findById(orgId, id);
    if (row === null) throw notFound(id);
    return row;
  }
}

export function notFound(id: string): NotFoundException {
  return new NotFoundException(`Staff ${id} not found`);
}

export function toStaffDto(row: Staff): StaffDto {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    workingHours: row.workingHours,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
