export * from './principal.js';
export * from './accounts.js';
export { FailureLimiter } from './rate-limit.js';
export { PASSWORD_PARAMS, randomToken } from './secrets.js';
export * from './ob-grants.js';
export { readAuditLog, type AuditEntry, type AuditQuery } from './audit.js';
export * from './client-requests.js';
export { ClientUsageCounter, readClientUsage, type ClientUsage } from './usage.js';
