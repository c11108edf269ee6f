import { ownResolver } from './issue.js';
import type { BadgeContext } from './issuers.js';
import type { VerifyOptions } from './verify.js';

/**
 * How this Shirube verifies a credential (the public verifier, upsertCredential): its own DID documents, status lists
 * and OB 2.0 documents in-process, and, when SHIRUBE_VERIFY_FETCH is on, the rest fetched with a fresh request budget.
 */
export const verifierOptions = (ctx: BadgeContext): VerifyOptions => ({ resolve: ownResolver(ctx), ...(ctx.remote ? { remote: ctx.remote.resolver() } : {}) });
