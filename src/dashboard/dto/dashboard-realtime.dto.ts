/** An order of the last hour. */
export interface RecentOrderDto {
  id: string;
  userId: string;
  status: string;
  totalCents: number;
  currency: string;
  createdAt: string;
}

/** An appointment booked in the last hour. */
export interface RecentBookingDto {
  id: string;
  staffId: string;
  userId: string;
  start: string;
  end: string;
  createdAt: string;
}

/**
 * What happened in the last hour, newest first: every order created and every appointment booked
 * since `since`, with counts (the lists stop at the newest 100 of each).
 */
export interface DashboardRealtimeDto {
  since: string;
  generatedAt: string;
  orders: { count: number; items: RecentOrderDto[] };
  bookings: { count: number; items: RecentBookingDto[] };
}
