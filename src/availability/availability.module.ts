import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Appointment } from './appointments/appointment.entity';
import { AppointmentsController } from './appointments/appointments.controller';
import { AppointmentsRepository } from './appointments/appointments.repository';
import { AppointmentsService } from './appointments/appointments.service';
import { AvailabilityWarmJobs } from './availability.warm-jobs';
import { AvailabilityController } from './slots/availability.controller';
import { AvailabilityService } from './slots/availability.service';
import { StaffController } from './staff/staff.controller';
import { Staff } from './staff/staff.entity';
import { StaffRepository } from './staff/staff.repository';
import { StaffService } from './staff/staff.service';

/** Staff with weekly hours in their own time zone, free slots, and appointments (/api/v1). */
@Module({
  imports: [TypeOrmModule.forFeature([Staff, Appointment])],
  controllers: [StaffController, AvailabilityController, AppointmentsController],
  providers: [StaffRepository, StaffService, AvailabilityService, AppointmentsRepository, AppointmentsService, AvailabilityWarmJobs],
})
export class AvailabilityModule {}
