import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tenants and their API keys (stored as SHA-256 hashes; looked up by hash on every request). */
export class CreateOrganizationsAndApiKeys1732400000000 implements MigrationInterface {
  name = 'CreateOrganizationsAndApiKeys1732400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE organizations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(200) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        org_id uuid NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
        prefix varchar(16) NOT NULL,
        key_hash char(64) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )
    `);
    await queryRunner.query('CREATE UNIQUE INDEX api_keys_key_hash_uq ON api_keys (key_hash)');
    await queryRunner.query('CREATE INDEX api_keys_org_id_idx ON api_keys (org_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE api_keys');
    await queryRunner.query('DROP TABLE organizations');
  }
}
