import { type ArgumentMetadata, BadRequestException, Injectable, type PipeTransform } from '@nestjs/common';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Accepts a UUID path parameter (lower-cased), else 400 naming the parameter:
 * `@Param('id', UuidParamPipe) id: string` → "id must be a UUID".
 */
@Injectable()
export class UuidParamPipe implements PipeTransform<unknown, string> {
  transform(value: unknown, metadata: ArgumentMetadata): string {
    const name = metadata.data ?? 'id';
    if (typeof value !== 'string' || !UUID.test(value)) throw new BadRequestException([`${name} must be a UUID`]);
    return value.toLowerCase();
  }
}
