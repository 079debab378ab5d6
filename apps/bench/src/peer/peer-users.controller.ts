import { CacheInterceptor } from '@nestjs/cache-manager';
import { Controller, Get, NotFoundException, Param, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg } from '../../../../src/auth/current-org.decorator';
import { TenantGuard } from '../../../../src/auth/tenant.guard';
import { UuidParamPipe } from '../../../../src/common/pipes/uuid-param.pipe';
import { toUserDto, type UserDto } from '../../../../src/users/dto/user.dto';
import { UsersRepository } from '../../../../src/users/users.repository';

/**
 * GET /api/v1/users/:id's read (same guard, pipe, query and DTO) behind the peer's interceptor.
 * Its key is the URL alone, as the interceptor's default is: fine for one tenant's bench, not
 * for a multi-tenant API.
 */
@Controller('bench/peer/users')
@UseGuards(TenantGuard)
@UseInterceptors(CacheInterceptor)
export class PeerUsersController {
  constructor(private readonly users: UsersRepository) {}

  @Get(':id')
  async get(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<UserDto> {
    const row = await this.users.findById(orgId, id);
    if (row === null) throw new NotFoundException(`No user with id ${id}`);
    return toUserDto(row);
  }
}
