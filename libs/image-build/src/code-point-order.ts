/** Code-point order of two strings: the same on every machine and locale, and no ICU collator to set up (5 ms in a task process). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
