import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';
import { ApiKey } from './api-key.entity';

@Injectable()
export class ApiKeysRepository {
  constructor(@InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>) {}

  findActiveByHash(keyHash: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ keyHash, revokedAt: IsNull() });
  }

  findById(id: string): Promise<ApiKey | null> {
    return this.keys.findOneBy({ id });
  }

  insert(orgId: string, prefix: string, keyHash: string): Promise<ApiKey> {
    return this.keys.save(this.keys.create({ orgId, prefix, keyHash, revokedAt: null }));
  }

  /** Marks the key revoked (once; a second revoke keeps the first time). */
  async revoke(id: string): Promise<void> {
    await this.keys.update({ id, revokedAt: IsNull() }, { revokedAt: () => 'now()' });
  }
}
