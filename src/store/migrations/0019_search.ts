import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
export async function up(db: Kysely<any>): Promise<void> {
  // The search index over every framework's CFItems (docs/search.md): one row per (framework, item), rebuilt by the
  // store whenever a framework is written. Japanese has no spaces, so the text is indexed as the character unigrams
  // and bigrams the application computes (src/store/search.ts), found through a GIN index and checked against
  // `search_text`. Existing frameworks are indexed by the server's start after this migration (reindexAll).
  await sql`
    create table cf_item_search (
      document_identifier text not null,
      item_identifier text not null,
      position integer not null,
      code text,
      education_levels text[] not null,
      search_text text not null,
      tokens text[] not null,
      primary key (document_identifier, item_identifier)
    )`.execute(db);
  await sql`create index cf_item_search_tokens on cf_item_search using gin (tokens)`.execute(db);
  await sql`create index cf_item_search_code on cf_item_search (code text_pattern_ops)`.execute(db);
  await sql`create index cf_item_search_item on cf_item_search (item_identifier)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table cf_item_search`.execute(db);
}
