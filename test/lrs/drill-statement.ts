import { randomUUID } from 'node:crypto';

/** The identity provider of the learners' accounts in the drill statements. */
export const DRILL_HOME = 'https://idp.example.jp';
const CODE = '8250100300000000';
const COS = 'https://w3id.org/japan-xapi/extensions/course-of-study-code';

/**
 * A drill app's statement: `learner` answered a question linked by Course of Study Code to a CFItem of the shipped
 * 算数 (so storing it also writes evidence), with a new id each time.
 */
export const drillStatement = (learner: string) => ({
  id: randomUUID(),
  actor: { account: { homePage: DRILL_HOME, name: learner } },
  verb: { id: 'http://adlnet.gov/expapi/verbs/answered' },
  object: { id: `https://drill.example.jp/q/${randomUUID()}`, definition: { extensions: { [COS]: [CODE] } } },
  result: { score: { scaled: 1 } },
});
