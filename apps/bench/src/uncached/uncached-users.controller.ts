import { Controller, Get, Param, UseGuards } from '@nestjs/common';
import { CurrentOrg } from '../../../../src/auth/current-org.decorator';
import { TenantGuard } from '../../../../src/auth/tenant.guard';
import { UuidParamPipe } from '../../../../src/common/pipes/uuid-param.pipe';
import type { UserDto } from '../../../../src/users/dto/user.dto';
import { UsersService } from '../../../../src/users/users.service';

/**
 * GET /api/v1/users/:id's query with no cache around it, in the cached app: the API key lookup
 * stays cached (an L1 hit), so this row costs exactly one query more than the ceiling. With
 * CACHE_ENABLED=false the key lookup is a query too, which the "uncached" row includes.
 */
@Controller('bench/uncached/users')
@UseGuards(TenantGuard)
export class UncachedUsersController {
  constructor(private readonly users: UsersService) {}

  @Get(':id')
  get(@CurrentOrg() orgId: string, @Param('id', UuidParamPipe) id: string): Promise<UserDto> {
    return this.users.get(orgId, id);
  }
}
