import { describeDatabaseError } from './database-error.mapping';

describe(describeDatabaseError.name, () => {
  it('answers a unique violation with 409 naming the columns, without org_id', () => {
    const sut = describeDatabaseError({ code: '23505', detail: 'Key (org_id, email)=(1, a@b.c) already exists.' });

    expect(sut).toEqual({ status: 409, error: 'Conflict', message: 'email already exists' });
  });

  it('answers a foreign key violation on delete with 409 naming the referencing table', () => {
    const sut = describeDatabaseError({ code: '23503', detail: 'Key (id)=(x) is still referenced from table "appointments".' });

    expect(sut).toMatchObject({ status: 409, message: 'still referenced by appointments: delete those first' });
  });

  it('answers a RESTRICT violation (23001) like a foreign key violation', () => {
    const sut = describeDatabaseError({ code: '23001', detail: 'Key (org_id, id)=(1, 2) is referenced from table "orders".' });

    expect(sut).toMatchObject({ status: 409, message: 'still referenced by orders: delete those first' });
  });

  it('answers a foreign key violation on insert with 409 naming the column', () => {
    const sut = describeDatabaseError({ code: '23503', detail: 'Key (org_id, user_id)=(1, 2) is not present in table "users".' });

    expect(sut).toMatchObject({ status: 409, message: 'userId refers to nothing that exists' });
  });

  it.each(['22P02', '22001', '22003', '23502', '23514'])('answers %s with 400 naming the column', (code) => {
    const sut = describeDatabaseError({ code, column: 'total_cents' });

    expect(sut).toEqual({ status: 400, error: 'Bad Request', message: 'totalCents is not a valid value' });
  });

  it('leaves other errors (a real failure) unmapped', () => {
    expect(describeDatabaseError({ code: '57P01' })).toBeUndefined();
    expect(describeDatabaseError(undefined)).toBeUndefined();
  });
});
