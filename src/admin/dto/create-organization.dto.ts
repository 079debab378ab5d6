import { Transform } from 'class-transformer';
import { IsString, Length, Matches } from 'class-validator';

export class CreateOrganizationDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @Length(1, 200)
  @Matches(/^[^\u0000]*$/, { message: 'name must not contain NUL characters' })
  name!: string;
}
