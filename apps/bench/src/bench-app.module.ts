import { Module } from '@nestjs/common';
import { AppModule } from '../../../src/app.module';
import { BenchController } from './bench.controller';
import { PeerModule } from './peer/peer.module';
import { UncachedModule } from './uncached/uncached.module';

/**
 * The API exactly as `AppModule` builds it, plus the bench-only routes: the ceilings and
 * counters (BenchController) and the peer variant of the same read cached by
 * `@nestjs/cache-manager` (PeerModule), and the same query uncached (UncachedModule).
 */
@Module({
  imports: [AppModule.forEnvironment(), PeerModule, UncachedModule],
  controllers: [BenchController],
})
export class BenchAppModule {}
