import { IsString, Length, Matches } from 'class-validator';

export class SaveDemoItemDto {
  @IsString()
  @Length(1, 200)
  // Postgres text cannot hold NUL; refusing it here keeps it a 400 instead of a database error.
  @Matches(/^[^\u0000]*$/, { message: 'name must not contain NUL characters' })
  name!: string;
}
