import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { isMessageKey, languages, translator, type Language, type Translate } from './translate.js';

export { isMessageKey, languages, translator, type Language, type Translate };
const STORAGE_KEY = 'shirube.language';

const isLanguage = (v: unknown): v is Language => typeof v === 'string' && v in languages;

/** Japanese unless the person chose otherwise before (localStorage may be unavailable: private mode). */
function initialLanguage(): Language {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (isLanguage(saved)) return saved;
  } catch {
    // fall through to the default
  }
  return 'ja';
}


interface I18n {
  lang: Language;
  setLang: (lang: Language) => void;
  t: Translate;
  formatDate: (iso: string) => string;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Language>(initialLanguage);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const setLang = useCallback((next: Language) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // the choice lasts for this page only
    }
  }, []);

  const value = useMemo<I18n>(() => {
    const dateFormat = new Intl.DateTimeFormat(lang === 'ja' ? 'ja-JP' : 'en-GB', { dateStyle: 'medium' });
    return {
      lang,
      setLang,
      t: translator(lang),
      formatDate: (iso) => {
        const d = new Date(iso);
        return Number.isNaN(d.getTime()) ? iso : dateFormat.format(d);
      },
    };
  }, [lang, setLang]);

  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
