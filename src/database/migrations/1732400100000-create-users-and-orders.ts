import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Users and orders, every row owned by an organization. Orders reference their user through
 * (org_id, user_id), so an order can never point at another organization's user, and
 * ON DELETE RESTRICT keeps a user with orders from being deleted (23503, answered 409).
 * Every list filter has an index that starts with org_id (users' substring search filters the
 * org's rows found through users_org_id_created_at_idx; pg_trgm would be the next step).
 */
export class CreateUsersAndOrders1732400100000 implements MigrationInterface {
  name = 'CreateUsersAndOrders1732400100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        email varchar(320) NOT NULL,
        name varchar(200) NOT NULL,
        role varchar(20) NOT NULL DEFAULT 'member',
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT users_org_id_id_uq UNIQUE (org_id, id),
        CONSTRAINT users_org_id_email_uq UNIQUE (org_id, email)
      )
    `);
    await queryRunner.query('CREATE INDEX users_org_id_created_at_idx ON users (org_id, created_at DESC, id)');
    await queryRunner.query(`
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        user_id uuid NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending'
          CHECK (status IN ('pending', 'paid', 'shipped', 'completed', 'cancelled')),
        currency char(3) NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
        items jsonb NOT NULL,
        total_cents bigint NOT NULL CHECK (total_cents >= 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT orders_user_fk FOREIGN KEY (org_id, user_id) REFERENCES users (org_id, id) ON DELETE RESTRICT
      )
    `);
    await queryRunner.query('CREATE INDEX orders_org_id_created_at_idx ON orders (org_id, created_at DESC, id)');
    await queryRunner.query('CREATE INDEX orders_org_id_status_created_at_idx ON orders (org_id, status, created_at DESC)');
    await queryRunner.query('CREATE INDEX orders_org_id_user_id_created_at_idx ON orders (org_id, user_id, created_at DESC)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE orders');
    await queryRunner.query('DROP TABLE users');
  }
}
