/** Joins class names, skipping the falsy ones: `cx("btn", busy && "is-busy")`. */
export function cx(...parts: Array<string | false | null | undefined>): string {
  return parts.filter((p): p is string => typeof p === "string" && p !== "").join(" ");
}
