import { Transform } from 'class-transformer';

/**
 * Reads a number from a string (query strings and path parameters are strings) for `@IsInt`,
 * `@Min` and the like to check; any other value is left as it is, for them to refuse with a 400
 * naming the field. class-transformer's `@Type(() => Number)` calls `Number(value)` on whatever
 * arrives, which throws on a JSON object without a usable `toString` (`{"toString": null}`) and
 * turned such a body into a 500.
 *
 * @example
 * @ToNumber() @IsInt() @Min(1) page = 1;
 */
export function ToNumber(): PropertyDecorator {
  return Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? Number(value) : value));
}
