import type { Page } from '../common/dto/page';

export type { Page };

export function toPage<T>(items: T[], page: number, limit: number, total: number): Page<T> {
  return { items, page, limit, total };
}
