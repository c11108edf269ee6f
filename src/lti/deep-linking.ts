import { randomToken } from '../auth/secrets.js';
import { ShirubeError } from '../errors.js';
import * as store from '../store/lti.js';
import type { DeepLinkingRequest, Launch } from './launch.js';
import { toolEndpoints } from './platforms.js';
import { signAsTool, verifyAsTool, type LtiContext } from './tool-key.js';

/** LTI Deep Linking 2.0 (https://www.imsglobal.org/spec/lti-dl/v2p0). */
const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
const PICK_AUDIENCE = 'shirube:lti:deep-link';
const PICK_TTL_S = 3600;

/** The deep linking request, kept between the launch and the teacher's choice in a token the tool signs. */
export interface PendingPick extends DeepLinkingRequest {
  platformId: string;
  deploymentId: string;
  userId: string;
}

export const pickToken = (ctx: LtiContext, launch: Launch, userId: string) =>
  signAsTool(ctx, { iss: ctx.publicUrl, aud: PICK_AUDIENCE, sub: userId, platformId: launch.platform.id, deploymentId: launch.deploymentId, ...launch.deepLinking! }, PICK_TTL_S);

/** The pending choice of this token, for this signed-in user only. */
export async function readPick(ctx: LtiContext, token: string, userId: string): Promise<PendingPick> {
  const p = await verifyAsTool(ctx, token, PICK_AUDIENCE);
  if (!p || p.sub !== userId) throw new ShirubeError('unauthorized', 'pick: this choice has expired or belongs to another session; open the link from the platform again', 'pick');
  return { platformId: String(p['platformId']), deploymentId: String(p['deploymentId']), userId, returnUrl: String(p['returnUrl']), data: typeof p['data'] === 'string' ? p['data'] : undefined, acceptMultiple: p['acceptMultiple'] === true };
}

/** What a link opens: a learner's map of a framework, or one item of it (as custom parameters of the resource link). */
export type Target = { kind: 'map'; framework: string; title: string } | { kind: 'item'; framework: string; item: string; title: string };

/**
 * The LtiDeepLinkingResponse JWT (Deep Linking §4.2) signed with the tool's key: one ltiResourceLink whose custom
 * parameters make later launches open the target (launchTarget). The platform checks it with the tool's JWKS.
 */
export async function deepLinkingResponse(ctx: LtiContext, pick: PendingPick, target: Target): Promise<{ jwt: string; returnUrl: string }> {
  const platform = await store.getPlatform(ctx.db, pick.platformId);
  if (!platform) throw new ShirubeError('not_found', 'The platform’s registration was removed; ask Shirube’s administrator', 'pick');
  const custom = target.kind === 'item'
    ? { shirube_target: 'item', shirube_framework: target.framework, shirube_item: target.item }
    : { shirube_target: 'map', shirube_framework: target.framework };
  const item = { type: 'ltiResourceLink', title: target.title.slice(0, 200), url: toolEndpoints(ctx.publicUrl).launchUrl, custom };
  const jwt = await signAsTool(ctx, {
    iss: platform.clientId,
    aud: platform.issuer,
    nonce: randomToken(16),
    'https://purl.imsglobal.org/spec/lti/claim/message_type': 'LtiDeepLinkingResponse',
    'https://purl.imsglobal.org/spec/lti/claim/version': '1.3.0',
    'https://purl.imsglobal.org/spec/lti/claim/deployment_id': pick.deploymentId,
    [`${DL}content_items`]: [item],
    ...(pick.data !== undefined ? { [`${DL}data`]: pick.data } : {}),
  }, 300);
  return { jwt, returnUrl: pick.returnUrl };
}
