// Feed dates as written in the wild → ISO-8601 UTC. RSS promises RFC 822 and Atom RFC 3339,
// but feeds mix both, drop seconds, misname weekdays, use two-digit years and named zones.
// A date we cannot read becomes null rather than a guess.

const MONTHS: Record<string, number> = {
  jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12,
};

const DAY_NAMES = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$/;

/** Offsets in minutes of the zone names feeds use (RFC 822 §5 plus common abbreviations). */
const ZONES: Record<string, number> = {
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  akst: -540, akdt: -480, hst: -600, ast: -240, adt: -180, nst: -210, ndt: -150,
  bst: 60, cet: 60, cest: 120, met: 60, mest: 120, west: 60, eet: 120, eest: 180, msk: 180,
  ist: 330, jst: 540, kst: 540, hkt: 480, sgt: 480, awst: 480, acst: 570, aest: 600, aedt: 660,
  nzst: 720, nzdt: 780,
};

const MAX_DATE_LENGTH = 120;

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  offsetMinutes: number;
}

/** Reads a feed date; returns `new Date(…).toISOString()` form in UTC, or null. */
export function parseFeedDate(text: string | null | undefined): string | null {
  if (!text) return null;
  const trimmed = text.trim();
  // Real dates are short; anything long is not one, and need not be scanned.
  if (!trimmed || trimmed.length > MAX_DATE_LENGTH) return null;
  const parts = parseRfc1123(trimmed) ?? parseIso(trimmed) ?? parseYearFirst(trimmed) ?? parseRfc822(trimmed);
  return parts ? toIso(parts) : null;
}

// What nearly every RSS feed writes ("Wed, 03 Nov 2010 17:05:00 GMT"), read in one step
// before the general RFC 822 reader below.
// Only English names are read, here as below: "mar, 15 nov" is Italian for a Tuesday, and
// guessing at other languages misreads more dates than it saves.
const RFC_1123 = /^(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun),\s*)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (GMT|UTC|UT|Z|[+-]\d{4})$/i;

function parseRfc1123(text: string): DateParts | null {
  const match = RFC_1123.exec(text);
  const month = match ? MONTHS[(match[2] as string).toLowerCase()] : undefined;
  if (!match || month === undefined) return null;
  const offsetMinutes = numericOrNamedZone(match[7] as string);
  if (offsetMinutes === null) return null;
  return {
    year: Number(match[3]),
    month,
    day: Number(match[1]),
    hour: Number(match[4]),
    minute: Number(match[5]),
    second: Number(match[6]),
    millisecond: 0,
    offsetMinutes,
  };
}

const ISO =
  /^(\d{4})(?:-?(\d{2})(?:-?(\d{2}))?)?(?:[Tt ]+(\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseIso(text: string): DateParts | null {
  const match = ISO.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction, zone] = match;
  const offsetMinutes = zone ? numericOrNamedZone(zone) : 0;
  if (offsetMinutes === null) return null;
  return {
    year: Number(year),
    month: month ? Number(month) : 1,
    day: day ? Number(day) : 1,
    hour: hour ? Number(hour) : 0,
    minute: minute ? Number(minute) : 0,
    second: second ? Number(second) : 0,
    millisecond: fraction ? Math.floor(Number(`0.${fraction}`) * 1000) : 0,
    offsetMinutes,
  };
}

// "2020/1/10 14:33:00" and "2020.01.10 14:33", as Chinese and Russian forum software writes
// them; a four-digit year in front leaves no day/month ambiguity.
const YEAR_FIRST = /^(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?\s*(Z|UTC|GMT|[+-]\d{2}:?\d{2})?$/i;

function parseYearFirst(text: string): DateParts | null {
  const match = YEAR_FIRST.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, zone] = match;
  const offsetMinutes = zone ? numericOrNamedZone(zone) : 0;
  if (offsetMinutes === null) return null;
  return {
    year: Number(year),
    month: Number(month),
    day: Number(day),
    hour: hour ? Number(hour) : 0,
    minute: minute ? Number(minute) : 0,
    second: second ? Number(second) : 0,
    millisecond: 0,
    offsetMinutes,
  };
}

/**
 * RFC 822/1123 and its relatives ("Wed, 3 Nov 2010 17:05 +0100", "Nov 3, 2010 5:05 PM EST",
 * asctime's "Wed Nov  3 17:05:00 2010"), read token by token so the field order may vary.
 */
function parseRfc822(text: string): DateParts | null {
  const tokens = text
    .toLowerCase()
    .replace(/\([^)]*\)/g, ' ')
    .replace(/,/g, ' ')
    // RFC 850's "04-Nov-10".
    .replace(/(\d)-([a-z]{3,})-(\d)/, '$1 $2 $3')
    // A zone glued to the time ("17:05:00+0100", "17:05:00Z") or to GMT ("GMT+1").
    .replace(/(\d)([+-]\d{2}:?\d{2}|z)$/, '$1 $2')
    .replace(/\b(gmt|utc|ut)([+-]\d)/, '$2')
    .split(/\s+/)
    .filter(Boolean);
  const parts: Partial<DateParts> = {};
  let meridiem: 'am' | 'pm' | null = null;
  for (const token of tokens) {
    if (DAY_NAMES.test(token)) continue;
    const time = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/.exec(token);
    if (time) {
      parts.hour = Number(time[1]);
      parts.minute = Number(time[2]);
      parts.second = time[3] ? Number(time[3]) : 0;
      parts.millisecond = time[4] ? Math.floor(Number(`0.${time[4]}`) * 1000) : 0;
      continue;
    }
    const month = /^[a-z]{3,}\.?$/.test(token) ? MONTHS[token.slice(0, 3)] : undefined;
    if (month !== undefined && (token.length <= 4 || isMonthName(token)) && parts.month === undefined) {
      parts.month = month;
      continue;
    }
    if (/^\d{4}$/.test(token) && parts.year === undefined) {
      parts.year = Number(token);
      continue;
    }
    if (/^\d{1,2}(st|nd|rd|th)?$/.test(token)) {
      const value = Number.parseInt(token, 10);
      if (parts.day === undefined) parts.day = value;
      else if (parts.year === undefined) parts.year = value < 50 ? 2000 + value : 1900 + value;
      else return null;
      continue;
    }
    if (token === 'am' || token === 'pm') {
      meridiem = token;
      continue;
    }
    const offset = numericOrNamedZone(token);
    if (offset !== null && parts.offsetMinutes === undefined) {
      parts.offsetMinutes = offset;
      continue;
    }
    return null;
  }
  if (parts.year === undefined || parts.month === undefined || parts.day === undefined) return null;
  let hour = parts.hour ?? 0;
  if (meridiem === 'pm' && hour < 12) hour += 12;
  if (meridiem === 'am' && hour === 12) hour = 0;
  return {
    year: parts.year,
    month: parts.month,
    day: parts.day,
    hour,
    minute: parts.minute ?? 0,
    second: parts.second ?? 0,
    millisecond: parts.millisecond ?? 0,
    offsetMinutes: parts.offsetMinutes ?? 0,
  };
}

const FULL_MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

function isMonthName(token: string): boolean {
  const word = token.replace(/\.$/, '');
  return FULL_MONTHS.some((name) => name.startsWith(word)) || word === 'sept';
}

function numericOrNamedZone(token: string): number | null {
  const numeric = /^([+-])(\d{2}):?(\d{2})?$/.exec(token);
  if (numeric) {
    const minutes = Number(numeric[2]) * 60 + Number(numeric[3] ?? 0);
    return numeric[1] === '-' ? -minutes : minutes;
  }
  const named = ZONES[token.toLowerCase()];
  if (named !== undefined) return named;
  // RFC 822 military zones: A–I, K–M east (+1…+12), N–Y west (−1…−12).
  if (/^[a-ik-y]$/i.test(token)) {
    const code = token.toLowerCase().charCodeAt(0);
    if (code <= 105) return (code - 96) * 60; // a..i → +1..+9
    if (code <= 109) return (code - 97) * 60; // k..m → +10..+12
    return -(code - 109) * 60; // n..y → −1..−12
  }
  return null;
}

function toIso(parts: DateParts): string | null {
  const { year, month, day, hour, minute, millisecond, offsetMinutes } = parts;
  const second = Math.min(parts.second, 59); // a leap second reads as the second before it
  if (year < 1000 || year > 9999 || month < 1 || month > 12 || day < 1 || hour > 24 || minute > 59) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millisecond) - offsetMinutes * 60_000;
  return Number.isFinite(utc) ? new Date(utc).toISOString() : null;
}
