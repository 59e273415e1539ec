/** Dates and numbers in the chosen language's conventions. */
export function formatDate(value: string | null | undefined, language: string): string {
  if (!value) return "";
  const date = new Date(value);
  return new Intl.DateTimeFormat(language === "ja" ? "ja-JP" : "en-GB", {
    dateStyle: "medium",
    timeStyle: "short",
  }).format(date);
}

export function formatNumber(value: number, language: string, digits = 0): string {
  return new Intl.NumberFormat(language === "ja" ? "ja-JP" : "en-GB", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  }).format(value);
}

export function countryName(code: string, language: string): string {
  try {
    return new Intl.DisplayNames([language], { type: "region" }).of(code) ?? code;
  } catch {
    return code;
  }
}

/** "a, b\nc" -> ["a", "b", "c"]: the lines of a list typed into one text box. */
export function lines(text: string): string[] {
  return text.split(/\n/).map((s) => s.trim()).filter(Boolean);
}

export function commaList(text: string): string[] {
  return text.split(/[,、\n]/).map((s) => s.trim()).filter(Boolean);
}
