/** An appointment as the API shows it; times are ISO-8601 UTC. */
export interface AppointmentDto {
  id: string;
  staffId: string;
  userId: string;
  start: string;
  end: string;
  duration: number;
  createdAt: string;
}
