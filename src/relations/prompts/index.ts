import type { Block } from '../candidates.js';
import type { RelationFramework, RelationItem } from '../model.js';

/**
 * Changes whenever the wording changes: part of every suggestion's provenance and of the cache key. v2: the rationale's
 * language is the reviewer's (not the framework's), and each block says how many relations at most fit the answer.
 */
export const PROMPT_VERSION = 'relations-2026-02-v2';

/** The language reviewers read rationales in. */
export const reviewLanguages = ['ja', 'en'] as const;
export type ReviewLanguage = (typeof reviewLanguages)[number];

export interface PromptOptions {
  /** The rationale's language (default: the framework's). */
  language?: ReviewLanguage | undefined;
  /** At most this many relations fit the model's answer (see llm.ts). */
  maxRelations?: number | undefined;
}

export interface BlockPrompt {
  system: string;
  prompt: string;
  /** Local labels (I1, I2...) used in the prompt → item identifiers. */
  labels: Map<string, string>;
}

const definitionsJa = [
  '関係は次の2種類だけです（1EdTech CASE の CFAssociation）。',
  '- precedes（系統性）: origin を学習してから destination を学習する必要がある。origin は destination の前提となる。向きがある。',
  '- isRelatedTo（関連）: 前後関係はないが、内容が密接に関連している。向きはない。',
  '確実なものだけを挙げ、各関係に 0〜1 の確信度と短い根拠を付けてください。項目は必ずラベル（I1 など）で示してください。',
];
const definitionsEn = [
  'There are only two kinds of relation (1EdTech CASE CFAssociation types):',
  '- precedes: the origin must be learned before the destination; the origin is a prerequisite of the destination. Directed.',
  '- isRelatedTo: closely related content without a learning order. Undirected.',
  'List only relations you are confident of, each with a confidence from 0 to 1 and a short rationale. Name items only by their labels (I1, ...).',
];

const ja = {
  system: ['あなたは学習指導要領と算数・数学教育の専門家です。与えられた学習内容の間の関係を推定します。', ...definitionsJa].join('\n'),
  modes: {
    domain: '同じ領域の学習内容です（学年をまたぐ）。前の学年（または同じ学年）の内容から後の内容への precedes を中心に探してください。',
    grade: '同じ学年の、異なる領域の学習内容です。領域をまたぐ precedes と isRelatedTo を探してください。',
    viewpoint: '同じ内容項目の「知識及び技能」と「思考力，判断力，表現力等」の学習内容です。両者の間の関係を探してください。',
    family: '後の学年の領域の学習内容と、その前提になりうる前の学年の別の領域の学習内容です（例: 測定 → 図形の面積・体積）。前の学年の内容から後の内容への precedes だけを探してください。',
    cross: '2つの教科の学習内容です（各項目の先頭に教科名）。教科をまたぐ関係だけを探してください: 一方の教科で学ぶことが他方の学習の前提になる precedes（例: 算数のグラフや割合 → 理科の実験結果の整理）と、同じ学年で内容が密接に関連する isRelatedTo。同じ教科の項目どうしの関係は挙げないでください。',
  },
  crossSystem: ['あなたは学習指導要領と教科等横断的な学習（算数・理科など）の専門家です。2つの教科の学習内容の間の関係を推定します。', ...definitionsJa].join('\n'),
  head: (fw: RelationFramework, b: Block) => `枠組み: ${fw.title}\nまとまり: ${b.label}`,
  item: (l: string, i: RelationItem) =>
    `${l} [${[i.subject, i.gradeLabel, i.domainLabel, i.categoryLabel, i.viewpoint === 'knowledge' ? '知識及び技能' : i.viewpoint === 'thinking' ? '思考力，判断力，表現力等' : ''].filter(Boolean).join(' / ')}] ${i.text}`,
  tail: (o: Required<PromptOptions>) => [`根拠は${o.language === 'ja' ? '日本語' : '英語'}で書いてください。`, ...(o.maxRelations ? [`関係は多くても ${o.maxRelations} 件までにしてください。`] : []), '関係がなければ relations を空にしてください。'],
};

const en = {
  system: ['You are an expert in curriculum standards and mathematics education. You estimate relations between learning standards.', ...definitionsEn].join('\n'),
  modes: {
    domain: 'These items are in one domain, across grades. Look mainly for precedes from an earlier (or the same) grade to a later one.',
    grade: 'These items are in one grade, in different domains. Look for precedes and isRelatedTo across domains.',
    viewpoint: 'These are the knowledge-and-skills and the thinking items of one category. Look for relations between the two.',
    family: 'These are the items of one domain and items of other domains in earlier grades that may be their groundwork (e.g. operations → expressions and equations). Look only for precedes from an earlier grade to a later one.',
    cross: 'These items belong to two subjects (each names its subject first). Look only for relations across the subjects: precedes where learning in one subject is a prerequisite of the other (e.g. graphs and ratio in mathematics → analysing results of science experiments), and isRelatedTo between closely related items of one grade. Do not list relations within one subject.',
  },
  crossSystem: [
    'You are an expert in curriculum standards and in teaching across subjects (mathematics, science...). You estimate relations between the learning standards of two subjects.',
    ...definitionsEn,
  ].join('\n'),
  head: (fw: RelationFramework, b: Block) => `Framework: ${fw.title}\nBlock: ${b.label}`,
  item: (l: string, i: RelationItem) => `${l} [${[i.subject, i.gradeLabel, i.domainLabel, i.categoryLabel].filter(Boolean).join(' / ')}]${i.code ? ` ${i.code}` : ''} ${i.text}`,
  tail: (o: Required<PromptOptions>) => [`Write each rationale in ${o.language === 'ja' ? 'Japanese' : 'English'}.`, ...(o.maxRelations ? [`List at most ${o.maxRelations} relations.`] : []), 'If there are none, return an empty relations list.'],
};

/**
 * One request per hierarchy block: the structure, the definitions, and the block's items with local labels. A
 * cross-subject block (two frameworks) gets its own system prompt, and each item its subject.
 */
export function blockPrompt(fw: RelationFramework, block: Block, opts: PromptOptions = {}): BlockPrompt {
  const t = fw.language === 'ja' ? ja : en;
  const items = [...block.items].sort((a, b) => (a.grade ?? 0) - (b.grade ?? 0) || a.order - b.order);
  const labels = new Map(items.map((i, n) => [`I${n + 1}`, i.identifier]));
  const lines = items.map((i, n) => t.item(`I${n + 1}`, i));
  const tail = t.tail({ language: opts.language ?? fw.language, maxRelations: opts.maxRelations ?? 0 });
  return { system: block.mode === 'cross' ? t.crossSystem : t.system, prompt: [t.head(fw, block), t.modes[block.mode], '', ...lines, '', ...tail].join('\n'), labels };
}

const LABEL = /(?<![A-Za-z0-9])I(\d+)(?![0-9])/g;

/**
 * A rationale as a reviewer reads it: the prompt's local labels (I2) become the items' codes and the start of their
 * text, 8250263110000000「整数の乗法について…」, since a reviewer never sees the labels.
 */
export function rationaleForReviewer(rationale: string, labels: ReadonlyMap<string, string>, items: ReadonlyMap<string, RelationItem>, language: ReviewLanguage): string {
  return rationale.replace(LABEL, (label: string) => {
    const item = items.get(labels.get(label) ?? '');
    if (!item) return label;
    const text = [...item.text.trim()];
    const short = text.length > 24 ? `${text.slice(0, 24).join('')}…` : text.join('');
    const quoted = language === 'ja' ? `「${short}」` : `"${short}"`;
    return item.code ? `${item.code}${language === 'ja' ? '' : ' '}${quoted}` : quoted;
  });
}
