import {
  describeDatabaseUrl,
  EMBEDDED_POOL_SIZE,
  embeddedDataSourceOptions,
  externalDataSourceOptions,
} from './database-options';
import { migrations } from './migrations';

describe('database options', () => {
  it('connects to the embedded database through one pooled connection that stays open', () => {
    const sut = embeddedDataSourceOptions({ host: '127.0.0.1', port: 54321 });

    expect(sut).toMatchObject({
      type: 'postgres',
      host: '127.0.0.1',
      port: 54321,
      poolSize: EMBEDDED_POOL_SIZE,
      extra: { idleTimeoutMillis: 0 },
      synchronize: false,
      migrationsRun: true,
      migrations,
    });
    expect(EMBEDDED_POOL_SIZE).toBe(1);
  });

  it('uses DATABASE_URL as is for an external Postgres, never synchronizing', () => {
    const sut = externalDataSourceOptions('postgres://app:pw@db:5432/app', 10);

    expect(sut).toMatchObject({
      type: 'postgres',
      url: 'postgres://app:pw@db:5432/app',
      poolSize: 10,
      synchronize: false,
      migrationsRun: true,
    });
  });

  it.each([
    ['postgres://app:s3cret@db:5432/app', 'postgres://app@db:5432/app'],
    ['postgresql://db/app', 'postgresql://db/app'],
    ['postgres://us%40er:p%40ss@10.0.0.5/shop?sslmode=require', 'postgres://us@er@10.0.0.5/shop'],
  ])('describes %s without its password', (url, expected) => {
    expect(describeDatabaseUrl(url)).toBe(expected);
  });
});
