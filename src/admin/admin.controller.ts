import { Body, Controller, Delete, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiKeysService, type IssuedApiKey } from '../auth/api-keys.service';
import { OperatorGuard } from '../auth/operator.guard';
import { UuidParamPipe } from '../common/pipes/uuid-param.pipe';
import { type CreatedOrganization, OrganizationsService } from '../organizations/organizations.service';
import { CreateOrganizationDto } from './dto/create-organization.dto';

/** Operator routes: create organizations, issue and revoke their API keys. */
@Controller('admin')
@UseGuards(OperatorGuard)
export class AdminController {
  constructor(
    private readonly orgs: OrganizationsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  @Post('orgs')
  createOrg(@Body() body: CreateOrganizationDto): Promise<CreatedOrganization> {
    return this.orgs.create(body.name);
  }

  @Post('orgs/:id/keys')
  issueKey(@Param('id', UuidParamPipe) orgId: string): Promise<IssuedApiKey> {
    return this.orgs.issueKey(orgId);
  }

  @Delete('keys/:keyId')
  @HttpCode(204)
  revokeKey(@Param('keyId', UuidParamPipe) keyId: string): Promise<void> {
    return this.apiKeys.revoke(keyId);
  }
}
