// LTI 1.3: Shirube as a tool launched from an LMS or a 学習eポータル (docs/lti.md). What http and cli use.
export { registerPlatform, updatePlatform, removePlatform, listPlatforms, getPlatform, listContexts, linkContext, toolEndpoints, type PlatformInput, type PlatformView } from './platforms.js';
export { initiateLogin, takeLaunch, verifyLaunch, provisionLaunch, launchTarget, type Launch, type LoginInitiation } from './launch.js';
export { pickToken, readPick, deepLinkingResponse, type Target } from './deep-linking.js';
export { syncRoster, contextOfClass, NRPS_SCOPE, type RosterSyncReport } from './nrps.js';
export { toolJwks, type LtiContext } from './tool-key.js';
export { mapRoles, type LtiRole } from './roles.js';
