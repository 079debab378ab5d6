import { Equals } from 'class-validator';

/** `DELETE /cache?confirm=true`: the flag is required, so a stray DELETE never flushes. */
export class FlushQueryDto {
  @Equals('true', { message: 'confirm must be true to flush every key of this app' })
  confirm!: string;
}
