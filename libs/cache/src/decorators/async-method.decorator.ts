/**
 * A decorator for methods that return a Promise. A cached call is always asynchronous (the
 * store may be remote), so applying one to a synchronous method is a compile error rather than
 * a silent change of its return type.
 *
 * @example
 * const decorator: AsyncMethodDecorator = Cacheable({ namespace: 'users', key: 'user:{0}' });
 */
export type AsyncMethodDecorator = <T extends (...args: never[]) => Promise<unknown>>(
  target: object,
  propertyKey: string | symbol,
  descriptor: TypedPropertyDescriptor<T>,
) => void;

/** Records `value` under `key` on the decorated method itself, where Nest's own method metadata lives. */
export function defineMethodMetadata(key: string, value: unknown): AsyncMethodDecorator {
  return (_target, _propertyKey, descriptor) => {
    if (descriptor.value !== undefined) Reflect.defineMetadata(key, value, descriptor.value);
  };
}
