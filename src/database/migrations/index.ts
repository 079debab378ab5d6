import { CreateDemoItems1732360000000 } from './1732360000000-create-demo-items';

/**
 * Every migration, oldest first. Listed as classes rather than a glob so the same list works from
 * the TypeScript sources (Jest) and from dist/ (Node), with no path to get wrong.
 */
export const migrations = [CreateDemoItems1732360000000];
