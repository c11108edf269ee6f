import type { CFDocument } from './case-types.js';

/**
 * The subjects a class can be viewed in (docs/demo.md: one class, several subjects): the class's own framework
 * first, then every Course of Study framework (学習指導要領: 算数, 理科 …) loaded. A homeroom class studies them all
 * with its 担任; its framework is only the one its pages open with.
 */
export function subjectsOf(classFramework: string | null | undefined, frameworks: readonly Pick<CFDocument, 'identifier' | 'title'>[] | undefined): Array<{ identifier: string; title: string }> {
  const list = [...(frameworks ?? [])];
  const own = list.find((d) => d.identifier === classFramework);
  const courseOfStudy = list.filter((d) => d.identifier !== classFramework && d.title.includes('学習指導要領'));
  return [...(own ? [own] : []), ...courseOfStudy].map(({ identifier, title }) => ({ identifier, title }));
}

/** 「小学校学習指導要領（平成29年告示）理科」 → 「理科」: the subject's short name for a selector. */
export const subjectLabel = (title: string) => title.replace(/^.*学習指導要領[^）]*）/, '') || title;
