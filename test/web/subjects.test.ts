import { describe, expect, it } from 'vitest';
import { subjectLabel, subjectsOf } from '../../web/src/features/frameworks/lib/subjects.js';

const math = { identifier: 'm', title: '小学校学習指導要領（平成29年告示）算数' };
const science = { identifier: 's', title: '小学校学習指導要領（平成29年告示）理科' };
const review = { identifier: 'r', title: '算数（平成29年告示）内容の系統 — Shirube チームレビュー（デモ用）' };
const sb = { identifier: 'sb', title: 'Smarter Balanced Mathematics Content Specification' };

describe('a class’s subjects (one class, several subjects)', () => {
  it('puts the class’s own framework first, then the other Course of Study frameworks; not the precedes review or other frameworks', () => {
    expect(subjectsOf('m', [review, science, sb, math]).map((x) => x.identifier)).toEqual(['m', 's']);
    expect(subjectsOf('s', [math, science]).map((x) => x.identifier)).toEqual(['s', 'm']);
    expect(subjectsOf('sb', [math, sb]).map((x) => x.identifier)).toEqual(['sb', 'm']);
    expect(subjectsOf(null, undefined)).toEqual([]);
  });

  it('labels a subject by its short name', () => {
    expect(subjectLabel(science.title)).toBe('理科');
    expect(subjectLabel(sb.title)).toBe(sb.title);
  });
});
