const dateFormat = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "long", year: "numeric" });
const dateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
});

function parse(iso: string | undefined | null): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) || d.getUTCFullYear() <= 1 ? null : d;
}

export function formatDate(iso: string | undefined | null): string {
  const d = parse(iso);
  return d ? dateFormat.format(d) : "—";
}

export function formatDateTime(iso: string | undefined | null): string {
  const d = parse(iso);
  return d ? dateTimeFormat.format(d) : "—";
}

export function days(n: number): string {
  return `${n} ${n === 1 ? "day" : "days"}`;
}

/** Only same-site absolute paths are accepted as redirect targets. */
export function safeNext(next: string | null | undefined, fallback = "/account"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}
