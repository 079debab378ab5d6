import { BadRequestException } from '@nestjs/common';
import { UuidParamPipe } from './uuid-param.pipe';

describe(UuidParamPipe.name, () => {
  const sut = new UuidParamPipe();

  it('returns a UUID lower-cased', () => {
    expect(sut.transform('A0B1C2D3-0000-4000-8000-00000000000F', { type: 'param', data: 'id' })).toBe('a0b1c2d3-0000-4000-8000-00000000000f');
  });

  it.each(['', 'abc', '123', '00000000-0000-4000-8000-00000000000', "1' OR '1'='1"])('refuses %p naming the parameter', (value) => {
    expect(() => sut.transform(value, { type: 'param', data: 'keyId' })).toThrow(BadRequestException);
    try {
      sut.transform(value, { type: 'param', data: 'keyId' });
    } catch (error) {
      expect((error as BadRequestException).getResponse()).toMatchObject({ message: ['keyId must be a UUID'] });
    }
  });
});
