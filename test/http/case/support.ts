import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { SHARED, type TestApp } from '../../helper.js';
import { packageToRows, type PackageRowOptions } from '../../../src/case/package.js';
import type { CFPackage } from '../../../src/case/model.js';
import { savePackage } from '../../../src/store/case.js';
import { uuidv5 } from '../../../src/case/uuid.js';

export const FRAMEWORKS = join(SHARED, 'data/case-frameworks');
export const SB = 'smarter-balanced-math-content-spec.v1p0.cfpackage.json';
export const ACT = 'act-holistic-framework-math.v1p0.cfpackage.json';
export const LEGACY = 'opensalt-sample-what-standards-could-be.legacy.json';

const cache = new Map<string, CFPackage>();
/** A real package from shared/data/case-frameworks (parsed once per test file; callers must not mutate it). */
export function realPackage(file: string): CFPackage {
  if (!cache.has(file)) cache.set(file, JSON.parse(readFileSync(join(FRAMEWORKS, file), 'utf8')) as CFPackage);
  return cache.get(file)!;
}

/** Stores a package straight through the store, as an import would. */
export async function storePackage(t: TestApp, pkg: CFPackage, opts: Partial<PackageRowOptions> = {}): Promise<void> {
  await t.store.db.transaction().execute((trx) => savePackage(trx, packageToRows(pkg, { authored: false, ...opts })));
}

// The official CASE 1.1 JSON Schemas (draft 2020-12); ajv needs validateSchema: false for their http $schema.
const ajv = new Ajv2020.default({ strict: false, validateSchema: false, allErrors: true });
addFormats.default(ajv);
const compiled = new Map<string, ValidateFunction>();
export type Operation =
  | 'getAllCFDocuments' | 'getCFAssociation' | 'getCFAssociationGrouping' | 'getCFConcept' | 'getCFDocument' | 'getCFItem'
  | 'getCFItemAssociations' | 'getCFItemType' | 'getCFLicense' | 'getCFPackage' | 'getCFRubric' | 'getCFSubject';

/** Schema errors of a v1p1 payload for an operation (200 payload, or the error payload when `error`). */
export function schemaErrors(operation: Operation, body: unknown, error = false): string[] {
  const file = `${operation}-${error ? '400-401-403-404-429-500-default' : '200'}-responsepayload-schema.json`;
  if (!compiled.has(file)) compiled.set(file, ajv.compile(JSON.parse(readFileSync(join(SHARED, 'spec/case/v1p1/jsonschema', file), 'utf8'))));
  const validate = compiled.get(file)!;
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

export const operationOf = {
  CFDocuments: 'getCFDocument',
  CFPackages: 'getCFPackage',
  CFItems: 'getCFItem',
  CFItemAssociations: 'getCFItemAssociations',
  CFAssociations: 'getCFAssociation',
  CFAssociationGroupings: 'getCFAssociationGrouping',
  CFConcepts: 'getCFConcept',
  CFSubjects: 'getCFSubject',
  CFLicenses: 'getCFLicense',
  CFItemTypes: 'getCFItemType',
  CFRubrics: 'getCFRubric',
} as const satisfies Record<string, Operation>;

/**
 * A CASE 1.1 package with every class and every optional field filled in (the "kitchen sink" a conformance run
 * needs), in the given namespace so that several can coexist. `base` is the URI base of its entities.
 */
export function kitchenSink(name: string, opts: { adoptionStatus?: string; base?: string } = {}): CFPackage {
  const ns = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
  const id = (what: string) => uuidv5(`${name}/${what}`, ns);
  const base = opts.base ?? 'https://case.example.org/ims/case/v1p1';
  const at = '2024-04-01T09:00:00Z';
  const link = (what: string, title: string, kind = 'CFItems') => ({ title, identifier: id(what), uri: `${base}/${kind}/${id(what)}` });
  const doc = id('doc');
  const item = (n: string, extra: Record<string, unknown> = {}) => ({
    identifier: id(n), uri: `${base}/CFItems/${id(n)}`, fullStatement: `Statement ${n} of ${name}`, alternativeLabel: `Alt ${n}`,
    CFItemType: 'Standard', humanCodingScheme: `K.${n}`, listEnumeration: n, abbreviatedStatement: `Abbr ${n}`,
    conceptKeywords: ['ratio', 'proportion'], conceptKeywordsURI: link('concept1', 'Ratios', 'CFConcepts'), notes: 'A note',
    subject: ['Mathematics'], subjectURI: [link('subject1', 'Mathematics', 'CFSubjects')], language: 'en', educationLevel: ['06'],
    CFItemTypeURI: link('type1', 'Standard', 'CFItemTypes'), licenseURI: link('license', 'CC BY 4.0', 'CFLicenses'),
    statusStartDate: '2024-04-01', statusEndDate: '2030-03-31', lastChangeDateTime: at, extensions: { sourceItemIdentifier: 'x' },
    CFDocumentURI: link('doc', name, 'CFDocuments'), ...extra,
  });
  const association = (n: string, type: string, origin: string, destination: string, extra: Record<string, unknown> = {}) => ({
    identifier: id(`assoc-${n}`), associationType: type, sequenceNumber: Number(n), uri: `${base}/CFAssociations/${id(`assoc-${n}`)}`,
    originNodeURI: { ...link(origin, origin), targetType: 'CASE' }, destinationNodeURI: link(destination, destination, destination === 'doc' ? 'CFDocuments' : 'CFItems'),
    CFAssociationGroupingURI: link('grouping', 'Grouping', 'CFAssociationGroupings'), lastChangeDateTime: at, notes: `Association ${n}`,
    extensions: { sourceDocumentIdentifier: 'y' }, ...extra,
  });
  const definition = (what: string, kind: string, extra: Record<string, unknown>) => ({
    identifier: id(what), uri: `${base}/${kind}/${id(what)}`, lastChangeDateTime: at, extensions: { origin: 'test' }, ...extra,
  });
  return {
    CFDocument: {
      identifier: doc, uri: `${base}/CFDocuments/${doc}`, frameworkType: 'CourseCodes', caseVersion: '1.1', creator: 'Shirube tests',
      title: name, lastChangeDateTime: at, officialSourceURL: 'https://example.org/source', publisher: 'Shirube', description: 'Every field',
      subject: ['Mathematics'], subjectURI: [link('subject1', 'Mathematics', 'CFSubjects')], language: 'en', version: '1.0',
      adoptionStatus: opts.adoptionStatus ?? 'Implemented', statusStartDate: '2024-04-01', statusEndDate: '2030-03-31',
      licenseURI: link('license', 'CC BY 4.0', 'CFLicenses'), notes: 'Kitchen sink', extensions: { docExt: true },
      CFPackageURI: link('doc', name, 'CFPackages'),
    },
    CFItems: [item('1'), item('2'), item('3')],
    CFAssociations: [
      association('1', 'isChildOf', '1', 'doc'),
      association('2', 'isChildOf', '2', '1'),
      association('3', 'isChildOf', '3', '2'),
      association('4', 'isTranslationOf', '3', '1'),
      association('5', 'ext:isPrerequisiteOf', '1', '3', { destinationNodeURI: { title: 'Elsewhere', identifier: 'urn:x:42', uri: 'urn:x:42', targetType: 'ext:LRMI' } }),
    ],
    CFDefinitions: {
      CFConcepts: [
        definition('concept1', 'CFConcepts', { title: 'Ratios', keywords: 'ratio', hierarchyCode: '1', description: 'Concept 1' }),
        definition('concept2', 'CFConcepts', { title: 'Unit rates', keywords: 'rate', hierarchyCode: '1.1', description: 'Concept 1.1' }),
        definition('concept3', 'CFConcepts', { title: 'Geometry', keywords: 'shape', hierarchyCode: '2', description: 'Concept 2' }),
      ],
      CFSubjects: [definition('subject1', 'CFSubjects', { title: 'Mathematics', hierarchyCode: '1', description: 'Maths' })],
      CFLicenses: [definition('license', 'CFLicenses', { title: 'CC BY 4.0', description: 'Attribution', licenseText: 'https://creativecommons.org/licenses/by/4.0/' })],
      CFItemTypes: [
        definition('type1', 'CFItemTypes', { title: 'Standard', description: 'A standard', hierarchyCode: '1', typeCode: 'standard' }),
        definition('type2', 'CFItemTypes', { title: 'Component', description: 'Part of a standard', hierarchyCode: '1.1', typeCode: 'component' }),
      ],
      CFAssociationGroupings: [definition('grouping', 'CFAssociationGroupings', { title: 'Grouping', description: 'A grouping' })],
      extensions: { defExt: 1 },
    },
    CFRubrics: [
      definition('rubric', 'CFRubrics', {
        title: 'Rubric', description: 'Scoring',
        CFRubricCriteria: [definition('criterion', 'CFRubricCriteria', {
          category: 'Accuracy', description: 'Is it right', CFItemURI: link('1', 'K.1'), weight: 1.5, position: 1, rubricId: id('rubric'),
          CFRubricCriterionLevels: [definition('level', 'CFRubricCriterionLevels', {
            description: 'Exact', quality: 'High', score: 4, feedback: 'Well done', position: 1, rubricCriterionId: id('criterion'),
            extensions: [{ levelExt: true }],
          })],
        })],
      }),
    ],
    extensions: { packageExt: 'yes' },
  } as unknown as CFPackage;
}
