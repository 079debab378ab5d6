import { BadRequestException } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { AppValidationPipe } from './validation';

class ListQuery {
  @IsOptional()
  @IsString()
  limit?: string;
}

class Inner {
  @IsString()
  name!: string;
}

class Body {
  @IsInt()
  count!: number;

  @ValidateNested()
  @Type(() => Inner)
  inner!: Inner;
}

async function refusal(run: Promise<unknown>): Promise<unknown> {
  const error = await run.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(BadRequestException);
  return (error as BadRequestException).getResponse();
}

describe(AppValidationPipe.name, () => {
  const pipe = new AppValidationPipe();

  it('refuses a query parameter named like an inherited member, which class-transformer would drop silently', async () => {
    const response = await refusal(pipe.transform({ limit: '1', toString: '0' }, { type: 'query', metatype: ListQuery }));
    expect(response).toMatchObject({ statusCode: 400, message: ['property toString should not exist'] });
    await refusal(pipe.transform({ constructor: 'x', hasOwnProperty: 'y' }, { type: 'query', metatype: ListQuery }));
  });

  it('refuses such names at any depth of a body', async () => {
    const response = await refusal(pipe.transform({ count: 1, inner: { name: 'a', valueOf: 2 } }, { type: 'body', metatype: Body }));
    expect(response).toMatchObject({ message: ['property inner.valueOf should not exist'] });
    await refusal(pipe.transform(JSON.parse('{"count": 1, "inner": {"name": "a"}, "__proto__": {"x": 1}}'), { type: 'body', metatype: Body }));
  });

  it('still refuses other unknown properties and admits valid input', async () => {
    await refusal(pipe.transform({ limit: '1', other: '0' }, { type: 'query', metatype: ListQuery }));
    await expect(pipe.transform({ limit: '1' }, { type: 'query', metatype: ListQuery })).resolves.toBeInstanceOf(ListQuery);
    await expect(pipe.transform({ count: 1, inner: { name: 'a' } }, { type: 'body', metatype: Body })).resolves.toMatchObject({ count: 1, inner: { name: 'a' } });
  });

  it('leaves route parameters and plain types to the stock pipe', async () => {
    await expect(pipe.transform('toString', { type: 'param', metatype: String, data: 'id' })).resolves.toBe('toString');
  });
});
