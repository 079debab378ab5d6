import { Transform } from 'class-transformer';
import { IsEmail, IsString, Length, Matches, MaxLength } from 'class-validator';
import { NoNul, OptionalButNotNull, Trim } from '../../common/dto/text.validators';

/** Any of the fields of a new user (at least one; the service says so otherwise). */
export class UpdateUserDto {
  @OptionalButNotNull()
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @MaxLength(320)
  @IsEmail({}, { message: 'email must be an email address' })
  email?: string;

  @OptionalButNotNull()
  @Trim()
  @IsString()
  @Length(1, 200)
  @NoNul('name')
  name?: string;

  @OptionalButNotNull()
  @IsString()
  @Matches(/^[a-z][a-z0-9_-]{0,19}$/, { message: 'role must be 1 to 20 lower-case letters, digits, _ or -, starting with a letter' })
  role?: string;
}
