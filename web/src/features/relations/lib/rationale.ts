import { isMessageKey, type Translate } from '../../../lib/i18n/translate.js';
import type { MessageKey } from '../../../lib/i18n/ja.js';

/**
 * An estimator's rationale in the reader's language. The offline estimator and the ensemble write structured reasons
 * (src/relations/offline.ts: "same category, grade +1"; ensemble.ts: "2 of 3 agree"), read here as codes and
 * translated; anything else (an LLM's rationale, written in the run's language, or a reviewer's comment) is shown as written.
 */
export function rationaleText(t: Translate, rationale: string): string {
  const offline = /^(same category|same domain|other domain), grade (same|[+-]?\d+)$/.exec(rationale);
  if (offline) {
    const where: MessageKey = offline[1] === 'same category' ? 'relations.reason.sameCategory' : offline[1] === 'same domain' ? 'relations.reason.sameDomain' : 'relations.reason.otherDomain';
    const gap = offline[2] === 'same' ? 0 : Number(offline[2]);
    const grade = gap === 0 ? t('relations.reason.gradeSame') : t(gap > 0 ? 'relations.reason.gradeUp' : 'relations.reason.gradeDown', { n: Math.abs(gap) });
    return t('relations.reason.offline', { where: t(where), grade });
  }
  const agree = /^(\d+) of (\d+) agree$/.exec(rationale);
  if (agree) return t('relations.reason.agree', { n: agree[1]!, of: agree[2]! });
  return rationale;
}

/** A relation type (precedes, isRelatedTo) in words; the API's value itself when it is another. */
export function relationTypeText(t: Translate, type: string): string {
  const key = `relations.type.${type}`;
  return isMessageKey(key) ? t(key) : type;
}

/** An estimator's name in words (offline, tfidf, llm, reviewer), with the model of an LLM run. */
export function estimatorText(t: Translate, estimator: string, model?: string | null): string {
  const key = `relations.estimator.${estimator}`;
  const name = isMessageKey(key) ? t(key) : estimator;
  return model ? `${name} ${model}` : name;
}
