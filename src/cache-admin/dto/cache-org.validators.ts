import { Matches } from 'class-validator';

/** An organization as cache keys spell it (its id): 1-128 of A-Z a-z 0-9 _ . - */
export const ORG_SEGMENT = /^[A-Za-z0-9_.-]{1,128}$/;

export const IsCacheOrg = (): PropertyDecorator =>
  Matches(ORG_SEGMENT, { message: 'org must be an organization id (1-128 of A-Z a-z 0-9 _ . -)' });
