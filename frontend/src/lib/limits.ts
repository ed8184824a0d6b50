import limits from "../api/limits.json";

type Limits = typeof limits;
/** A request of the portal API whose body has length limits, as "METHOD path". */
export type LimitedRequest = keyof Limits;

/**
 * The server's length limit of a request body field, from the portal API's description:
 * the forms state the very limit the server applies. A field the server stops limiting
 * fails to compile here.
 */
export function limitOf<R extends LimitedRequest>(request: R, field: keyof Limits[R] & string): number {
  return (limits[request] as Record<string, number>)[field];
}

/** The length of text as the server counts it: characters of its NFC form, without the spaces around it. */
export function charCount(text: string): number {
  return [...text.normalize("NFC").trim()].length;
}

/** The server's message for text over its limit, so the client's and the server's read the same. */
export function tooLongMessage(limit: number, length: number): string {
  return `Use at most ${limit} ${limit === 1 ? "character" : "characters"}; this has ${length}.`;
}

/** What the counter under a limited field says. */
export function remainingText(limit: number, length: number): string {
  const left = limit - length;
  if (left >= 0) return `${left} of ${limit} ${limit === 1 ? "character" : "characters"} left`;
  return `${-left} ${left === -1 ? "character" : "characters"} over the limit of ${limit}`;
}
