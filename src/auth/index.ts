export * from './principal.js';
export * from './accounts.js';
export { hashSecret, randomToken } from './secrets.js';
