import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Staff (weekly hours in their own time zone) and their appointments, every row owned by an
 * organization. Appointments reference staff and users through (org_id, …), so a booking can
 * never point at another organization's rows, and ON DELETE RESTRICT keeps a user or staff member
 * with appointments from being deleted (23503, answered 409).
 *
 * No two appointments of one staff member may overlap. Where the btree_gist extension exists (any
 * packaged Postgres, and PGlite as the app and the test rig open it) an exclusion constraint
 * enforces it; elsewhere the booking transaction's `SELECT … FOR UPDATE` on the staff row, which
 * runs everywhere, is what serializes bookings of one staff member.
 */
export class CreateStaffAndAppointments1732500000000 implements MigrationInterface {
  name = 'CreateStaffAndAppointments1732500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE staff (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        name varchar(200) NOT NULL,
        timezone varchar(64) NOT NULL,
        working_hours jsonb NOT NULL CHECK (jsonb_typeof(working_hours) = 'object'),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT staff_org_id_id_uq UNIQUE (org_id, id)
      )
    `);
    await queryRunner.query('CREATE INDEX staff_org_id_created_at_idx ON staff (org_id, created_at, id)');
    await queryRunner.query(`
      CREATE TABLE appointments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        staff_id uuid NOT NULL,
        user_id uuid NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        duration_minutes integer NOT NULL CHECK (duration_minutes BETWEEN 5 AND 480),
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT appointments_span_ck CHECK (end_at = start_at + make_interval(mins => duration_minutes)),
        CONSTRAINT appointments_staff_fk FOREIGN KEY (org_id, staff_id) REFERENCES staff (org_id, id) ON DELETE RESTRICT,
        CONSTRAINT appointments_user_fk FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE RESTRICT
      )
    `);
    // Busy spans and lists of one staff member; the dashboard's today/upcoming and date lists;
    // the last hour's bookings; the foreign key check when a user is deleted.
    await queryRunner.query('CREATE INDEX appointments_org_id_staff_id_start_at_idx ON appointments (org_id, staff_id, start_at)');
    await queryRunner.query('CREATE INDEX appointments_org_id_start_at_idx ON appointments (org_id, start_at)');
    await queryRunner.query('CREATE INDEX appointments_org_id_created_at_idx ON appointments (org_id, created_at DESC)');
    await queryRunner.query('CREATE INDEX appointments_org_id_user_id_idx ON appointments (org_id, user_id)');
    if (await ensureBtreeGist(queryRunner)) {
      await queryRunner.query(`
        ALTER TABLE appointments ADD CONSTRAINT appointments_no_overlap_ex
          EXCLUDE USING gist (staff_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)
      `);
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE appointments');
    await queryRunner.query('DROP TABLE staff');
  }
}

/**
 * Whether btree_gist is (now) installed. Creating it runs inside a savepoint, so a server that has
 * the extension but refuses this role the right to create it leaves the migration running.
 */
async function ensureBtreeGist(queryRunner: QueryRunner): Promise<boolean> {
  const [state] = (await queryRunner.query(`
    SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'btree_gist') AS installed,
           EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gist') AS available
  `)) as { installed: boolean; available: boolean }[];
  if (state.installed) return true;
  if (!state.available) return false;
  await queryRunner.query('SAVEPOINT btree_gist');
  try {
    await queryRunner.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    await queryRunner.query('RELEASE SAVEPOINT btree_gist');
    return true;
  } catch {
    await queryRunner.query('ROLLBACK TO SAVEPOINT btree_gist');
    return false;
  }
}
