let onFirstAsk: (() => void) | undefined;

/**
 * The PostgreSQL server the tests use (SHIRUBE_TEST_DATABASE_URL), or undefined for the embedded PGlite. Asking is
 * recorded when test/setup/database-use.ts says so: CI runs on PostgreSQL again only the test files that asked.
 */
export function testDatabaseUrl(): string | undefined {
  onFirstAsk?.();
  onFirstAsk = undefined;
  return process.env['SHIRUBE_TEST_DATABASE_URL'] || undefined;
}

export function whenTestDatabaseAsked(f: () => void): void {
  onFirstAsk = f;
}
