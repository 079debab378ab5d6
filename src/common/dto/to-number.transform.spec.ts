import { plainToInstance } from 'class-transformer';
import { IsInt, validateSync } from 'class-validator';
import { ToNumber } from './to-number.transform';

class Sample {
  @ToNumber()
  @IsInt()
  n!: number;
}

describe(ToNumber.name, () => {
  it.each([
    ['12', 12],
    [' 7 ', 7],
    [3, 3],
  ])('reads %j as %j', (input, expected) => {
    expect(plainToInstance(Sample, { n: input }).n).toBe(expected);
  });

  it.each([
    ['an object whose toString is null', { toString: null }],
    ['an object with a throwing valueOf', { valueOf: () => { throw new Error('boom'); } }],
    ['an array', ['1', '2']],
    ['a boolean', true],
    ['null', null],
  ])('leaves %s a non-number, for the validators to refuse', (_name, input) => {
    const instance = plainToInstance(Sample, { n: input });
    expect(typeof instance.n).not.toBe('number');
    expect(validateSync(instance).map((error) => error.property)).toEqual(['n']);
  });

  it('reads a non-numeric string as NaN, which @IsInt refuses', () => {
    const instance = plainToInstance(Sample, { n: 'abc' });
    expect(instance.n).toBeNaN();
    expect(validateSync(instance)).toHaveLength(1);
  });
});
