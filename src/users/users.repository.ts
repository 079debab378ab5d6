import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Brackets, type Repository } from 'typeorm';
import { User } from './user.entity';

export interface UserFields {
  email: string;
  name: string;
  role: string;
}

/** LIKE wildcards in user input match themselves. */
const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Queries of `users`; every one is bound to an organization. */
@Injectable()
export class UsersRepository {
  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  findPage(orgId: string, search: string | undefined, offset: number, limit: number): Promise<[User[], number]> {
    const query = this.users.createQueryBuilder('u').where('u.org_id = :orgId', { orgId });
    if (search !== undefined && search !== '') {
      const pattern = `%${escapeLike(search)}%`;
      query.andWhere(new Brackets((q) => q.where('u.name ILIKE :pattern', { pattern }).orWhere('u.email ILIKE :pattern', { pattern })));
    }
    return query.orderBy('u.created_at', 'DESC').addOrderBy('u.id', 'DESC').skip(offset).take(limit).getManyAndCount();
  }

  findById(orgId: string, id: string): Promise<User | null> {
    return this.users.findOneBy({ orgId, id });
  }

  findByEmail(orgId: string, email: string): Promise<User | null> {
    return this.users.findOneBy({ orgId, email });
  }

  insert(orgId: string, fields: UserFields): Promise<User> {
    return this.users.save(this.users.create({ orgId, ...fields }));
  }

  /** Applies the changes; null when the organization has no such user. */
  async update(orgId: string, id: string, changes: Partial<UserFields>): Promise<User | null> {
    const result = await this.users.update({ orgId, id }, { ...changes, updatedAt: () => 'now()' });
    if (result.affected === 0) return null;
    return this.findById(orgId, id);
  }

  /** Whether a row was deleted. */
  async delete(orgId: string, id: string): Promise<boolean> {
    const result = await this.users.delete({ orgId, id });
    return (result.affected ?? 0) > 0;
  }
}
