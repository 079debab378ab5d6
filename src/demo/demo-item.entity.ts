import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A row of `demo_items` (created by the first migration). */
@Entity({ name: 'demo_items' })
export class DemoItem {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
