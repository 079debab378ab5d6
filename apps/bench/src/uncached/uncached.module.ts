import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DemoItem } from '../../../../src/demo/demo-item.entity';
import { DemoItemsRepository } from '../../../../src/demo/demo-items.repository';
import { UsersModule } from '../../../../src/users/users.module';
import { UncachedDemoController } from './uncached-demo.controller';
import { UncachedUsersController } from './uncached-users.controller';

/** The real routes' queries with no cache around them, for the "uncached query" row. */
@Module({
  imports: [TypeOrmModule.forFeature([DemoItem]), UsersModule],
  controllers: [UncachedDemoController, UncachedUsersController],
  providers: [DemoItemsRepository],
})
export class UncachedModule {}
