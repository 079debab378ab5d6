import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Figures as Postgres returns them: counts as integers, sums of bigint as text. */
export interface UserFigures {
  total: number;
  new_last7d: number;
}

export interface OrderFigures {
  total: number;
  pending: number;
  paid: number;
  shipped: number;
  completed: number;
  cancelled: number;
  revenue_today: string;
  revenue_7d: string;
  revenue_30d: string;
}

export interface AppointmentFigures {
  today: number;
  upcoming: number;
}

export interface RecentOrderRow {
  id: string;
  user_id: string;
  status: string;
  total_cents: string;
  currency: string;
  created_at: Date;
}

export interface RecentBookingRow {
  id: string;
  staff_id: string;
  user_id: string;
  start_at: Date;
  end_at: Date;
  created_at: Date;
}

/** The newest rows, and how many matched in all. */
export interface Counted<T> {
  rows: T[];
  count: number;
}

const MONEY_TAKEN = `status IN ('paid', 'shipped', 'completed')`;
const UTC_TODAY = `date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`;

/**
 * The dashboard's aggregate queries: one pass over each table of the org (FILTER clauses), so the
 * figures are computed by Postgres, never by loading rows. `$2` is "now", passed in so one answer
 * uses one instant throughout.
 */
@Injectable()
export class DashboardRepository {
  constructor(private readonly dataSource: DataSource) {}

  async userFigures(orgId: string, now: Date): Promise<UserFigures> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE created_at >= $2::timestamptz - interval '7 days')::int AS new_last7d
         FROM users WHERE org_id = $1`,
      [orgId, now],
    )) as UserFigures[];
    return row;
  }

  async orderFigures(orgId: string, now: Date): Promise<OrderFigures> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*)::int AS total,
              count(*) FILTER (WHERE status = 'pending')::int AS pending,
              count(*) FILTER (WHERE status = 'paid')::int AS paid,
              count(*) FILTER (WHERE status = 'shipped')::int AS shipped,
              count(*) FILTER (WHERE status = 'completed')::int AS completed,
              count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
              coalesce(sum(total_cents) FILTER (WHERE ${MONEY_TAKEN} AND created_at >= ${UTC_TODAY}), 0)::text AS revenue_today,
              coalesce(sum(total_cents) FILTER (WHERE ${MONEY_TAKEN} AND created_at >= $2::timestamptz - interval '7 days'), 0)::text AS revenue_7d,
              coalesce(sum(total_cents) FILTER (WHERE ${MONEY_TAKEN} AND created_at >= $2::timestamptz - interval '30 days'), 0)::text AS revenue_30d
         FROM orders WHERE org_id = $1`,
      [orgId, now],
    )) as OrderFigures[];
    return row;
  }

  async appointmentFigures(orgId: string, now: Date): Promise<AppointmentFigures> {
    const [row] = (await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE start_at >= ${UTC_TODAY} AND start_at < ${UTC_TODAY} + interval '1 day')::int AS today,
              count(*) FILTER (WHERE start_at >= $2::timestamptz)::int AS upcoming
         FROM appointments WHERE org_id = $1 AND (start_at >= ${UTC_TODAY})`,
      [orgId, now],
    )) as AppointmentFigures[];
    return row;
  }

  async recentOrders(orgId: string, since: Date, limit: number): Promise<Counted<RecentOrderRow>> {
    const rows = (await this.dataSource.query(
      `SELECT id, user_id, status, total_cents::text AS total_cents, currency, created_at, count(*) OVER ()::int AS count
         FROM orders WHERE org_id = $1 AND created_at >= $2 ORDER BY created_at DESC, id LIMIT $3`,
      [orgId, since, limit],
    )) as (RecentOrderRow & { count: number })[];
    return { rows, count: rows[0]?.count ?? 0 };
  }

  async recentBookings(orgId: string, since: Date, limit: number): Promise<Counted<RecentBookingRow>> {
    const rows = (await this.dataSource.query(
      `SELECT id, staff_id, user_id, start_at, end_at, created_at, count(*) OVER ()::int AS count
         FROM appointments WHERE org_id = $1 AND created_at >= $2 ORDER BY created_at DESC, id LIMIT $3`,
      [orgId, since, limit],
    )) as (RecentBookingRow & { count: number })[];
    return { rows, count: rows[0]?.count ?? 0 };
  }
}
