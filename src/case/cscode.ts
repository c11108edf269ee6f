import type { Db } from '../store/db.js';
import { findCourseOfStudyItems } from '../store/case.js';
import { ShirubeError } from '../errors.js';
import type { CFItem } from './model.js';
import { uuidv5 } from './uuid.js';

/**
 * CSCASE: the Course of Study (学習指導要領) as CASE. Every identifier CSCASE mints is a UUID v5 in this fixed
 * namespace (generated once; never change it, or re-imports would duplicate): items are named by their 16-character
 * Course of Study Code, other entities by the names in docs/cscase.md.
 */
export const COURSE_OF_STUDY_NAMESPACE = '6339caf0-f1b3-458e-9f19-bf2902b60963';

export const cscaseId = (name: string) => uuidv5(name, COURSE_OF_STUDY_NAMESPACE);

/** The 学習指導要領LOD URI of a code. */
export const lodUri = (code: string) => `https://w3id.org/jp-cos/${code}`;

/** 16 characters: digits, and upper-case letters for grade spans and numbers above 9 (e.g. `A` = 10). */
export const COURSE_OF_STUDY_CODE = /^[0-9A-Za-z]{16}$/;

export interface CourseOfStudyItem {
  item: CFItem;
  /** The Course of Study framework (CFDocument) holding it. */
  documentIdentifier: string;
}

/**
 * The CFItem with this Course of Study Code, looked up only in frameworks marked as Course of Study frameworks:
 * codes are not unique across arbitrary frameworks (anyone may import a package using the same humanCodingScheme).
 */
export async function findItemByCourseOfStudyCode(db: Db, code: string): Promise<CourseOfStudyItem | undefined> {
  if (!COURSE_OF_STUDY_CODE.test(code)) {
    throw new ShirubeError('invalid_request', `code: "${code}" is not a 16-character Course of Study Code`, 'code');
  }
  const found = await findCourseOfStudyItems(db, code);
  const first = found.sort((a, b) => a.documentIdentifier.localeCompare(b.documentIdentifier))[0];
  return first && { item: first.item.payload as CFItem, documentIdentifier: first.documentIdentifier };
}
