import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationPipeOptions } from '@nestjs/common';

/**
 * The global ValidationPipe's options (app.setup.ts): unknown properties are 400, values are
 * transformed into the DTOs.
 */
export const VALIDATION_OPTIONS: ValidationPipeOptions = { whitelist: true, forbidNonWhitelisted: true, transform: true };

/** Names every plain object inherits (`toString`, `constructor`, `__proto__`, …). */
const INHERITED_NAMES = new Set(Object.getOwnPropertyNames(Object.prototype));

/**
 * The app's ValidationPipe (VALIDATION_OPTIONS), which also refuses a property named like an
 * inherited member (`?toString=0`, `{"valueOf": 1}`, at any depth of a body): class-transformer
 * skips such names silently when it builds the DTO, so the whitelist never sees them and the
 * request would pass as if they were absent. Warm jobs build their queries with the same pipe,
 * so what they store is keyed exactly as a client's request is.
 */
export class AppValidationPipe extends ValidationPipe {
  constructor() {
    super(VALIDATION_OPTIONS);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if ((metadata.type === 'body' || metadata.type === 'query') && metadata.metatype !== undefined && this.toValidate(metadata)) {
      const shadowing = inheritedNames(value, (metadata.metatype as { prototype?: object }).prototype);
      if (shadowing.length > 0) throw new BadRequestException(shadowing.map((name) => `property ${name} should not exist`));
    }
    return super.transform(value, metadata);
  }
}

/**
 * Paths (`duration.toString`, `items.0.valueOf`) of the property names in `value`, and in the
 * objects and arrays it holds, that an object would inherit.
 */
function inheritedNames(value: unknown, prototype?: object, path = '', found: string[] = []): string[] {
  if (value === null || typeof value !== 'object') return found;
  if (Array.isArray(value)) {
    value.forEach((item, index) => inheritedNames(item, undefined, `${path}${index}.`, found));
    return found;
  }
  for (const [name, item] of Object.entries(value)) {
    const onPrototype = prototype !== undefined && typeof (prototype as Record<string, unknown>)[name] === 'function';
    if (INHERITED_NAMES.has(name) || onPrototype) found.push(`${path}${name}`);
    else inheritedNames(item, undefined, `${path}${name}.`, found);
  }
  return found;
}
