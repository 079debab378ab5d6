import KeyvRedis from '@keyv/redis';
import { CacheModule as NestCacheManagerModule } from '@nestjs/cache-manager';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Keyv } from 'keyv';
import { DemoItem } from '../../../../src/demo/demo-item.entity';
import { DemoItemsRepository } from '../../../../src/demo/demo-items.repository';
import { UsersModule } from '../../../../src/users/users.module';
import { PeerDemoController } from './peer-demo.controller';
import { PeerUsersController } from './peer-users.controller';

/** TTL of the peer's entries: the users route's default (15 min), longer than a run. */
const PEER_TTL_MS = 15 * 60_000;

/**
 * The peer: the same handlers and queries as the real routes, cached by `@nestjs/cache-manager`'s
 * `CacheInterceptor` on a Keyv Redis store (the same Redis, under its own namespace). Without
 * REDIS_URL it caches in Keyv's in-memory map, which the harness never measures.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([DemoItem]),
    UsersModule,
    NestCacheManagerModule.registerAsync({
      useFactory: () => {
        const url = process.env.REDIS_URL;
        const store = url === undefined ? undefined : new KeyvRedis(url);
        return { stores: [new Keyv({ store, namespace: 'bench-peer' })], ttl: PEER_TTL_MS };
      },
    }),
  ],
  controllers: [PeerDemoController, PeerUsersController],
  providers: [DemoItemsRepository],
})
export class PeerModule {}
