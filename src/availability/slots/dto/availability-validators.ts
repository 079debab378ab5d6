import { ValidateBy, type ValidationOptions } from 'class-validator';
import { isCalendarDate, parseInstant } from '../../schedule/time-input';

/** A real calendar date, YYYY-MM-DD. */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCalendarDate',
      validator: {
        validate: (value: unknown) => isCalendarDate(value),
        defaultMessage: (args) => `${args?.property ?? 'date'} must be a calendar date written YYYY-MM-DD`,
      },
    },
    options,
  );
}

/** An ISO-8601 date-time with its offset, e.g. 2026-11-23T09:00:00Z. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) => parseInstant(value) !== undefined,
        defaultMessage: (args) =>
          `${args?.property ?? 'start'} must be an ISO-8601 date-time with an offset, e.g. 2026-11-23T09:00:00Z`,
      },
    },
    options,
  );
}
