// The Open Badges 3.0 domain: achievements, candidates, issuance, status lists, verification. What http and cli use.
export { loadSecretKey, type SecretKey } from './secret.js';
export { documentLoader, shippedContext } from './document-loader.js';
export { ensureIssuer, rotateKey, didDocument, issuerProfile, didWebOf, didWebDocumentUrl, DEFAULT_ISSUER, type BadgeContext, type IssuerRow } from './issuers.js';
export { createDefaultAchievements, createGroupAchievement, deleteAchievement, groupChoices, editAchievement, getAchievement, achievementJson, checkAchievementRule, achievementIdOfItem, type AchievementRow, type AchievementEdit, type GroupAchievementInput, type UnitChoice } from './achievements.js';
export { evaluateCandidates, evidenceHook, evaluateNewAchievement, renewExpiredCandidates, badgeCriteria, setBadgeCriteria, DEFAULT_MIN_DAYS, MAX_MIN_DAYS } from './candidates.js';
export { approveCandidates, dismissCandidates, undoApprovals, UNDO_MINUTES, revokeCredential, ownResolver, OB3_CONTEXT, type Decider, type CandidateKey } from './issue.js';
export { statusList, statusListCredential, type StatusList } from './status.js';
export { verifyCredential, MAX_BUNDLED, type Verdict, type Check, type CredentialSummary, type VerifyOptions } from './verify.js';
export { verifierOptions } from './verifier.js';
export { remoteFetcher, type RemoteFetcher, type RemoteFetcherOptions } from './remote-resolver.js';
export { schemaError } from './schema.js';
export { badgePng, bakePng, extractPng, bakeSvg, extractSvg, extractBaked } from './bake.js';
export { badgesPersonalData } from './personal-data.js';
export { learnerClr } from './clr.js';
export { credentialJwt } from './jwt.js';
export { ob2Assertion, ob2RecipientUrl, hostedAssertion, hostedBadgeClass, hostedIssuer, hostedRevocationList, OB2_PNG_KEYWORD } from './ob2.js';
export { learnerCredentials, receiveCredential, learnerProfile, putLearnerProfile, obApiPersonalData, PROFILE_FIELDS, type HeldCredential } from './wallet.js';
