import { CacheInterceptor } from '@nestjs/cache-manager';
import { Controller, Get, Param, UseGuards, UseInterceptors } from '@nestjs/common';
import { CurrentOrg } from '../../../../src/auth/current-org.decorator';
import { TenantGuard } from '../../../../src/auth/tenant.guard';
import { UuidParamPipe } from '../../../../src/common/pipes/uuid-param.pipe';
import type { UserDto } from '../../../../src/users/dto/user.dto';
import { UsersService } from '../../../../src/users/users.service';

/**
 * GET /api/v1/users/:id's read (same guard, pipe and UsersService.get) behind the peer's interceptor.
 * Its key is the URL alone, as the interceptor's default is: fine for one tenant's bench, not
 * for a multi-tenant API.
 */
@Controller('bench/peer/users')
@UseGuards(TenantGuard)
@UseInterceptors(CacheInterceptor)
export class PeerUsersController {
  constructor(private readonly users: UsersService) {}

  @Get(':id')
  get(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<UserDto> {
    return this.users.get(orgId, id);
  }
}
