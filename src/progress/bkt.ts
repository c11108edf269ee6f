/**
 * Bayesian Knowledge Tracing (Corbett & Anderson 1995), one skill per CFItem. Defaults (docs/progress.md):
 * p(L0) = 0.2 (some pupils know an item before the first drill), p(T) = 0.1 (learning per practised answer),
 * p(G) = 0.2 (multiple-choice style drills), p(S) = 0.1 (slips on a known item).
 */
export interface BktParams {
  pL0: number;
  pT: number;
  pG: number;
  pS: number;
}

export const DEFAULT_BKT: Readonly<BktParams> = Object.freeze({ pL0: 0.2, pT: 0.1, pG: 0.2, pS: 0.1 });

/**
 * p(mastered) after one answer with score in [0, 1]. Partial credit: the posterior is the score-weighted mix of
 * the posteriors after a correct and after a wrong answer; then the chance to learn from the practice (p(T)).
 */
export function bktUpdate(p: number, score: number, k: BktParams = DEFAULT_BKT): number {
  const s = Math.min(1, Math.max(0, score));
  const ifCorrect = (p * (1 - k.pS)) / (p * (1 - k.pS) + (1 - p) * k.pG);
  const ifWrong = (p * k.pS) / (p * k.pS + (1 - p) * (1 - k.pG));
  const posterior = s * ifCorrect + (1 - s) * ifWrong;
  return posterior + (1 - posterior) * k.pT;
}
