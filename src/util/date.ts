/**
 * `struct tm`, `gmtime_r`, and libevent's `evutil_date_rfc1123` (the HTTP date format).
 * @module
 */
import { check_i64_, check_len_, show } from "./check.js";
import { evutil_snprintf_into_ } from "./snprintf.js";

/** `struct tm`: a broken-down time. `new tm()` is zeroed. @category Time */
export class tm {
  /** Seconds (0-60). */
  tm_sec = 0;
  /** Minutes (0-59). */
  tm_min = 0;
  /** Hours (0-23). */
  tm_hour = 0;
  /** Day of the month (1-31). */
  tm_mday = 0;
  /** Month (0-11). */
  tm_mon = 0;
  /** Year - 1900. */
  tm_year = 0;
  /** Day of the week (0-6, Sunday = 0). */
  tm_wday = 0;
  /** Day in the year (0-365, 1 January = 0). */
  tm_yday = 0;
  /** Daylight saving time flag (0 for UTC). */
  tm_isdst = 0;
}

/**
 * `struct tm *gmtime_r(const time_t *timep, struct tm *result)`: break the time `timep`
 * (seconds since the epoch; C's `&t` is `t`) down into `result`, in UTC. Returns `result`,
 * or null if the year cannot be represented.
 * @param timep seconds since the epoch
 * @param result receives the broken-down time
 * @returns `result`, or null if the year cannot be represented
 * @see {@link evutil_date_rfc1123}
 * @category Time
 */
export function gmtime_r(timep: number, result: tm): tm | null {
  check_i64_("gmtime_r", "timep", timep);
  if (!(result instanceof tm)) throw new TypeError(`gmtime_r: result must be a tm, not ${show(result)}`);
  const d = new Date(Math.floor(timep) * 1000);
  if (Number.isNaN(d.getTime())) return null;
  result.tm_sec = d.getUTCSeconds();
  result.tm_min = d.getUTCMinutes();
  result.tm_hour = d.getUTCHours();
  result.tm_mday = d.getUTCDate();
  result.tm_mon = d.getUTCMonth();
  result.tm_year = d.getUTCFullYear() - 1900;
  result.tm_wday = d.getUTCDay();
  result.tm_yday = Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86400000);
  result.tm_isdst = 0;
  return result;
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * `int evutil_date_rfc1123(char *date, const size_t datelen, const struct tm *tm)`: write the
 * date `cur_p` (C's parameter `tm`; null: the current time) as "Thu, 01 Jan 1970 00:00:00 GMT"
 * into `date`, through evutil_snprintf as libevent does: at most `datelen - 1` bytes and a NUL.
 * Returns the length of the whole text (29), even if it was cut short, or 0 if `datelen` is 0.
 * @param date receives the text as a NUL-terminated C string
 * @param datelen the room in `date` in bytes
 * @param cur_p the date to format, or null for now
 * @returns the length of the whole text (29), even if it was cut short, or 0 if `datelen` is 0
 * @see {@link gmtime_r}
 * @category Time
 */
export function evutil_date_rfc1123(date: Uint8Array, datelen: number, cur_p: tm | null): number {
  const fn = "evutil_date_rfc1123";
  check_len_(fn, "datelen", date, "date", datelen);
  if (cur_p !== null && !(cur_p instanceof tm)) throw new TypeError(`${fn}: cur_p must be a tm or null, not ${show(cur_p)}`);
  const t = cur_p ?? gmtime_r(Math.floor(Date.now() / 1000), new tm())!;
  const day = DAYS[t.tm_wday];
  const month = MONTHS[t.tm_mon];
  if (day === undefined || month === undefined) throw new RangeError(`${fn}: tm_wday ${t.tm_wday} or tm_mon ${t.tm_mon} is out of range`);
  return evutil_snprintf_into_(fn, date, datelen, "%s, %02d %s %4d %02d:%02d:%02d GMT",
    [day, t.tm_mday, month, 1900 + t.tm_year, t.tm_hour, t.tm_min, t.tm_sec]);
}
