import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { type EntityManager, type FindOptionsWhere, LessThan, MoreThan, type Repository } from 'typeorm';
import type { TimeSpan } from '../schedule/schedule';
import { Appointment } from './appointment.entity';

export interface NewAppointment {
  orgId: string;
  staffId: string;
  userId: string;
  startAt: Date;
  endAt: Date;
  durationMinutes: number;
}

export interface AppointmentFilter {
  staffId?: string;
  /** Appointments overlapping this span. */
  within?: TimeSpan;
}

@Injectable()
export class AppointmentsRepository {
  constructor(@InjectRepository(Appointment) private readonly appointments: Repository<Appointment>) {}

  /** The spans of a staff member's appointments that overlap `span` (inside `manager`'s transaction when given). */
  async findBusy(orgId: string, staffId: string, span: TimeSpan, manager?: EntityManager): Promise<TimeSpan[]> {
    const repository = manager?.getRepository(Appointment) ?? this.appointments;
    const rows = await repository.find({
      select: { startAt: true, endAt: true },
      where: { orgId, staffId, ...overlapping(span) },
      order: { startAt: 'ASC' },
    });
    return rows.map((row) => ({ startMs: row.startAt.getTime(), endMs: row.endAt.getTime() }));
  }

  countForStaff(orgId: string, staffId: string): Promise<number> {
    return this.appointments.countBy({ orgId, staffId });
  }

  /** Whether the user exists in the org; `FOR KEY SHARE` keeps it from being deleted before commit. */
  async userExists(manager: EntityManager, orgId: string, userId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query('SELECT 1 FROM users WHERE org_id = $1 AND id = $2 FOR KEY SHARE', [
      orgId,
      userId,
    ]);
    return rows.length > 0;
  }

  insert(manager: EntityManager, fields: NewAppointment): Promise<Appointment> {
    const repository = manager.getRepository(Appointment);
    return repository.save(repository.create(fields));
  }

  /** Deletes the appointment and returns its staff id, or null when the org has no such appointment. */
  async delete(orgId: string, id: string): Promise<string | null> {
    const result = await this.appointments
      .createQueryBuilder()
      .delete()
      .where('org_id = :orgId AND id = :id', { orgId, id })
      .returning('staff_id')
      .execute();
    const rows = result.raw as { staff_id: string }[];
    return rows[0]?.staff_id ?? null;
  }

  /** One page by start time (id breaks ties), and the total. */
  findPage(orgId: string, filter: AppointmentFilter, offset: number, limit: number): Promise<[Appointment[], number]> {
    const where: FindOptionsWhere<Appointment> = { orgId };
    if (filter.staffId !== undefined) where.staffId = filter.staffId;
    if (filter.within !== undefined) Object.assign(where, overlapping(filter.within));
    return this.appointments.findAndCount({ where, order: { startAt: 'ASC', id: 'ASC' }, skip: offset, take: limit });
  }
}

function overlapping(span: TimeSpan): FindOptionsWhere<Appointment> {
  return { startAt: LessThan(new Date(span.endMs)), endAt: MoreThan(new Date(span.startMs)) };
}
