import { languages, useI18n, type Language } from '../../lib/i18n/i18n.js';

/** Radio-like buttons (aria-pressed), each labelled in its own language so anyone can find theirs. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="language-switch" role="group" aria-label={t('nav.language')}>
      {(Object.keys(languages) as Language[]).map((l) => (
        <button key={l} type="button" lang={l} aria-pressed={l === lang} onClick={() => setLang(l)}>
          {languages[l]}
        </button>
      ))}
    </div>
  );
}
