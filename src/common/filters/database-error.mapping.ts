import { HttpStatus } from '@nestjs/common';

/** A database error as the client sees it. */
export interface MappedDatabaseError {
  status: HttpStatus;
  message: string;
  error: string;
}

interface PgErrorFields {
  code?: unknown;
  detail?: unknown;
  column?: unknown;
  table?: unknown;
}

const BAD_INPUT_CODES = new Set(['22P02', '22001', '22003', '22007', '22008', '22021', '23502', '23514']);

/** Columns of `Key (org_id, email)=(…)`, without the tenant column the client never chose. */
function keyColumns(detail: string): string[] {
  const match = /^Key \(([^)]*)\)/.exec(detail);
  if (match === null) return [];
  return match[1]
    .split(',')
    .map((column) => column.trim().replace(/^lower\((.*)\)$/, '$1'))
    .filter((column) => column !== 'org_id');
}

const camel = (column: string): string => column.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The 4xx answer for a Postgres error (from pg's `driverError`), or undefined for a real failure. */
export function describeDatabaseError(driverError: unknown): MappedDatabaseError | undefined {
  if (typeof driverError !== 'object' || driverError === null) return undefined;
  const { code, detail, column, table } = driverError as PgErrorFields;
  const detailText = typeof detail === 'string' ? detail : '';
  if (code === '23505') {
    const fields = keyColumns(detailText).map(camel);
    const what = fields.length > 0 ? fields.join(', ') : 'value';
    return { status: HttpStatus.CONFLICT, error: 'Conflict', message: `${what} already exists` };
  }
  // 23001: a RESTRICT foreign key refused the delete (newer Postgres reports it apart from 23503).
  if (code === '23503' || code === '23001') {
    const referencing = /referenced from table "([^"]+)"/.exec(detailText)?.[1];
    const message =
      referencing !== undefined
        ? `still referenced by ${referencing}: delete those first`
        : `${keyColumns(detailText).map(camel).join(', ') || 'a reference'} refers to nothing that exists`;
    return { status: HttpStatus.CONFLICT, error: 'Conflict', message };
  }
  if (typeof code === 'string' && BAD_INPUT_CODES.has(code)) {
    const field = typeof column === 'string' ? camel(column) : typeof table === 'string' ? table : 'input';
    return { status: HttpStatus.BAD_REQUEST, error: 'Bad Request', message: `${field} is not a valid value` };
  }
  return undefined;
}
