import { useMemo } from 'react';
import type { BadgeMark, MapBadges } from '../../../types/badges.js';
import { useLearnerCandidates, usePassport, type Candidate, type PassportCredential } from '../api/badges.js';


/** Items of the valid (not revoked) badges of a passport, by the CFItem each is aligned to. */
export const passportItems = (credentials: readonly PassportCredential[]) =>
  credentials.flatMap((c) => (c.revoked ? [] : (c.credential.credentialSubject?.achievement?.alignment ?? []).flatMap((a) => (a.targetCode ? [a.targetCode] : []))));

const marksOf = (issued: readonly string[], pending: readonly Candidate[]) => {
  const marks = new Map<string, BadgeMark>(issued.map((id) => [id, 'issued']));
  // A pending candidate is the teacher's to-do: it shows over an older badge on the same item.
  for (const c of pending) for (const id of c.achievement.itemIds) marks.set(id, 'candidate');
  return marks;
};

/**
 * A teacher viewing a learner's map: that learner's pending candidates and issued badges. `learner` null (nobody
 * chosen, or the learner's own map): nothing asked.
 */
export function useTeacherMapBadges(learner: string | null): MapBadges | undefined {
  const pending = useLearnerCandidates(learner, 'pending').data;
  const issued = useLearnerCandidates(learner, 'issued').data;
  return useMemo(() => {
    if (!pending || !issued) return undefined;
    const valid = issued.candidates.filter((c) => !c.revoked).flatMap((c) => c.achievement.itemIds);
    return { marks: marksOf(valid, pending.candidates), kinds: ['candidate', 'issued'] };
  }, [pending, issued]);
}

/** A learner's own map (and passport): their valid badges. `userId` null: not a learner. */
export function useOwnMapBadges(userId: string | null): MapBadges | undefined {
  const passport = usePassport(userId).data;
  return useMemo(() => passport && { marks: marksOf(passportItems(passport.credentials), []), kinds: ['issued'] }, [passport]);
}
