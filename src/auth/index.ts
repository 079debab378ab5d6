export { AuthModule } from './auth.module';
export { AuthModule as TenantModule } from './auth.module';
export { ApiKeysService, type IssuedApiKey } from './api-keys.service';
export { CurrentOrg, CurrentTenant } from './current-org.decorator';
export { OperatorGuard } from './operator.guard';
export { TenantGuard } from './tenant.guard';
export type { TenantIdentity, TenantRequest } from './tenant-identity';
