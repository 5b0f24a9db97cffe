/**
 * A message in the two languages this API answers in: Chinese for the clerks who read it by default, English for
 * integrators who ask for it (`Accept-Language: en`). Both are written where the message is made, so a reader of
 * the code sees what a clerk will see.
 */
export interface Said {
  zh: string;
  en: string;
}
export type Language = keyof Said;
export const LANGUAGES: readonly Language[] = ['zh', 'en'];

export const said = (zh: string, en: string): Said => ({ zh, en });

/** Joins messages the way each language lists things. */
export function joined(messages: Said[]): Said {
  return { zh: messages.map((m) => m.zh).join('；'), en: messages.map((m) => m.en).join('; ') };
}
