import { CacheRoute, HttpCacheInterceptor } from '@app/cache';
import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg } from '../auth/current-org.decorator';
import { TenantGuard } from '../auth/tenant.guard';
import type { Page } from '../common/dto/page';
import { UuidParamPipe } from '../common/pipes/uuid-param.pipe';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQueryDto } from './dto/list-users-query.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import type { UserDto } from './dto/user.dto';
import { UsersCache } from './users.cache';
import { UsersService } from './users.service';

/**
 * /api/v1/users: the organization's users, scoped by the API key. Reads are cached per HTTP
 * answer (`@CacheRoute`), since the answer is what carries X-Cache, ETag and 304s; writes evict
 * in `UsersService` (`@CacheEvict`).
 */
@Controller('api/v1/users')
@UseGuards(TenantGuard)
@UseInterceptors(HttpCacheInterceptor)
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @CacheRoute({ namespace: UsersCache.namespace, ttl: UsersCache.ttl.list, tags: [UsersCache.tags.list] })
  list(@CurrentOrg() orgId: string, @Query() query: ListUsersQueryDto): Promise<Page<UserDto>> {
    return this.users.list(orgId, query);
  }

  @Get(':id')
  @CacheRoute({ namespace: UsersCache.namespace, ttl: UsersCache.ttl.user, tags: (request) => [UsersCache.tags.user(request.params.id)] })
  get(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<UserDto> {
    return this.users.get(orgId, id);
  }

  @Post()
  create(@CurrentOrg() orgId: string, @Body() body: CreateUserDto): Promise<UserDto> {
    return this.users.create(orgId, body);
  }

  @Patch(':id')
  update(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string, @Body() body: UpdateUserDto): Promise<UserDto> {
    return this.users.update(orgId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.users.remove(orgId, id);
  }
}
