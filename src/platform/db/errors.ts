/** PostgreSQL error codes the application answers as client errors rather than 500s. */
const UNIQUE_VIOLATION = '23505';
const FOREIGN_KEY_VIOLATION = '23503';
const RESTRICT_VIOLATION = '23001';

const codeOf = (error: unknown) => (typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : undefined);

export const isUniqueViolation = (error: unknown) => codeOf(error) === UNIQUE_VIOLATION;
export const isForeignKeyViolation = (error: unknown) => codeOf(error) === FOREIGN_KEY_VIOLATION;
/** A delete refused because rows still reference the row: 23001 from PostgreSQL 18 for ON DELETE RESTRICT, 23503 before. */
export const isStillReferenced = (error: unknown) => codeOf(error) === RESTRICT_VIOLATION || codeOf(error) === FOREIGN_KEY_VIOLATION;

/** The constraint a violation names, to say which field clashed. */
export const constraintOf = (error: unknown) =>
  typeof error === 'object' && error !== null && 'constraint' in error ? String(error.constraint) : undefined;
