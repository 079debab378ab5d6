import { ValidateBy, type ValidationOptions } from 'class-validator';
import { workingHoursProblems } from '../../schedule/working-hours';
import { isValidTimeZone } from '../../schedule/zoned-time';

/** An IANA time zone Intl knows, e.g. `Europe/Paris`. */
export function IsIanaTimeZone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimeZone',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && value.length <= 64 && isValidTimeZone(value),
        defaultMessage: (args) => `${args?.property ?? 'timezone'} must be an IANA time zone such as Europe/Paris`,
      },
    },
    options,
  );
}

/** Weekly hours `{ mon: [["09:00","17:00"]], ... }`; the message names every bad day and interval. */
export function IsWorkingHours(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isWorkingHours',
      validator: {
        validate: (value: unknown, args) => workingHoursProblems(value, args?.property).length === 0,
        defaultMessage: (args) => workingHoursProblems(args?.value, args?.property).join('; '),
      },
    },
    options,
  );
}
