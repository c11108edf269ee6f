import { PAGE_CSS, pageHeader, type PageLang } from '../html-page.js';

/** Server-rendered pages of the /uri resolver: plain, accessible HTML in Japanese and English. Everything is escaped. */
export type Lang = PageLang;

const esc = (v: unknown) =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Pre-escaped HTML, so that pieces can be composed without escaping twice. */
export class Html {
  constructor(readonly html: string) {}
  toString() { return this.html; }
}
/** Tagged template: interpolated values are escaped unless they are Html (or arrays of Html). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  const part = (v: unknown): string => (v instanceof Html ? v.html : Array.isArray(v) ? v.map(part).join('') : v === undefined || v === null || v === false ? '' : esc(v));
  return new Html(strings.reduce((out, s, i) => out + s + (i < values.length ? part(values[i]) : ''), ''));
}

export const messages = {
  ja: {
    statement: '内容', code: '学習指導要領コード', hcs: '記号 (humanCodingScheme)', itemType: '種別', educationLevel: '学年・教育段階',
    framework: 'フレームワーク', children: '下位の項目', associations: 'その他の関連', breadcrumb: '階層', json: 'CASE JSON',
    api: 'CASE API', lastChange: '最終更新', notFound: '見つかりません', creator: '作成者', adoptionStatus: '採択状況',
    description: '説明', topItems: '最上位の項目', type: '関連の種類', target: '関連先', origin: '関連元', direction: '向き',
    outgoing: 'この項目から', incoming: 'この項目へ', none: 'なし', choices: '複数の項目が該当します', other: '別の言語',
    error: 'エラー', notFoundText: 'この識別子のものはありません（未登録か非公開です）。', field: '項目', value: '値',
    rubrics: 'ルーブリック（評価規準）', level: '段階', score: '得点・基準', levelDescription: '状況', mastery: '習得とみなす段階', criteria: '評価の観点',
    kinds: { CFDocument: 'フレームワーク (CFDocument)', CFItem: '項目 (CFItem)', CFAssociation: '関連 (CFAssociation)', CFConcept: '概念 (CFConcept)', CFSubject: '教科 (CFSubject)', CFLicense: 'ライセンス (CFLicense)', CFItemType: '項目の種別 (CFItemType)', CFAssociationGrouping: '関連のグループ (CFAssociationGrouping)', CFRubric: 'ルーブリック (CFRubric)' },
    adoptionStatuses: { Draft: '草案', 'Private Draft': '非公開の草案', 'Pending Implementation': '実施準備中', Adopted: '採択済み', Implemented: '実施中', Deprecated: '廃止', Retired: '終了' },
    marks: '表示', official: '公式', verified: '発行元確認済み',
    associationTypes: { isChildOf: '下位である', isPeerOf: '同位である', isPartOf: '一部である', exactMatchOf: '完全に一致する', precedes: '先行する', isRelatedTo: '関連する', replacedBy: '置き換えられた', exemplar: '例示がある', hasSkillLevel: 'スキルレベルをもつ', isTranslationOf: '翻訳である' },
  },
  en: {
    statement: 'Statement', code: 'Course of Study Code', hcs: 'Human coding scheme', itemType: 'Item type', educationLevel: 'Education level',
    framework: 'Framework', children: 'Child items', associations: 'Other associations', breadcrumb: 'Place in the tree', json: 'CASE JSON',
    api: 'CASE API', lastChange: 'Last change', notFound: 'Not found', creator: 'Creator', adoptionStatus: 'Adoption status',
    description: 'Description', topItems: 'Top-level items', type: 'Association type', target: 'Target', origin: 'Origin', direction: 'Direction',
    outgoing: 'from this item', incoming: 'to this item', none: 'None', choices: 'Several items have this code', other: 'Other language',
    error: 'Error', notFoundText: 'Nothing with this identifier here (unknown or private).', field: 'Field', value: 'Value',
    rubrics: 'Rubrics', level: 'Level', score: 'Score', levelDescription: 'Description', mastery: 'counts as mastered', criteria: 'Criteria',
    kinds: { CFDocument: 'Framework (CFDocument)', CFItem: 'Item (CFItem)', CFAssociation: 'Association (CFAssociation)', CFConcept: 'Concept (CFConcept)', CFSubject: 'Subject (CFSubject)', CFLicense: 'License (CFLicense)', CFItemType: 'Item type (CFItemType)', CFAssociationGrouping: 'Association grouping (CFAssociationGrouping)', CFRubric: 'Rubric (CFRubric)' },
    adoptionStatuses: { Draft: 'Draft', 'Private Draft': 'Private Draft', 'Pending Implementation': 'Pending Implementation', Adopted: 'Adopted', Implemented: 'Implemented', Deprecated: 'Deprecated', Retired: 'Retired' },
    marks: 'Marks', official: 'Official', verified: 'Verified publisher',
    associationTypes: { isChildOf: 'is child of', isPeerOf: 'is peer of', isPartOf: 'is part of', exactMatchOf: 'is exact match of', precedes: 'precedes', isRelatedTo: 'is related to', replacedBy: 'is replaced by', exemplar: 'has exemplar', hasSkillLevel: 'has skill level', isTranslationOf: 'is translation of' },
  },
} as const;
export type Messages = (typeof messages)[Lang];

export const associationLabel = (m: Messages, type: string) => (m.associationTypes as Record<string, string>)[type] ?? type;
/** A CASE adoptionStatus in words; another value as the framework wrote it. */
export const adoptionLabel = (m: Messages, status: string) => (m.adoptionStatuses as Record<string, string>)[status] ?? status;

/** A link to another entity's page, or plain text (with its URI when it is http(s)) for targets outside Shirube. */
export function entityLink(href: string | undefined, text: string, uri?: string): Html {
  if (href) return html`<a href="${href}">${text}</a>`;
  if (uri && /^https?:\/\//i.test(uri)) return html`<a href="${uri}" rel="nofollow noopener">${text}</a>`;
  return html`<span>${text}</span>${uri ? html` <code>${uri}</code>` : ''}`;
}

/** The whole page. `self` is the path of this page without query, for the language switch. */
export function page(lang: Lang, title: string, self: string, body: Html): string {
  const other: Lang = lang === 'ja' ? 'en' : 'ja';
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} — Shirube</title>
<style>${new Html(PAGE_CSS)}</style>
</head>
<body>
${new Html(pageHeader(lang, `${self}?lang=${other}`))}
<main>
${body}
</main>
</body>
</html>
`.html;
}

export const definitionList = (rows: Array<[string, Html | string | undefined]>) =>
  html`<dl>${rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;
