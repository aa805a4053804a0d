// The string tables by language, and the one way a text reference becomes text.
import { EN } from './en.js';
import { ZH, type StringKey } from './zh.js';

export type { StringKey } from './zh.js';
export type Language = 'zh' | 'en';
export const LANGUAGES: readonly Language[] = Object.freeze(['zh', 'en'] as const);

export const STRINGS: Readonly<Record<Language, Readonly<Record<StringKey, string>>>> = Object.freeze({ zh: ZH, en: EN });

/** A parameter is a value, or another key (a category's name inside a summary), translated in the same language. */
export type TextParams = Readonly<Record<string, string | number | { readonly key: StringKey }>>;

/** A key's text in a language, `{name}` replaced by params.name (left as it is when there is no such param). */
export function translate(lang: Language, key: StringKey, params?: TextParams): string {
  const text = STRINGS[lang][key];
  if (!params) return text;
  return text.replace(/\{([a-zA-Z]+)\}/g, (whole, name: string) => {
    if (!Object.hasOwn(params, name)) return whole;
    const value = params[name]!;
    return typeof value === 'object' ? STRINGS[lang][value.key] : String(value);
  });
}
