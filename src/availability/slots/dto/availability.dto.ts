import type { UnavailableReason } from '../../schedule/schedule';

/** The free starts of one local day, as ISO-8601 UTC instants. */
export interface SlotsDto {
  staffId: string;
  date: string;
  duration: number;
  slots: string[];
}

/** Whether one span can be booked now, and why not. */
export interface AvailabilityCheckDto {
  available: boolean;
  reason?: UnavailableReason;
}
