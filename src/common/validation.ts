import type { ValidationPipeOptions } from '@nestjs/common';

/**
 * The global ValidationPipe's options (app.setup.ts): unknown properties are 400, values are
 * transformed into the DTOs. Warm jobs build their queries with the same pipe, so what they
 * store is keyed exactly as a client's request is.
 */
export const VALIDATION_OPTIONS: ValidationPipeOptions = { whitelist: true, forbidNonWhitelisted: true, transform: true };
