import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The table behind the `/demo/items` routes, with three rows so a fresh start has something to read. */
export class CreateDemoItems1732360000000 implements MigrationInterface {
  name = 'CreateDemoItems1732360000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE demo_items (
        id integer PRIMARY KEY CHECK (id > 0),
        name varchar(200) NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )
    `);
    await queryRunner.query(`
      INSERT INTO demo_items (id, name) VALUES
        (1, 'Hello from the database'),
        (2, 'Read me twice: the second read comes from the cache'),
        (3, 'PUT a new name and read me again')
    `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE demo_items');
  }
}
