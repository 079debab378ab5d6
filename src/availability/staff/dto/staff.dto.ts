import type { WorkingHours } from '../../schedule/working-hours';

/** A staff member as the API shows it. */
export interface StaffDto {
  id: string;
  name: string;
  timezone: string;
  workingHours: WorkingHours;
  createdAt: string;
  updatedAt: string;
}
