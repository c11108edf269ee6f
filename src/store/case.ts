import { sql, type Transaction } from 'kysely';
import type { Db } from './db.js';
import type { CfDefinitionKind, Database } from './tables.js';
import { bumpCaseGeneration } from './case-generation.js';
import { frameworksSharing, reindexFramework } from './search.js';

type Payload = Record<string, unknown>;

export interface DocumentRow {
  identifier: string;
  payload: Payload;
  title: string;
  creator: string;
  adoptionStatus: string | null;
  lastChange: Date;
  authored: boolean;
  isCourseOfStudy: boolean;
  organizationId: string | null;
  packageExtensions: Payload | null;
  definitionsExtensions: Payload | null;
  sourceUrl: string | null;
}
export interface ItemRow {
  identifier: string;
  payload: Payload;
  documentIdentifier: string | null;
  humanCodingScheme: string | null;
  lastChange: Date;
  authored: boolean;
}
export interface AssociationRow {
  identifier: string;
  payload: Payload;
  documentIdentifier: string;
  associationType: string;
  originIdentifier: string;
  destinationIdentifier: string;
  sequenceNumber: number | null;
  provenance: Payload | null;
  lastChange: Date;
  authored: boolean;
}
export interface DefinitionRow {
  identifier: string;
  kind: CfDefinitionKind;
  payload: Payload;
  lastChange: Date;
  authored: boolean;
}
export interface RubricRow {
  identifier: string;
  payload: Payload;
  lastChange: Date;
  authored: boolean;
}
export interface PackageRows {
  document: DocumentRow;
  items: ItemRow[];
  associations: AssociationRow[];
  definitions: DefinitionRow[];
  rubrics: RubricRow[];
}

const CHUNK = 500;
const chunks = <T>(xs: T[]) => Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * Writes a whole package (insert or replace) inside the caller's transaction: the document, its items,
 * associations, definitions and rubrics, and the package membership in order. Items and definitions
 * shared with other packages are updated in place; entities this package alone held and no longer holds are removed.
 * The search index follows (./search.ts), for this package and for the others sharing its items.
 */
export async function savePackage(trx: Transaction<Database>, p: PackageRows): Promise<void> {
  await bumpCaseGeneration(trx);
  const d = p.document;
  const docValues = {
    identifier: d.identifier,
    payload: JSON.stringify(d.payload),
    title: d.title,
    creator: d.creator,
    adoption_status: d.adoptionStatus,
    authored: d.authored,
    is_course_of_study: d.isCourseOfStudy,
    organization_id: d.organizationId,
    package_extensions: d.packageExtensions ? JSON.stringify(d.packageExtensions) : null,
    definitions_extensions: d.definitionsExtensions ? JSON.stringify(d.definitionsExtensions) : null,
    source_url: d.sourceUrl,
    last_change_date_time: d.lastChange,
  } as never;
  await trx
    .insertInto('cf_document')
    .values(docValues)
    .onConflict((oc) => oc.column('identifier').doUpdateSet((eb) => ({
      payload: eb.ref('excluded.payload'),
      title: eb.ref('excluded.title'),
      creator: eb.ref('excluded.creator'),
      adoption_status: eb.ref('excluded.adoption_status'),
      authored: eb.ref('excluded.authored'),
      is_course_of_study: eb.ref('excluded.is_course_of_study'),
      organization_id: eb.ref('excluded.organization_id'),
      package_extensions: eb.ref('excluded.package_extensions'),
      definitions_extensions: eb.ref('excluded.definitions_extensions'),
      source_url: eb.ref('excluded.source_url'),
      last_change_date_time: eb.ref('excluded.last_change_date_time'),
      updated_at: sql`now()`,
    })))
    .execute();

  const previous = await trx
    .deleteFrom('cf_package_member')
    .where('document_identifier', '=', d.identifier)
    .returning(['kind', 'identifier'])
    .execute();
  await trx.deleteFrom('cf_association').where('document_identifier', '=', d.identifier).execute();

  for (const part of chunks(p.items)) {
    await trx
      .insertInto('cf_item')
      .values(part.map((i) => ({
        identifier: i.identifier,
        payload: JSON.stringify(i.payload),
        document_identifier: i.documentIdentifier,
        human_coding_scheme: i.humanCodingScheme,
        authored: i.authored,
        last_change_date_time: i.lastChange,
      })) as never)
      .onConflict((oc) => oc.column('identifier').doUpdateSet((eb) => ({
        payload: eb.ref('excluded.payload'),
        document_identifier: eb.ref('excluded.document_identifier'),
        human_coding_scheme: eb.ref('excluded.human_coding_scheme'),
        authored: eb.ref('excluded.authored'),
        last_change_date_time: eb.ref('excluded.last_change_date_time'),
        updated_at: sql`now()`,
      })))
      .execute();
  }
  for (const part of chunks(p.definitions)) {
    await trx
      .insertInto('cf_definition')
      .values(part.map((x) => ({
        identifier: x.identifier,
        kind: x.kind,
        payload: JSON.stringify(x.payload),
        authored: x.authored,
        last_change_date_time: x.lastChange,
      })) as never)
      .onConflict((oc) => oc.column('identifier').doUpdateSet((eb) => ({
        kind: eb.ref('excluded.kind'),
        payload: eb.ref('excluded.payload'),
        authored: eb.ref('excluded.authored'),
        last_change_date_time: eb.ref('excluded.last_change_date_time'),
        updated_at: sql`now()`,
      })))
      .execute();
  }
  for (const part of chunks(p.rubrics)) {
    await trx
      .insertInto('cf_rubric')
      .values(part.map((x) => ({
        identifier: x.identifier,
        payload: JSON.stringify(x.payload),
        authored: x.authored,
        last_change_date_time: x.lastChange,
      })) as never)
      .onConflict((oc) => oc.column('identifier').doUpdateSet((eb) => ({
        payload: eb.ref('excluded.payload'),
        authored: eb.ref('excluded.authored'),
        last_change_date_time: eb.ref('excluded.last_change_date_time'),
        updated_at: sql`now()`,
      })))
      .execute();
  }
  // A package may list the same association twice (Smarter Balanced does); one statement cannot upsert a row twice.
  const assocIds = new Set<string>();
  const associations = p.associations.filter((a) => !assocIds.has(a.identifier) && assocIds.add(a.identifier));
  for (const [i, part] of chunks(associations).entries()) {
    await trx
      .insertInto('cf_association')
      .values(part.map((a, j) => ({
        identifier: a.identifier,
        payload: JSON.stringify(a.payload),
        document_identifier: d.identifier,
        association_type: a.associationType,
        origin_identifier: a.originIdentifier,
        destination_identifier: a.destinationIdentifier,
        sequence_number: a.sequenceNumber,
        provenance: a.provenance ? JSON.stringify(a.provenance) : null,
        position: i * CHUNK + j,
        authored: a.authored,
        last_change_date_time: a.lastChange,
      })) as never)
      // An association identifier met again (e.g. the same association in another package) moves here.
      .onConflict((oc) => oc.column('identifier').doUpdateSet((eb) => ({
        payload: eb.ref('excluded.payload'),
        document_identifier: eb.ref('excluded.document_identifier'),
        association_type: eb.ref('excluded.association_type'),
        origin_identifier: eb.ref('excluded.origin_identifier'),
        destination_identifier: eb.ref('excluded.destination_identifier'),
        sequence_number: eb.ref('excluded.sequence_number'),
        provenance: eb.ref('excluded.provenance'),
        position: eb.ref('excluded.position'),
        authored: eb.ref('excluded.authored'),
        last_change_date_time: eb.ref('excluded.last_change_date_time'),
        updated_at: sql`now()`,
      })))
      .execute();
  }

  const members = [
    ...p.items.map((x, position) => ({ kind: 'CFItem' as const, identifier: x.identifier, position })),
    ...p.definitions.map((x, position) => ({ kind: 'CFDefinition' as const, identifier: x.identifier, position })),
    ...p.rubrics.map((x, position) => ({ kind: 'CFRubric' as const, identifier: x.identifier, position })),
  ];
  // A package may list the same entity twice; membership keeps the first place.
  const seen = new Set<string>();
  const unique = members.filter((m) => !seen.has(`${m.kind}:${m.identifier}`) && seen.add(`${m.kind}:${m.identifier}`));
  for (const part of chunks(unique)) {
    await trx
      .insertInto('cf_package_member')
      .values(part.map((m) => ({ ...m, document_identifier: d.identifier })))
      .execute();
  }
  await deleteOrphans(trx, previous.filter((m) => !seen.has(`${m.kind}:${m.identifier}`)));
  await reindexFramework(trx, d.identifier);
  for (const [other, items] of await frameworksSharing(trx, d.identifier, p.items.map((i) => i.identifier))) await reindexFramework(trx, other, items);
}

async function deleteOrphans(trx: Transaction<Database>, dropped: Array<{ kind: string; identifier: string }>) {
  const table = { CFItem: 'cf_item', CFDefinition: 'cf_definition', CFRubric: 'cf_rubric' } as const;
  for (const kind of ['CFItem', 'CFDefinition', 'CFRubric'] as const) {
    const ids = dropped.filter((m) => m.kind === kind).map((m) => m.identifier);
    for (const part of chunks(ids)) {
      await trx
        .deleteFrom(table[kind])
        .where('identifier', 'in', part)
        .where(({ not, exists, selectFrom }) =>
          not(exists(selectFrom('cf_package_member as m').select('m.identifier').whereRef('m.identifier', '=', `${table[kind]}.identifier` as never))),
        )
        .execute();
    }
  }
}

export async function deletePackage(trx: Transaction<Database>, documentIdentifier: string): Promise<boolean> {
  await bumpCaseGeneration(trx);
  const members = await trx
    .deleteFrom('cf_package_member')
    .where('document_identifier', '=', documentIdentifier)
    .returning(['kind', 'identifier'])
    .execute();
  const res = await trx.deleteFrom('cf_document').where('identifier', '=', documentIdentifier).executeTakeFirst();
  await deleteOrphans(trx, members);
  await reindexFramework(trx, documentIdentifier);
  return Number(res.numDeletedRows) > 0;
}

export const toDocument = (r: any): DocumentRow => ({
  identifier: r.identifier,
  payload: r.payload,
  title: r.title,
  creator: r.creator,
  adoptionStatus: r.adoption_status,
  lastChange: new Date(r.last_change_date_time),
  authored: r.authored,
  isCourseOfStudy: r.is_course_of_study,
  organizationId: r.organization_id,
  packageExtensions: r.package_extensions,
  definitionsExtensions: r.definitions_extensions,
  sourceUrl: r.source_url,
});
const toItem = (r: any): ItemRow => ({
  identifier: r.identifier,
  payload: r.payload,
  documentIdentifier: r.document_identifier,
  humanCodingScheme: r.human_coding_scheme,
  lastChange: new Date(r.last_change_date_time),
  authored: r.authored,
});
export const toAssociation = (r: any): AssociationRow => ({
  identifier: r.identifier,
  payload: r.payload,
  documentIdentifier: r.document_identifier,
  associationType: r.association_type,
  originIdentifier: r.origin_identifier,
  destinationIdentifier: r.destination_identifier,
  sequenceNumber: r.sequence_number,
  provenance: r.provenance,
  lastChange: new Date(r.last_change_date_time),
  authored: r.authored,
});
const toDefinition = (r: any): DefinitionRow => ({
  identifier: r.identifier,
  kind: r.kind,
  payload: r.payload,
  lastChange: new Date(r.last_change_date_time),
  authored: r.authored,
});
const toRubric = (r: any): RubricRow => ({
  identifier: r.identifier,
  payload: r.payload,
  lastChange: new Date(r.last_change_date_time),
  authored: r.authored,
});

export async function getDocument(db: Db, identifier: string): Promise<DocumentRow | undefined> {
  const r = await db.selectFrom('cf_document').selectAll().where('identifier', '=', identifier).executeTakeFirst();
  return r && toDocument(r);
}

/** All documents, newest change first; callers filter by visibility. */
export async function listDocuments(db: Db): Promise<DocumentRow[]> {
  const rows = await db.selectFrom('cf_document').selectAll().orderBy('title').execute();
  return rows.map(toDocument);
}

export async function loadPackage(db: Db, documentIdentifier: string): Promise<PackageRows | undefined> {
  const document = await getDocument(db, documentIdentifier);
  if (!document) return undefined;
  const member = (kind: string) =>
    db.selectFrom('cf_package_member as m').where('m.document_identifier', '=', documentIdentifier).where('m.kind', '=', kind as never);
  const [items, associations, definitions, rubrics] = await Promise.all([
    member('CFItem').innerJoin('cf_item as e', 'e.identifier', 'm.identifier').selectAll('e').orderBy('m.position').execute(),
    db.selectFrom('cf_association').selectAll().where('document_identifier', '=', documentIdentifier).orderBy('position').execute(),
    member('CFDefinition').innerJoin('cf_definition as e', 'e.identifier', 'm.identifier').selectAll('e').orderBy('m.position').execute(),
    member('CFRubric').innerJoin('cf_rubric as e', 'e.identifier', 'm.identifier').selectAll('e').orderBy('m.position').execute(),
  ]);
  return {
    document,
    items: items.map(toItem),
    associations: associations.map(toAssociation),
    definitions: definitions.map(toDefinition),
    rubrics: rubrics.map(toRubric),
  };
}

export async function getItem(db: Db, identifier: string): Promise<ItemRow | undefined> {
  const r = await db.selectFrom('cf_item').selectAll().where('identifier', '=', identifier).executeTakeFirst();
  return r && toItem(r);
}

/** Documents whose package holds the item (its own framework first). */
export async function itemDocuments(db: Db, itemIdentifier: string): Promise<DocumentRow[]> {
  const rows = await db
    .selectFrom('cf_package_member as m')
    .innerJoin('cf_document as d', 'd.identifier', 'm.document_identifier')
    .selectAll('d')
    .where('m.kind', '=', 'CFItem')
    .where('m.identifier', '=', itemIdentifier)
    .execute();
  return rows.map(toDocument);
}

export async function getAssociation(db: Db, identifier: string): Promise<AssociationRow | undefined> {
  const r = await db.selectFrom('cf_association').selectAll().where('identifier', '=', identifier).executeTakeFirst();
  return r && toAssociation(r);
}

/** Associations whose origin or destination is the item, from every document. */
export async function itemAssociations(db: Db, itemIdentifier: string): Promise<AssociationRow[]> {
  const rows = await db
    .selectFrom('cf_association')
    .selectAll()
    .where((eb) => eb.or([eb('origin_identifier', '=', itemIdentifier), eb('destination_identifier', '=', itemIdentifier)]))
    .orderBy('document_identifier')
    .orderBy('position')
    .execute();
  return rows.map(toAssociation);
}

export async function getDefinition(db: Db, identifier: string, kind?: CfDefinitionKind): Promise<DefinitionRow | undefined> {
  let q = db.selectFrom('cf_definition').selectAll().where('identifier', '=', identifier);
  if (kind) q = q.where('kind', '=', kind);
  const r = await q.executeTakeFirst();
  return r && toDefinition(r);
}

export async function getRubric(db: Db, identifier: string): Promise<RubricRow | undefined> {
  const r = await db.selectFrom('cf_rubric').selectAll().where('identifier', '=', identifier).executeTakeFirst();
  return r && toRubric(r);
}

/** Documents whose package holds the definition or rubric (for visibility checks). */
export async function memberDocuments(db: Db, identifier: string): Promise<DocumentRow[]> {
  const rows = await db
    .selectFrom('cf_package_member as m')
    .innerJoin('cf_document as d', 'd.identifier', 'm.document_identifier')
    .selectAll('d')
    .where('m.identifier', '=', identifier)
    .execute();
  return rows.map(toDocument);
}

/** Items with this Course of Study Code, only from documents marked as Course of Study frameworks. */
export async function findCourseOfStudyItems(db: Db, code: string): Promise<Array<{ item: ItemRow; documentIdentifier: string }>> {
  const rows = await db
    .selectFrom('cf_item as i')
    .innerJoin('cf_package_member as m', (j) => j.onRef('m.identifier', '=', 'i.identifier').on('m.kind', '=', 'CFItem'))
    .innerJoin('cf_document as d', 'd.identifier', 'm.document_identifier')
    .selectAll('i')
    .select('d.identifier as doc')
    .where('i.human_coding_scheme', '=', code)
    .where('d.is_course_of_study', '=', true)
    .execute();
  return rows.map((r) => ({ item: toItem(r), documentIdentifier: r.doc }));
}

/** findCourseOfStudyItems for many codes in one query (the LRS links a batch of statements at once). */
export async function findCourseOfStudyItemsByCodes(db: Db, codes: string[]): Promise<Map<string, ItemRow[]>> {
  const out = new Map<string, ItemRow[]>(codes.map((c) => [c, []]));
  if (!codes.length) return out;
  const rows = await db
    .selectFrom('cf_item as i')
    .innerJoin('cf_package_member as m', (j) => j.onRef('m.identifier', '=', 'i.identifier').on('m.kind', '=', 'CFItem'))
    .innerJoin('cf_document as d', 'd.identifier', 'm.document_identifier')
    .selectAll('i')
    .where('i.human_coding_scheme', 'in', codes)
    .where('d.is_course_of_study', '=', true)
    .execute();
  for (const r of rows) {
    const list = out.get(r.human_coding_scheme!)!;
    if (!list.some((x) => x.identifier === r.identifier)) list.push(toItem(r));
  }
  return out;
}

/** Writes the CFDocument's payload and the columns derived from it. */
export async function updateDocument(trx: Transaction<Database>, documentIdentifier: string, payload: Payload, lastChange: Date): Promise<void> {
  const text = (k: string) => (typeof payload[k] === 'string' ? (payload[k] as string) : null);
  await trx
    .updateTable('cf_document')
    .set({ adoption_status: text('adoptionStatus'), title: text('title') ?? '', creator: text('creator') ?? '', payload: JSON.stringify(payload) as never, last_change_date_time: lastChange, updated_at: sql`now()` as never })
    .where('identifier', '=', documentIdentifier)
    .execute();
}

/** The associations a package holds, of one type when given, in package order. */
export async function packageAssociations(db: Db, documentIdentifier: string, type?: string): Promise<AssociationRow[]> {
  let q = db.selectFrom('cf_association').selectAll().where('document_identifier', '=', documentIdentifier);
  if (type) q = q.where('association_type', '=', type);
  return (await q.orderBy('position').execute()).map(toAssociation);
}

/** Whether a package holds the entity (a CFItem, CFDefinition or CFRubric). */
export async function isMember(db: Db, documentIdentifier: string, kind: MemberKind, identifier: string): Promise<boolean> {
  const r = await db.selectFrom('cf_package_member').select('identifier')
    .where('document_identifier', '=', documentIdentifier).where('kind', '=', kind).where('identifier', '=', identifier).executeTakeFirst();
  return !!r;
}

/** Identifiers of the package's items whose payload names `identifier` (a definition they link to). */
export async function itemsNaming(db: Db, documentIdentifier: string, identifier: string): Promise<string[]> {
  const rows = await db.selectFrom('cf_package_member as m').innerJoin('cf_item as i', 'i.identifier', 'm.identifier').select('i.identifier')
    .where('m.document_identifier', '=', documentIdentifier).where('m.kind', '=', 'CFItem')
    .where(sql<boolean>`strpos(i.payload::text, ${JSON.stringify(identifier)}) > 0`).execute();
  return rows.map((r) => r.identifier);
}

/** Definitions of one kind held by any of these packages (children of a CFConcept/CFSubject/CFItemType set). */
export async function packageDefinitions(db: Db, documentIdentifiers: string[], kind: CfDefinitionKind): Promise<DefinitionRow[]> {
  if (documentIdentifiers.length === 0) return [];
  const rows = await db
    .selectFrom('cf_package_member as m')
    .innerJoin('cf_definition as e', 'e.identifier', 'm.identifier')
    .selectAll('e')
    .where('m.kind', '=', 'CFDefinition')
    .where('m.document_identifier', 'in', documentIdentifiers)
    .where('e.kind', '=', kind)
    .orderBy('m.document_identifier')
    .orderBy('m.position')
    .execute();
  return rows.map(toDefinition);
}

/** The criteria of a rubric payload as rows, whatever the payload holds (a non-array reads as none). */
const criteriaOf = sql`jsonb_array_elements(case when jsonb_typeof(r.payload -> 'CFRubricCriteria') = 'array' then r.payload -> 'CFRubricCriteria' else '[]'::jsonb end)`;

/** Rubrics, from any framework, with a criterion naming a CFItem of this framework's package. */
export async function rubricsNamingItemsOf(db: Db, documentIdentifier: string): Promise<RubricRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select r.* from cf_rubric r
    where exists (
      select 1 from ${criteriaOf} c
      join cf_package_member m on m.kind = 'CFItem' and m.identifier = c -> 'CFItemURI' ->> 'identifier'
      where m.document_identifier = ${documentIdentifier})
    order by r.last_change_date_time, r.identifier`.execute(db);
  return rows.map(toRubric);
}

/** Rubrics, from any framework, with a criterion naming this CFItem. */
export async function rubricsNamingItem(db: Db, itemIdentifier: string): Promise<RubricRow[]> {
  const { rows } = await sql<Record<string, unknown>>`
    select r.* from cf_rubric r
    where exists (select 1 from ${criteriaOf} c where c -> 'CFItemURI' ->> 'identifier' = ${itemIdentifier})
    order by r.last_change_date_time, r.identifier`.execute(db);
  return rows.map(toRubric);
}

const memberKinds = { CFItem: 'cf_item', CFDefinition: 'cf_definition', CFRubric: 'cf_rubric' } as const;
export type MemberKind = keyof typeof memberKinds;

/** Makes an entity a member of a package, after the package's others of its kind, unless it is one already. */
async function addMember(trx: Transaction<Database>, documentIdentifier: string, kind: MemberKind, identifier: string): Promise<void> {
  const member = await trx.selectFrom('cf_package_member').select('position')
    .where('document_identifier', '=', documentIdentifier).where('kind', '=', kind).where('identifier', '=', identifier).executeTakeFirst();
  if (member) return;
  const { max } = await trx.selectFrom('cf_package_member').select((eb) => eb.fn.max('position').as('max'))
    .where('document_identifier', '=', documentIdentifier).where('kind', '=', kind).executeTakeFirstOrThrow();
  await trx.insertInto('cf_package_member').values({ document_identifier: documentIdentifier, kind, identifier, position: (max ?? -1) + 1 }).execute();
}

/** Writes one rubric into a package (replacing it, or appended after the package's other rubrics). */
export async function putRubric(trx: Transaction<Database>, documentIdentifier: string, r: Omit<RubricRow, 'authored'>): Promise<void> {
  await bumpCaseGeneration(trx);
  await trx
    .insertInto('cf_rubric')
    .values({ identifier: r.identifier, payload: JSON.stringify(r.payload) as never, authored: true, last_change_date_time: r.lastChange })
    .onConflict((oc) => oc.column('identifier').doUpdateSet({ payload: JSON.stringify(r.payload) as never, authored: true, last_change_date_time: r.lastChange, updated_at: sql`now()` as never }))
    .execute();
  await addMember(trx, documentIdentifier, 'CFRubric', r.identifier);
}

/** Writes one authored CFItem into a package (replacing it, or appended after the package's other items). */
export async function putItem(trx: Transaction<Database>, documentIdentifier: string, r: Omit<ItemRow, 'authored'>): Promise<void> {
  const values = { payload: JSON.stringify(r.payload) as never, document_identifier: r.documentIdentifier, human_coding_scheme: r.humanCodingScheme, authored: true, last_change_date_time: r.lastChange };
  await trx.insertInto('cf_item').values({ identifier: r.identifier, ...values })
    .onConflict((oc) => oc.column('identifier').doUpdateSet({ ...values, updated_at: sql`now()` as never })).execute();
  await addMember(trx, documentIdentifier, 'CFItem', r.identifier);
}

/** Writes one authored definition into a package (replacing it, or appended after the package's other definitions). */
export async function putDefinition(trx: Transaction<Database>, documentIdentifier: string, r: Omit<DefinitionRow, 'authored'>): Promise<void> {
  const values = { kind: r.kind, payload: JSON.stringify(r.payload) as never, authored: true, last_change_date_time: r.lastChange };
  await trx.insertInto('cf_definition').values({ identifier: r.identifier, ...values })
    .onConflict((oc) => oc.column('identifier').doUpdateSet({ ...values, updated_at: sql`now()` as never })).execute();
  await addMember(trx, documentIdentifier, 'CFDefinition', r.identifier);
}

/** Makes a stored definition (e.g. another framework's CFLicense) a member of this package too. */
export const holdDefinition = (trx: Transaction<Database>, documentIdentifier: string, identifier: string) => addMember(trx, documentIdentifier, 'CFDefinition', identifier);

/** Writes one authored association (replacing it, or after the package's other associations). */
export async function putAssociation(trx: Transaction<Database>, r: Omit<AssociationRow, 'authored' | 'provenance'>): Promise<void> {
  const values = {
    payload: JSON.stringify(r.payload) as never, document_identifier: r.documentIdentifier, association_type: r.associationType,
    origin_identifier: r.originIdentifier, destination_identifier: r.destinationIdentifier, sequence_number: r.sequenceNumber,
    authored: true, last_change_date_time: r.lastChange,
  };
  const updated = await trx.updateTable('cf_association').set({ ...values, updated_at: sql`now()` as never }).where('identifier', '=', r.identifier).executeTakeFirst();
  if (Number(updated.numUpdatedRows)) return;
  const { max } = await trx.selectFrom('cf_association').select((eb) => eb.fn.max('position').as('max')).where('document_identifier', '=', r.documentIdentifier).executeTakeFirstOrThrow();
  await trx.insertInto('cf_association').values({ identifier: r.identifier, ...values, position: (max ?? -1) + 1 }).execute();
}

export async function deleteAssociations(trx: Transaction<Database>, identifiers: string[]): Promise<void> {
  for (const part of chunks(identifiers)) await trx.deleteFrom('cf_association').where('identifier', 'in', part).execute();
}

/** The document, locked until the transaction ends: the authoring writes of one framework take turns. */
export async function lockDocument(trx: Transaction<Database>, identifier: string): Promise<DocumentRow | undefined> {
  const r = await trx.selectFrom('cf_document').selectAll().where('identifier', '=', identifier).forUpdate().executeTakeFirst();
  return r && toDocument(r);
}

/** Takes an entity out of a package, and deletes it when no other package holds it; false when the package had none. */
export async function removeMember(trx: Transaction<Database>, documentIdentifier: string, kind: MemberKind, identifier: string): Promise<boolean> {
  const gone = await trx.deleteFrom('cf_package_member')
    .where('document_identifier', '=', documentIdentifier).where('kind', '=', kind).where('identifier', '=', identifier).executeTakeFirst();
  if (!Number(gone.numDeletedRows)) return false;
  await deleteOrphans(trx, [{ kind, identifier }]);
  return true;
}

/** Takes a rubric out of a package, and deletes it when no other package holds it; false when the package had none. */
export async function removeRubric(trx: Transaction<Database>, documentIdentifier: string, identifier: string): Promise<boolean> {
  const removed = await removeMember(trx, documentIdentifier, 'CFRubric', identifier);
  if (removed) await bumpCaseGeneration(trx);
  return removed;
}

/** itemDocuments for many items in one query: the documents holding each item. */
export async function itemsDocuments(db: Db, itemIdentifiers: string[]): Promise<Map<string, DocumentRow[]>> {
  const out = new Map<string, DocumentRow[]>(itemIdentifiers.map((i) => [i, []]));
  if (!itemIdentifiers.length) return out;
  const rows = await db
    .selectFrom('cf_package_member as m')
    .innerJoin('cf_document as d', 'd.identifier', 'm.document_identifier')
    .selectAll('d')
    .select('m.identifier as item')
    .where('m.kind', '=', 'CFItem')
    .where('m.identifier', 'in', itemIdentifiers)
    .execute();
  for (const r of rows) out.get(r.item)?.push(toDocument(r));
  return out;
}

/** Associations of these types whose origin is one of the items, from every document. */
export async function associationsFrom(db: Db, originIdentifiers: string[], types: readonly string[]): Promise<AssociationRow[]> {
  if (!originIdentifiers.length) return [];
  const rows = await db
    .selectFrom('cf_association')
    .selectAll()
    .where('origin_identifier', 'in', originIdentifiers)
    .where('association_type', 'in', [...types])
    .orderBy('document_identifier')
    .orderBy('position')
    .execute();
  return rows.map(toAssociation);
}

export async function getItems(db: Db, identifiers: string[]): Promise<Map<string, ItemRow>> {
  if (!identifiers.length) return new Map();
  const rows = await db.selectFrom('cf_item').selectAll().where('identifier', 'in', identifiers).execute();
  return new Map(rows.map((r) => [r.identifier, toItem(r)]));
}

/** The exactMatchOf associations, from any document, between two stored CFItems, one of them among `ids`. */
export async function exactMatchLinks(db: Db, ids: string[]): Promise<Array<{ origin: string; destination: string }>> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('cf_association as a')
    .innerJoin('cf_item as o', 'o.identifier', 'a.origin_identifier')
    .innerJoin('cf_item as d', 'd.identifier', 'a.destination_identifier')
    .select(['a.origin_identifier as origin', 'a.destination_identifier as destination'])
    .where('a.association_type', '=', 'exactMatchOf')
    .where((eb) => eb.or([eb('a.origin_identifier', 'in', ids), eb('a.destination_identifier', 'in', ids)]))
    .execute();
  return rows;
}

/** The associations, from any document, whose origin and destination are both among `ids`. */
export async function associationsBetween(db: Db, ids: string[]): Promise<AssociationRow[]> {
  if (!ids.length) return [];
  const rows = await db
    .selectFrom('cf_association')
    .selectAll()
    .where('origin_identifier', 'in', ids)
    .where('destination_identifier', 'in', ids)
    .orderBy('document_identifier')
    .orderBy('position')
    .execute();
  return rows.map(toAssociation);
}
