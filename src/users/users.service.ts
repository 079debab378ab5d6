import { CacheEvict } from '@app/cache';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { orgOfFirstArg } from '../common/cache/cache-ttl-setting';
import { DashboardCache } from '../dashboard/dashboard.cache';
import type { Page } from '../common/dto/page';
import type { CreateUserDto } from './dto/create-user.dto';
import { DEFAULT_USER_ROLE } from './dto/create-user.dto';
import type { ListUsersQueryDto } from './dto/list-users-query.dto';
import type { UpdateUserDto } from './dto/update-user.dto';
import { toUserDto, type UserDto } from './dto/user.dto';
import { UsersCache } from './users.cache';
import { UsersRepository } from './users.repository';

/**
 * Users of one organization. Reads are cached by the controller's `@CacheRoute` (tag
 * `user:<id>` for one user, `users` for lists); each write's `@CacheEvict` evicts what it
 * changed once the row is committed (never when it throws): creating and deleting also change
 * the `dashboard` figures (users counted), an update does not.
 */
@Injectable()
export class UsersService {
  constructor(private readonly users: UsersRepository) {}

  async list(orgId: string, query: ListUsersQueryDto): Promise<Page<UserDto>> {
    const { page, limit } = query;
    const search = query.search === '' ? undefined : query.search;
    const [rows, total] = await this.users.findPage(orgId, search, (page - 1) * limit, limit);
    return { items: rows.map(toUserDto), page, limit, total };
  }

  async get(orgId: string, id: string): Promise<UserDto> {
    const row = await this.users.findById(orgId, id);
    if (row === null) throw notFound(id);
    return toUserDto(row);
  }

  @CacheEvict({ org: orgOfFirstArg, tags: [UsersCache.tags.list, DashboardCache.tags.dashboard] })
  async create(orgId: string, body: CreateUserDto): Promise<UserDto> {
    const row = await this.users.insert(orgId, { email: body.email, name: body.name, role: body.role ?? DEFAULT_USER_ROLE });
    return toUserDto(row);
  }

  @CacheEvict({ org: orgOfFirstArg, tags: (_orgId: string, id: string) => [UsersCache.tags.user(id), UsersCache.tags.list] })
  async update(orgId: string, id: string, body: UpdateUserDto): Promise<UserDto> {
    const changes = { email: body.email, name: body.name, role: body.role };
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (Object.keys(defined).length === 0) throw new BadRequestException(['body must set at least one of email, name, role']);
    const row = await this.users.update(orgId, id, defined);
    if (row === null) throw notFound(id);
    return toUserDto(row);
  }

  /** Deletes a user; one who still has orders or appointments is a 409 (foreign key, via the filter). */
  @CacheEvict({
    org: orgOfFirstArg,
    tags: (_orgId: string, id: string) => [UsersCache.tags.user(id), UsersCache.tags.list, DashboardCache.tags.dashboard],
  })
  async remove(orgId: string, id: string): Promise<void> {
    if (!(await this.users.delete(orgId, id))) throw notFound(id);
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`No user with id ${id}`);
}
