import type { FastifyReply } from 'fastify';
import { OB_SCOPE } from '../../auth/index.js';
import { esc, sendPage } from '../pages.js';

/** The server-rendered pages of the OB 3.0 API's OAuth flow: consent, errors, the privacy policy and terms. */

export type Locale = 'ja' | 'en';

/** Each scope in words, for the learner who decides. */
export const scopeWords: Record<Locale, Record<string, string>> = {
  ja: {
    [OB_SCOPE.credentialRead]: 'あなたのバッジ（オープンバッジの証明書）を読み取る',
    [OB_SCOPE.credentialUpsert]: 'あなたのパスポートにバッジを追加・更新する',
    [OB_SCOPE.profileRead]: 'あなたのプロフィールを読み取る（自分で設定した項目だけ）',
    [OB_SCOPE.profileUpdate]: 'あなたのプロフィールを書き換える',
  },
  en: {
    [OB_SCOPE.credentialRead]: 'Read your badges (Open Badges credentials)',
    [OB_SCOPE.credentialUpsert]: 'Add or update badges in your passport',
    [OB_SCOPE.profileRead]: 'Read your profile (only what you set yourself)',
    [OB_SCOPE.profileUpdate]: 'Change your profile',
  },
};

const words = {
  ja: {
    title: 'アクセスの許可',
    asks: 'が、あなたに代わって Shirube の次のことを行う許可を求めています。',
    site: 'アプリのサイト',
    back: '許可すると次の場所に戻ります：',
    privacy: '氏名やメールアドレスは渡されません（プロフィールに自分で設定したものを除く）。許可はいつでも取り消せます。',
    signedIn: 'サインイン中：',
    allow: '許可する',
    deny: '許可しない',
  },
  en: {
    title: 'Allow access',
    asks: 'asks to do the following in Shirube on your behalf.',
    site: 'Its website',
    back: 'If you allow it, you go back to:',
    privacy: 'Your name and e-mail address are not shared (unless you set them in your profile). You can withdraw the permission at any time.',
    signedIn: 'Signed in as',
    allow: 'Allow',
    deny: 'Deny',
  },
} as const;

const send = (reply: FastifyReply, status: number, lang: Locale | 'ja en', title: string, body: string, formTargets: string[] = []) => sendPage(reply, status, lang, title, body, { formTargets });

export interface ConsentView {
  locale: Locale;
  displayName: string;
  client: { clientName: string; clientUri: string | null; logoUri: string | null };
  redirectUri: string;
  scopes: string[];
  /** The authorization request, posted back with the decision. */
  fields: Record<string, string>;
  csrfToken: string;
}

/** The consent page: who asks, for what (in words), where the learner goes back to; Allow or Deny. */
export function consentPage(reply: FastifyReply, v: ConsentView) {
  const w = words[v.locale];
  const hidden = Object.entries({ ...v.fields, csrf_token: v.csrfToken }).map(([k, val]) => `<input type="hidden" name="${esc(k)}" value="${esc(val)}">`).join('');
  const redirect = new URL(v.redirectUri);
  const site = v.client.clientUri ? `<p>${w.site}: <a href="${esc(v.client.clientUri)}" rel="noopener noreferrer">${esc(v.client.clientUri)}</a></p>` : '';
  const logo = v.client.logoUri ? `<img src="${esc(v.client.logoUri)}" alt="" width="48" height="48"> ` : '';
  return send(reply, 200, v.locale, w.title, `<h1>${w.title}</h1>
<p>${logo}<strong>${esc(v.client.clientName)}</strong> ${w.asks}</p>${site}
<ul>${v.scopes.map((s) => `<li>${esc(scopeWords[v.locale][s] ?? s)}</li>`).join('')}</ul>
<p>${w.back} <code>${esc(redirect.origin)}</code></p>
<p class="muted">${w.privacy}</p>
<form method="post" action="/oauth/authorize">${hidden}
<button type="submit" name="decision" value="allow" class="primary">${w.allow}</button><button type="submit" name="decision" value="deny">${w.deny}</button></form>
<p class="muted">${w.signedIn} ${esc(v.displayName)}</p>`, [redirect.origin]);
}

/** An authorization request that cannot be sent back to the client (unknown client, wrong redirect URI), or a refusal. */
export function errorPage(reply: FastifyReply, status: number, message: string) {
  return send(reply, status, 'ja en', 'アクセスを許可できません', `<h1>アクセスを許可できません<br><span lang="en">Cannot grant access</span></h1><p>アプリに戻って、もう一度始めてください。</p><p lang="en">${esc(message)}</p>`);
}

/** What the OB API shares and keeps (the discovery document's privacy policy and terms of service). */
export function policyPage(reply: FastifyReply) {
  return send(reply, 200, 'ja en', 'Shirube オープンバッジ API: プライバシーと利用条件', `<h1 id="privacy">プライバシー / <span lang="en">Privacy</span></h1>
<p>学習者が許可したアプリだけが、許可された範囲（バッジの読み取り・追加、プロフィールの読み取り・更新）でその学習者のデータにアクセスできます。氏名やメールアドレスは、学習者が自分のプロフィールに設定しない限り共有されません。許可の記録と取り消しは監査ログに残ります。学習者の記録を消去すると、許可・トークン・受け取ったバッジ・プロフィールも消えます。</p>
<p lang="en">Only apps a learner allowed can reach that learner's data, within what was allowed (read or add badges, read or update the profile). Names and e-mail addresses are not shared unless the learner puts them in their own profile. Consents and revocations are audited. Erasing a learner's records also deletes their consents, tokens, received badges and profile.</p>
<h2 id="terms">利用条件 / <span lang="en">Terms of service</span></h2>
<p>アプリは学習者に代わってだけ行動し、得たデータを学習者が求めた目的以外に使ってはなりません。トークンは秘密として扱い、不要になったら取り消してください。</p>
<p lang="en">An app acts only for the learner and uses what it gets only for what the learner asked for. Keep tokens secret and revoke them when no longer needed.</p>`);
}
