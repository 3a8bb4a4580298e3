/** The canonical form of a BCP 47 language tag (`EN-gb` → `en-GB`), or undefined when Intl refuses it. */
export function canonicalLocale(tag: string): string | undefined {
  try {
    return Intl.getCanonicalLocales(tag)[0]
  } catch {
    return undefined
  }
}
