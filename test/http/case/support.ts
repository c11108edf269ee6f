import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { ValidateFunction } from 'ajv';
import { SHARED, type TestApp } from '../../helper.js';
import { packageToRows, type PackageRowOptions } from '../../../src/case/package.js';
import type { CFPackage } from '../../../src/case/model.js';
import { savePackage } from '../../../src/store/case.js';

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
