import { en } from './en.js';
import { ja, type MessageKey, type Messages } from './ja.js';

/** The UI's languages, each named in itself. */
export const languages = { ja: '日本語', en: 'English' } as const;
export type Language = keyof typeof languages;
const dictionaries: Record<Language, Messages> = { ja, en };

export const isMessageKey = (k: string): k is MessageKey => Object.hasOwn(ja, k);

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** The messages of `lang` with their {placeholders} filled in (what useI18n's `t` is). */
export const translator = (lang: Language): Translate => (key, vars) =>
  dictionaries[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (vars && name in vars ? String(vars[name]) : m));
