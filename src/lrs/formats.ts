// The data types of xAPI (Data §4.5 and the referenced RFCs), as plain predicates.

export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (v: unknown): v is string => typeof v === 'string' && UUID.test(v);

// An absolute IRI: a scheme, a colon, and no spaces (RFC 3987 is wider than any check the spec requires).
const IRI = /^[a-z][a-z0-9+.-]*:[^\s"<>\\^`{|}]+$/i;
export const isIri = (v: unknown): v is string => typeof v === 'string' && IRI.test(v);

const MAILTO = /^mailto:[^@\s:/]+@[^@\s]+$/i;
export const isMailto = (v: unknown): v is string => typeof v === 'string' && MAILTO.test(v);
export const isSha1Hex = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{40}$/i.test(v);
export const isSha2Hex = (v: unknown): v is string => typeof v === 'string' && /^([0-9a-f]{56}|[0-9a-f]{64}|[0-9a-f]{96}|[0-9a-f]{128})$/i.test(v);

// RFC 5646 language tags (well-formedness, including private use and the irregular grandfathered forms).
const LANGTAG =
  /^(?:(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})(?:-[a-z]{4})?(?:-(?:[a-z]{2}|\d{3}))?(?:-(?:[a-z\d]{5,8}|\d[a-z\d]{3}))*(?:-[\da-wy-z](?:-[a-z\d]{2,8})+)*(?:-x(?:-[a-z\d]{1,8})+)?|x(?:-[a-z\d]{1,8})+|en-GB-oed|i-[a-z]{2,8}|sgn-[a-z]{2}-[a-z]{3})$/i;
export const isLanguageTag = (v: unknown): v is string => typeof v === 'string' && LANGTAG.test(v);

// Internet media type (RFC 2046): type/subtype with optional parameters.
export const isMediaType = (v: unknown): v is string => typeof v === 'string' && /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(\s*;.*)?$/.test(v);

const DURATION =
  /^P(?!$)(?:(?:\d+(?:[.,]\d+)?Y)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?D)?(?:T(?=\d)(?:\d+(?:[.,]\d+)?H)?(?:\d+(?:[.,]\d+)?M)?(?:\d+(?:[.,]\d+)?S)?)?|\d+(?:[.,]\d+)?W)$/;
export const isDuration = (v: unknown): v is string => typeof v === 'string' && DURATION.test(v);

// ISO 8601 / RFC 3339 date-times with a time zone, extended or basic format. "-00:00" means "unknown local offset"
// in RFC 3339, which xAPI forbids.
const TIMESTAMP = /^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,](\d+))?(Z|[+-]\d{2}(?::?\d{2})?)$/i;

/** Parses an xAPI timestamp; undefined when it is not one. */
export function parseTimestamp(v: unknown): { date: Date; fraction: string } | undefined {
  if (typeof v !== 'string') return undefined;
  const m = TIMESTAMP.exec(v);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', zone] = m as unknown as string[];
  if (/^-00(:?00)?$/.test(zone!)) return undefined;
  const offset = zone!.toUpperCase() === 'Z' ? 'Z' : `${zone!.slice(0, 3)}:${zone!.length === 3 ? '00' : zone!.slice(-2)}`;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${(frac + '000').slice(0, 3)}${offset}`;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime()) || Number(mo) < 1 || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) {
    return undefined;
  }
  // new Date() rolls 2015-02-31 over into March: reject dates that do not exist.
  const local = new Date(`${y}-${mo}-${d}T00:00:00Z`);
  if (Number.isNaN(local.getTime()) || local.getUTCDate() !== Number(d)) return undefined;
  return { date, fraction: frac };
}

/** The UTC form of a timestamp (xAPI 2.0 stores UTC), keeping sub-millisecond digits. */
export function toUtc(v: string): string {
  const p = parseTimestamp(v)!;
  const iso = p.date.toISOString();
  return p.fraction.length > 3 ? `${iso.slice(0, 20)}${p.fraction}Z` : iso;
}

/** A duration compared at 0.01 s precision (xAPI 2.0 §4.2.7): seconds truncated to hundredths. */
export const truncateDuration = (d: string) => d.replace(/(\d+)[.,](\d{1,2})\d*S$/, '$1.$2S');
