import { describe, expect, test } from 'vitest';
import { applyCollectionQuery, isDocumentField, pageLinks, parseFilter } from '../../src/case/query.js';
import { isShirubeError } from '../../src/errors.js';

describe('parseFilter', () => {
  test('one comparison, every predicate', () => {
    for (const p of ['=', '!=', '>', '>=', '<', '<=', '~'] as const) {
      expect(parseFilter(`version${p}'1.0'`)).toEqual([[{ field: 'version', predicate: p, value: '1.0' }]]);
    }
  });

  test('AND binds tighter than OR; dot notation; quotes inside values', () => {
    expect(parseFilter("title~'math' AND licenseURI.title='CC BY' OR creator='O'Neil'")).toEqual([
      [{ field: 'title', predicate: '~', value: 'math' }, { field: 'licenseURI.title', predicate: '=', value: 'CC BY' }],
      [{ field: 'creator', predicate: '=', value: "O'Neil" }],
    ]);
  });

  test('a value may contain AND/OR words and spaces when they are not a logical operator', () => {
    expect(parseFilter("title='Reading AND Writing'")).toEqual([[{ field: 'title', predicate: '=', value: 'Reading AND Writing' }]]);
    expect(parseFilter("title=''")).toEqual([[{ field: 'title', predicate: '=', value: '' }]]);
    // Only " AND " / " OR " (upper case, one space each side) are operators (binding §3.3).
    expect(parseFilter("title='x' and creator='y'")).toEqual([[{ field: 'title', predicate: '=', value: "x' and creator='y" }]]);
  });

  test.each([
    ["title='x", 'no closing quote'],
    ['title=x', 'single quotes'],
    ["title'x'", 'no predicate'],
    ["='x'", 'field name is missing'],
    ["title='x' AND", 'closing quote'],
    ["title='x' AND creator", 'no predicate'],
  ])('malformed %s → invalid_request naming filter (%s)', (text, why) => {
    try {
      parseFilter(text);
      expect.unreachable();
    } catch (e) {
      expect(isShirubeError(e) && e.code === 'invalid_request' && e.field === 'filter').toBe(true);
      expect((e as Error).message).toContain(why);
    }
  });
});

test('isDocumentField knows each version', () => {
  expect(isDocumentField('title', '1.0')).toBe(true);
  expect(isDocumentField('frameworkType', '1.0')).toBe(false);
  expect(isDocumentField('frameworkType', '1.1')).toBe(true);
  expect(isDocumentField('licenseURI.title', '1.1')).toBe(true);
  expect(isDocumentField('licenseURI.nope', '1.1')).toBe(false);
  expect(isDocumentField('extensions.anything.deep', '1.1')).toBe(true);
  expect(isDocumentField('bogus', '1.1')).toBe(false);
});

const docs = [
  { identifier: 'a', title: 'Écriture', creator: 'MEXT', subject: ['subject1', 'subject2', 'subject3'], lastChangeDateTime: '2017-05-25T18:05:33Z', version: '1.0', licenseURI: { title: 'CC BY', identifier: 'l', uri: 'u' } },
  { identifier: 'b', title: 'algebra', creator: 'ACT, Inc.', subject: ['subject1'], lastChangeDateTime: '2016-12-12T00:00:00+09:00', version: '2.0' },
  { identifier: 'c', title: 'Zahlen', creator: 'mext', lastChangeDateTime: '2024-01-01T00:00:00Z', version: '1.0' },
  { identifier: 'd', title: 'ecriture', creator: 'Other', subject: ['subject2'], lastChangeDateTime: '2020-06-01T00:00:00Z' },
];
const ids = (q: Parameters<typeof applyCollectionQuery>[1]) => applyCollectionQuery(docs, q, '1.1').page.map((d) => d['identifier']);

describe('applyCollectionQuery', () => {
  test('values are case-insensitive but accents count (Unicode collation)', () => {
    expect(ids({ filter: "creator='MEXT'" })).toEqual(['a', 'c']);
    expect(ids({ filter: "title='ECRITURE'" })).toEqual(['d']);
    expect(ids({ filter: "title~'CRIT'" })).toEqual(['a', 'd']);
    expect(ids({ filter: "title~'ÉCRI'" })).toEqual(['a']);
  });

  test('arrays: = is the same set (AND semantics), ~ is any (OR semantics) — the binding §3.3 examples', () => {
    expect(ids({ filter: "subject='subject1'" })).toEqual(['b']);
    expect(ids({ filter: "subject='subject1,subject2'" })).toEqual([]);
    expect(ids({ filter: "subject='subject1,subject2,subject3'" })).toEqual(['a']);
    expect(ids({ filter: "subject~'subject1'" })).toEqual(['a', 'b']);
    expect(ids({ filter: "subject~'subject1,subject2'" })).toEqual(['a', 'b', 'd']);
    expect(ids({ filter: "subject!='subject1'" })).toEqual(['a', 'c', 'd']);
  });

  test('date-times compare as instants; AND / OR; nested fields', () => {
    expect(ids({ filter: "lastChangeDateTime>'2016-12-12T00:00:00Z'" })).toEqual(['a', 'c', 'd']);
    expect(ids({ filter: "version='1.0' AND lastChangeDateTime>'2020-01-01T00:00:00Z'" })).toEqual(['c']);
    expect(ids({ filter: "version='2.0' OR creator='other'" })).toEqual(['b', 'd']);
    expect(ids({ filter: "licenseURI.title='cc by'" })).toEqual(['a']);
  });

  test('an unknown filter field returns no data: invalid_request naming filter, saying invalid_filter_field', () => {
    expect(() => applyCollectionQuery(docs, { filter: "colour='red'" }, '1.1')).toThrow(/invalid_filter_field/);
    expect(() => applyCollectionQuery(docs, { filter: "frameworkType='x'" }, '1.0')).toThrow(/invalid_filter_field/);
  });

  test('sort with Unicode collation, asc and desc; records without the field last; unknown sort → default order and a warning', () => {
    expect(ids({ sort: 'title' })).toEqual(['b', 'd', 'a', 'c']);
    expect(ids({ sort: 'title', orderBy: 'desc' })).toEqual(['c', 'a', 'd', 'b']);
    expect(ids({ sort: 'version', orderBy: 'desc' })).toEqual(['b', 'a', 'c', 'd']);
    const r = applyCollectionQuery(docs, { sort: 'colour' }, '1.1');
    expect(r.page.map((d) => d['identifier'])).toEqual(['a', 'b', 'c', 'd']);
    expect(r.sortWarning).toMatch(/invalid_sort_field/);
  });

  test('limit and offset page after the filter; total counts the matches', () => {
    const r = applyCollectionQuery(docs, { limit: 2, offset: 1 }, '1.1');
    expect(r.page.map((d) => d['identifier'])).toEqual(['b', 'c']);
    expect(r.total).toBe(4);
    expect(applyCollectionQuery(docs, { filter: "creator='mext'", limit: 1 }, '1.1').total).toBe(2);
  });

  test('fields: only the listed ones; an unknown one gives every field; a blank one is invalid_selection_field', () => {
    expect(applyCollectionQuery(docs, { fields: 'identifier,title', limit: 1 }, '1.1').page).toEqual([{ identifier: 'a', title: 'Écriture' }]);
    expect(applyCollectionQuery(docs, { fields: 'identifier,colour', limit: 1 }, '1.1').page).toEqual([docs[0]]);
    for (const fields of ['', 'identifier,', ' , title']) {
      expect(() => applyCollectionQuery(docs, { fields }, '1.1')).toThrow(/invalid_selection_field/);
    }
  });
});

test('pageLinks: first, prev, next, last (503 records in pages of 10, at offset 10)', () => {
  expect(pageLinks(503, 10, 10)).toEqual([
    { rel: 'first', limit: 10, offset: 0 },
    { rel: 'prev', limit: 10, offset: 0 },
    { rel: 'next', limit: 10, offset: 20 },
    { rel: 'last', limit: 10, offset: 500 },
  ]);
  expect(pageLinks(0, 100, 0)).toEqual([{ rel: 'first', limit: 100, offset: 0 }, { rel: 'last', limit: 100, offset: 0 }]);
});
