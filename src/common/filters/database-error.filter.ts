import { type ArgumentsHost, Catch, type ExceptionFilter, HttpStatus, Logger } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { describeDatabaseError } from './database-error.mapping';

interface JsonResponse {
  status(code: number): { json(body: unknown): void };
}

/**
 * Turns Postgres constraint and input errors into 4xx answers in Nest's error shape
 * (unique 23505, foreign key 23503 and RESTRICT 23001 → 409; bad text, range or check → 400), so no input
 * can produce a 500. Anything else is a real server error and stays a 500.
 */
@Catch(QueryFailedError)
export class DatabaseErrorFilter implements ExceptionFilter<QueryFailedError> {
  private readonly logger = new Logger(DatabaseErrorFilter.name);

  catch(error: QueryFailedError, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<JsonResponse>();
    const mapped = describeDatabaseError(error.driverError);
    if (mapped === undefined) {
      this.logger.error(`Database error: ${error.message}`, error.stack);
      response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ statusCode: 500, message: 'Internal server error' });
      return;
    }
    response.status(mapped.status).json({ statusCode: mapped.status, message: mapped.message, error: mapped.error });
  }
}
