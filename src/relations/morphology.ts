import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { TokenizerBuilder, type IpadicFeatures } from '@patdx/kuromoji';
import NodeDictionaryLoader from '@patdx/kuromoji/node';

/**
 * Japanese content words by morphological analysis (kuromoji with its IPADIC dictionary, shipped in the npm package:
 * no network at run time), for the offline estimator. The Course of Study writes every item in a few fixed forms
 * («…について理解すること», «…に着目し，…考えたり，日常生活に生かしたりすること», «…に関わる数学的活動を通して，次の
 * 事項を身に付けることができるよう指導する»): those phrases are dropped first, so that two thinking items of different
 * grades are not alike for their wording alone.
 */
type Tokenizer = Awaited<ReturnType<TokenizerBuilder['build']>>;

let tokenizer: Promise<Tokenizer> | undefined;

/** The tokenizer, built once per process (about 1 s: it reads the dictionary from the package). */
function kuromoji(): Promise<Tokenizer> {
  if (!tokenizer) {
    const entry = createRequire(import.meta.url).resolve('@patdx/kuromoji');
    const dic = join(dirname(entry), '..', 'dict');
    tokenizer = new TokenizerBuilder({ loader: new NodeDictionaryLoader({ dic_path: dic }) }).build();
    tokenizer.catch(() => (tokenizer = undefined));
  }
  return tokenizer;
}

/** The Course of Study's boilerplate: phrases every item of a kind repeats, whatever it teaches. */
const BOILERPLATE = [
  /に関わる数学的活動を通して/g, /次の事項を身に付けることができるよう指導する/g, /次のような[^。]*を身に付けること/g,
  /調べる活動を通して/g, /について理解すること/g, /を理解すること/g, /について知ること/g, /ことができること/g,
  /日常生活に生かし(たり)?/g, /日常の事象/g, /に着目し/g, /考えたり/g, /表現したり/g, /見いだし(たり)?/g, /考察したり/g,
  /(考える|表現する|考察する|判断する|説明する|まとめる)こと/g, /などについて/g, /主体的に/g, /自分の考え/g,
];

/** Lemmas no item is about: verbs of the boilerplate's kind, formal nouns. */
const GENERIC = new Set(
  ('する できる こと もの よう ため とき 理解 知る 考える 表す 用いる 生かす 表現 考察 着目 見いだす 判断 説明 活動 通す 身 付ける ' +
    '指導 事項 次 数学 日常 生活 場面 仕方 方法 基 確実 簡単 いろいろ 様々 関係 的 など 及び 並びに また 的確').split(' '),
);

const keep = (t: IpadicFeatures) => {
  if (t.pos === '名詞') return !['非自立', '代名詞', '接尾'].includes(t.pos_detail_1) || t.surface_form === '数' || t.surface_form === '形';
  if (t.pos === '動詞' || t.pos === '形容詞') return t.pos_detail_1 === '自立';
  return false;
};

/** A text (NFKC) without the Course of Study's boilerplate phrases, nor the examples a standard gives after its statement. */
export function stripBoilerplate(text: string): string {
  let t = text.normalize('NFKC').replace(/\b(For example|For instance|Examples?:|e\.g\.)[\s\S]*$/, '');
  for (const re of BOILERPLATE) t = t.replace(re, ' ');
  return t;
}

/** Content-word lemmas of Japanese texts: boilerplate dropped, then nouns, verbs and adjectives (NFKC, lower case). */
export async function japaneseTerms(texts: readonly string[]): Promise<string[][]> {
  const tk = await kuromoji();
  return texts.map((text) => {
    const out: string[] = [];
    for (const tok of tk.tokenize(stripBoilerplate(text))) {
      if (!keep(tok)) continue;
      const lemma = (tok.basic_form && tok.basic_form !== '*' ? tok.basic_form : tok.surface_form).toLowerCase();
      if (GENERIC.has(lemma) || /^[\p{P}\p{S}\s]+$/u.test(lemma)) continue;
      out.push(lemma);
    }
    return out;
  });
}
