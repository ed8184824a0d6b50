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

const utcDateTimeFormat = new Intl.DateTimeFormat("en-GB", {
  day: "numeric",
  month: "short",
  year: "numeric",
  hour: "2-digit",
  minute: "2-digit",
  timeZone: "UTC",
});

/** A date and time in UTC, as certificates state them: "2 Jan 2025, 10:00 UTC". */
export function formatDateTimeUTC(iso: string | undefined | null): string {
  const d = parse(iso);
  return d ? `${utcDateTimeFormat.format(d)} UTC` : "—";
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["day", 24 * 60 * 60 * 1000],
  ["hour", 60 * 60 * 1000],
  ["minute", 60 * 1000],
];

/** The largest whole unit in a duration: "3 hours", "1 day", "less than a minute". */
export function duration(ms: number): string {
  for (const [unit, size] of UNITS) {
    const n = Math.floor(ms / size);
    if (n >= 1) return `${n} ${unit}${n === 1 ? "" : "s"}`;
  }
  return "less than a minute";
}

/** How long ago something happened: "3 hours ago", "just now". */
export function timeAgo(iso: string | undefined | null, now: number = Date.now()): string {
  const d = parse(iso);
  if (!d) return "—";
  const ms = now - d.getTime();
  return ms < 60 * 1000 ? "just now" : `${duration(ms)} ago`;
}

/** Time left until a deadline: "2 days left", or "expired". */
export function timeLeft(iso: string | undefined | null, now: number = Date.now()): string {
  const d = parse(iso);
  if (!d) return "—";
  const ms = d.getTime() - now;
  return ms <= 0 ? "expired" : `${duration(ms)} left`;
}

/** A file-name-safe slug: "Acme Payments Ltd." → "acme-payments-ltd". */
export function slug(text: string, fallback = "organization"): string {
  const s = text
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return s || fallback;
}

/** An IBAN as people write it, in groups of four: "BE68 9681 0079 1934". */
export function formatIBAN(iban: string): string {
  return iban.replace(/\s+/g, "").replace(/(.{4})(?=.)/g, "$1 ");
}

const amountFormat = new Intl.NumberFormat("en-GB", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** A decimal amount with its currency: "11,787.82 EUR", "-40.00 EUR". */
export function formatAmount(amount: string, currency: string): string {
  const n = Number(amount);
  return `${Number.isFinite(n) ? amountFormat.format(n) : amount} ${currency}`;
}
