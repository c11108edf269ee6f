import type { CFDocument } from './case-types.js';

/**
 * The framework a page opens with when neither the URL nor the person's class names one: the Course of Study
 * (学習指導要領; the demo's 算数), else the first.
 */
export const defaultFramework = (frameworks: readonly Pick<CFDocument, 'identifier' | 'title'>[] | undefined) =>
  frameworks?.find((d) => d.title.includes('学習指導要領'))?.identifier ?? frameworks?.[0]?.identifier;
