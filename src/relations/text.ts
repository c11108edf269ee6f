/**
 * Lexical similarity that works on Japanese and English alike: NFKC (full-width digits and letters become ASCII),
 * words from Intl.Segmenter (no spaces needed in Japanese), and character n-grams (robust to okurigana and
 * inflection). Plain TF-IDF vectors compared by cosine.
 */
export type Vector = Map<string, number>;

const segmenters = new Map<string, Intl.Segmenter>();
const segmenter = (lang: string) => {
  let s = segmenters.get(lang);
  if (!s) segmenters.set(lang, (s = new Intl.Segmenter(lang, { granularity: 'word' })));
  return s;
};

// Function words that carry no topic. Japanese particles and auxiliaries are mostly single kana, dropped below.
const STOP = new Set(
  ('a an and are as at be by for from in into is it its of on or that the their them these this to with within ' +
    'using use understand e.g. eg including such than which what when where how can will each one two ' +
    'こと もの など する できる よう ため について に関わる 通して 数学的活動 身に付ける 次の 事項 指導 する').split(' '),
);

const normalise = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\$|\\\(|\\\)|\*/g, ' ');

/** A light English stem, so that "fractions" meets "fraction" and "adding" meets "add". */
const stem = (w: string) => (/^[a-z]+$/.test(w) && w.length > 4 ? w.replace(/(ies|es|s|ing|ed|ly)$/, '') : w);

/** Word tokens (Intl.Segmenter), stop words and single kana removed. */
export function words(text: string, lang: string): string[] {
  const out: string[] = [];
  for (const s of segmenter(lang).segment(normalise(text))) {
    if (!s.isWordLike) continue;
    const w = s.segment;
    if (STOP.has(w) || /^[\p{Script=Hiragana}ー]$/u.test(w) || /^[a-z]$/.test(w)) continue;
    out.push(stem(w));
  }
  return out;
}

/** Character n-grams of the letters and digits only (spaces and punctuation dropped). */
export function charGrams(text: string, n: number): string[] {
  const chars = [...normalise(text).replace(/[^\p{L}\p{N}]+/gu, '')];
  const out: string[] = [];
  for (let i = 0; i + n <= chars.length; i++) out.push(chars.slice(i, i + n).join(''));
  return out;
}

/** TF-IDF (sublinear tf, smoothed idf), L2-normalised, for a set of token lists. */
export function tfidf(docs: string[][]): Vector[] {
  const df = new Map<string, number>();
  for (const d of docs) for (const t of new Set(d)) df.set(t, (df.get(t) ?? 0) + 1);
  const n = docs.length;
  return docs.map((d) => {
    const tf = new Map<string, number>();
    for (const t of d) tf.set(t, (tf.get(t) ?? 0) + 1);
    const v: Vector = new Map();
    let norm = 0;
    for (const [t, c] of tf) {
      const w = (1 + Math.log(c)) * (Math.log((1 + n) / (1 + df.get(t)!)) + 1);
      v.set(t, w);
      norm += w * w;
    }
    norm = Math.sqrt(norm) || 1;
    for (const [t, w] of v) v.set(t, w / norm);
    return v;
  });
}

export function cosine(a: Vector, b: Vector): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let s = 0;
  for (const [t, w] of small) {
    const x = large.get(t);
    if (x !== undefined) s += w * x;
  }
  return s;
}
