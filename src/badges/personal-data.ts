import type { LearnerDataPart } from '../lrs/index.js';
import * as store from '../store/badges.js';

/** A learner's badges in their export, and in erasure: credentials revoked (status list) and unlinked, candidates gone. */
export const badgesPersonalData: LearnerDataPart = {
  name: 'badges',
  async export(db, learnerId) {
    return {
      candidates: await store.getCandidates(db, { learnerIds: [learnerId] }),
      credentials: (await store.listCredentials(db, { learnerId })).map((c) => ({ ...c.payload, revoked: c.revokedAt !== null })),
    };
  },
  erase: (trx, learnerId) => store.eraseLearnerBadges(trx, learnerId, 'system:erasure'),
};
