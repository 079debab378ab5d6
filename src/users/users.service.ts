import { CacheService } from '@app/cache';
import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { DomainTags } from '../common/cache/domain-cache-tags';
import type { Page } from '../common/dto/page';
import type { CreateUserDto } from './dto/create-user.dto';
import { DEFAULT_USER_ROLE } from './dto/create-user.dto';
import type { ListUsersQueryDto } from './dto/list-users-query.dto';
import type { UpdateUserDto } from './dto/update-user.dto';
import { toUserDto, type UserDto } from './dto/user.dto';
import { UsersRepository } from './users.repository';

/**
 * Users of one organization. Reads are cached by the controller's `@CacheRoute` (tag
 * `user:<id>` for one user, `users` for lists); each write evicts what it changed once the row
 * is committed: creating and deleting also change the `dashboard` figures (users counted),
 * an update does not.
 */
@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly cache: CacheService,
  ) {}

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

  async create(orgId: string, body: CreateUserDto): Promise<UserDto> {
    const row = await this.users.insert(orgId, { email: body.email, name: body.name, role: body.role ?? DEFAULT_USER_ROLE });
    await this.evict(orgId, row.id, { counted: true });
    return toUserDto(row);
  }

  async update(orgId: string, id: string, body: UpdateUserDto): Promise<UserDto> {
    const changes = { email: body.email, name: body.name, role: body.role };
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (Object.keys(defined).length === 0) throw new BadRequestException(['body must set at least one of email, name, role']);
    const row = await this.users.update(orgId, id, defined);
    if (row === null) throw notFound(id);
    await this.evict(orgId, id);
    return toUserDto(row);
  }

  /** Deletes a user; one who still has orders or appointments is a 409 (foreign key, via the filter). */
  async remove(orgId: string, id: string): Promise<void> {
    if (!(await this.users.delete(orgId, id))) throw notFound(id);
    await this.evict(orgId, id, { counted: true });
  }

  /** `counted`: the write changed how many users there are, which the dashboard shows. */
  private async evict(orgId: string, id: string, { counted }: { counted: boolean } = { counted: false }): Promise<void> {
    const tags = [DomainTags.user(id), DomainTags.users, ...(counted ? [DomainTags.dashboard] : [])];
    await this.cache.invalidateTags(tags, { org: orgId });
  }
}

function notFound(id: string): NotFoundException {
  return new NotFoundException(`No user with id ${id}`);
}
