import { describe, expect, test } from 'vitest';
import { packageToRows } from '../../src/case/package.js';
import { localUri } from '../../src/case/model.js';
import { caseDateTime, serializeDocument, serializeItem, serializePackage, serializeRubric } from '../../src/case/serialize.js';
import { LEGACY, kitchenSink, realPackage, schemaErrors } from '../http/case/support.js';

const v11 = { version: '1.1', publicUrl: 'https://shirube.example' } as const;
const v10 = { ...v11, version: '1.0' } as const;

describe('legacy OpenSALT sample (pre-final CASE shape)', () => {
  const pkg = realPackage(LEGACY);
  const rows = packageToRows(pkg, { authored: false });
  const before = JSON.stringify(rows);
  const out = serializePackage(rows, v11) as Record<string, any>;

  test('strict v1p1 output validates; the stored rows are not modified', () => {
    expect(schemaErrors('getCFPackage', out)).toEqual([]);
    expect(JSON.stringify(rows)).toBe(before);
  });

  test('naive date-times become UTC, string sequenceNumbers integers, null required descriptions ""', () => {
    expect(pkg.CFDocument.lastChangeDateTime).toBe('2017-05-25T18:05:33');
    expect(out['CFDocument'].lastChangeDateTime).toBe('2017-05-25T18:05:33Z');
    const withSeq = pkg.CFAssociations.find((a) => typeof a['sequenceNumber'] === 'string')!;
    const served = out['CFAssociations'].find((a: { identifier: string }) => a.identifier === withSeq.identifier);
    expect(served.sequenceNumber).toBe(Number(withSeq['sequenceNumber']));
    expect(out['CFDefinitions'].CFItemTypes.map((x: { description: string }) => x.description)).toEqual(['', '', '']);
  });

  test('CFPackageURI / CFDocumentURI / CFItemAssociationURI are not inside a strict package', () => {
    expect(out['CFDocument'].CFPackageURI).toBeUndefined();
    for (const i of out['CFItems']) expect(Object.keys(i)).not.toContain('CFDocumentURI');
    for (const i of out['CFItems']) expect(Object.keys(i)).not.toContain('CFItemAssociationURI');
  });

  test('standalone: a legacy plain-string CFDocumentURI / CFPackageURI becomes a LinkURI', () => {
    const item = serializeItem(rows.items[0]!, rows.document, v11);
    expect(item['CFDocumentURI']).toEqual({ title: 'What Standards Could Be', identifier: pkg.CFDocument.identifier, uri: pkg.CFItems[0]!['CFDocumentURI'] });
    expect(schemaErrors('getCFItem', item)).toEqual([]);
    const doc = serializeDocument(rows.document, v11);
    expect(doc['CFPackageURI']).toEqual({ title: 'What Standards Could Be', identifier: pkg.CFDocument.identifier, uri: pkg.CFDocument['CFPackageURI'] });
    expect(schemaErrors('getCFDocument', doc)).toEqual([]);
  });

  test('uriExtras puts the extras back (as LinkURIs)', () => {
    const extras = serializePackage(rows, { ...v11, uriExtras: true }) as Record<string, any>;
    expect(extras['CFDocument'].CFPackageURI.identifier).toBe(pkg.CFDocument.identifier);
    expect(extras['CFItems'][0].CFDocumentURI.identifier).toBe(pkg.CFDocument.identifier);
    expect(extras['CFAssociations'][0].CFDocumentURI.identifier).toBe(pkg.CFDocument.identifier);
  });
});

describe('versions', () => {
  const rows = packageToRows(kitchenSink('Versions'), { authored: false });

  test('1.1 keeps every 1.1 field and validates (rubric with criteria and levels)', () => {
    const out = serializePackage(rows, v11) as Record<string, any>;
    expect(schemaErrors('getCFPackage', out)).toEqual([]);
    expect(out['CFItems'][0]).toMatchObject({ subject: ['Mathematics'], extensions: { sourceItemIdentifier: 'x' } });
    expect(out['CFAssociations'][0].originNodeURI.targetType).toBe('CASE');
    expect(out['CFRubrics'][0].CFRubricCriteria[0].CFRubricCriterionLevels[0]).toMatchObject({ score: 4, extensions: [{ levelExt: true }] });
    expect(schemaErrors('getCFRubric', serializeRubric(rows.rubrics[0]!, v11))).toEqual([]);
  });

  test('1.0 removes frameworkType, caseVersion, extensions, item subjects, association notes and targetType', () => {
    const out = serializePackage(rows, v10) as Record<string, any>;
    expect(Object.keys(out['CFDocument'])).not.toEqual(expect.arrayContaining(['frameworkType']));
    expect(out['CFDocument'].caseVersion).toBeUndefined();
    expect(out['CFItems'][0].subject).toBeUndefined();
    expect(out['CFItems'][0].extensions).toBeUndefined();
    expect(out['CFAssociations'][0].notes).toBeUndefined();
    expect(out['CFAssociations'][0].originNodeURI.targetType).toBeUndefined();
    expect(out['CFRubrics'][0].CFRubricCriteria[0].CFRubricCriterionLevels[0].extensions).toBeUndefined();
  });

  test('caseVersion other than "1.1" is dropped from 1.1 output', () => {
    const pkg = kitchenSink('Old version');
    const r = packageToRows({ ...pkg, CFDocument: { ...pkg.CFDocument, caseVersion: '1.0' } }, { authored: false });
    expect(serializeDocument(r.document, v11)['caseVersion']).toBeUndefined();
  });
});

describe('authored entities', () => {
  const pkg = kitchenSink('Authored', { base: 'shirube-local:' });
  const doc = pkg.CFDocument;
  pkg.CFDocument = { ...doc, uri: localUri(doc.identifier) };
  pkg.CFItems = pkg.CFItems.map((i) => ({ ...i, uri: localUri(i.identifier) }));

  test('shirube-local: becomes the public URL, in every string', () => {
    const rows = packageToRows(pkg, { authored: true });
    const a = JSON.stringify(serializePackage(rows, { ...v11, publicUrl: 'https://a.example' }));
    const b = JSON.stringify(serializePackage(rows, { ...v11, publicUrl: 'https://b.example' }));
    expect(a).not.toContain('shirube-local:');
    expect(a).toContain(`"uri":"https://a.example/uri/${doc.identifier}"`);
    expect(b).toContain(`"uri":"https://b.example/uri/${doc.identifier}"`);
    expect(JSON.stringify(rows.document.payload)).toContain('shirube-local:');
  });

  test('imported entities keep their URIs verbatim', () => {
    const rows = packageToRows(pkg, { authored: false });
    expect(JSON.stringify(serializePackage(rows, v11))).toContain('shirube-local:');
  });
});

test.each([
  ['2017-05-25T18:05:33', '2017-05-25T18:05:33Z'],
  ['2017-05-25 18:05:33', '2017-05-25T18:05:33Z'],
  ['2017-05-25T18:05:33+0900', '2017-05-25T18:05:33+09:00'],
  ['2017-05-25T18:05', '2017-05-25T18:05:00Z'],
  ['2017-05-25', '2017-05-25T00:00:00Z'],
  ['2017-05-04T23:10:13+00:00', '2017-05-04T23:10:13+00:00'],
  ['yesterday', undefined],
])('caseDateTime(%s) = %s', (input, expected) => {
  expect(caseDateTime(input)).toBe(expected);
});
