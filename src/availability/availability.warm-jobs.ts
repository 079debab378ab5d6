import { CacheRouteWarmer, CacheWarmJob, type WarmJobContext } from '@app/cache';
import { Injectable } from '@nestjs/common';
import { AppValidationPipe } from '../common/validation';
import { SlotsQueryDto } from './slots/dto/slots-query.dto';
import { DataSource } from 'typeorm';
import { wallClockAt } from './schedule/zoned-time';
import { AvailabilityController } from './slots/availability.controller';
import { AvailabilityService } from './slots/availability.service';
import { StaffController } from './staff/staff.controller';
import { Staff } from './staff/staff.entity';
import { StaffService } from './staff/staff.service';

const DAY_MS = 86_400_000;
/** The duration clients ask for when they name none (SlotsQueryDto's default). */
const WARM_DURATION = 30;
/** Upper bound of staff members warmed in one run, so one huge tenant cannot make a run endless. */
const MAX_STAFF = 2_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Keeps staff reads and the free slots of today and tomorrow (each in the staff member's own
 * time zone, 30-minute slots) in the cache, for every organization: computed by the services
 * the routes call and stored under the keys their interceptor reads. Slots are warmed for the
 * query `?staffId=<id>&date=<day>&duration=30`, read by the route's own ValidationPipe, so every
 * spelling of it (any order, `duration` left out, `duration=030`) reads the warmed entry.
 */
@Injectable()
export class AvailabilityWarmJobs {
  private readonly validation = new AppValidationPipe();

  constructor(
    private readonly staff: StaffService,
    private readonly availability: AvailabilityService,
    private readonly routes: CacheRouteWarmer,
    private readonly dataSource: DataSource,
  ) {}

  @CacheWarmJob({ name: 'staff-slots' })
  async warmStaffSlots({ org, signal }: WarmJobContext): Promise<number> {
    if (org !== undefined && !UUID.test(org)) return 0;
    const members = await this.dataSource.getRepository(Staff).find({
      select: { id: true, orgId: true, timezone: true },
      where: org === undefined ? {} : { orgId: org },
      order: { orgId: 'ASC', createdAt: 'ASC', id: 'ASC' },
      take: MAX_STAFF,
    });
    let written = 0;
    const now = Date.now();
    for (const member of members) {
      if (signal.aborted) break;
      const { id, orgId } = member;
      const params = { id };
      if (await this.routes.warm({ controller: StaffController, handler: 'get', org: orgId, params }, () => this.staff.get(orgId, id))) written++;
      for (const date of [localDate(member.timezone, now), localDate(member.timezone, now + DAY_MS)]) {
        const query = (await this.validation.transform(
          { staffId: id, date, duration: String(WARM_DURATION) },
          { type: 'query', metatype: SlotsQueryDto },
        )) as SlotsQueryDto;
        const load = () => this.availability.slots(orgId, id, date, WARM_DURATION);
        if (await this.routes.warm({ controller: AvailabilityController, handler: 'slots', org: orgId, query: { ...query } }, load)) written++;
      }
    }
    return written;
  }
}

/** The calendar date (YYYY-MM-DD) in `timeZone` at `utcMs`. */
function localDate(timeZone: string, utcMs: number): string {
  return new Date(wallClockAt(timeZone, utcMs)).toISOString().slice(0, 10);
}
