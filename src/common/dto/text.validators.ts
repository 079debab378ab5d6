import { Transform } from 'class-transformer';
import { Matches, ValidateIf } from 'class-validator';

/** Trims surrounding whitespace of string input (other types pass through to fail validation). */
export const Trim = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value));

/**
 * Lower-cases string input (UUIDs), so spellings that name the same row are one value: one
 * cache key, and the tag a write evicts (`slots:<id>` is always lower case).
 */
export const LowerCase = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.toLowerCase() : value));

/** Postgres text cannot hold NUL: refusing it keeps such input a 400 rather than a database error. */
export const NoNul = (field: string): PropertyDecorator =>
  Matches(/^[^\u0000]*$/, { message: `${field} must not contain NUL characters` });

/**
 * Like `@IsOptional()`, but only an absent property is skipped: `null` is validated (and
 * refused), rather than reaching the database as a NOT NULL violation.
 */
export const OptionalButNotNull = (): PropertyDecorator => ValidateIf((_object: object, value: unknown) => value !== undefined);
