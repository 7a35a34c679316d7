/**
 * The common subset of moment.js format tokens, in local time, for Node-RED's
 * `date` typed value with a custom format (Node-RED formats with moment; we do
 * not ship moment for this). Text in [brackets] is copied literally.
 * Supported: YYYY YY Q MMMM MMM MM M Do DD D dddd ddd dd d E HH H hh h kk k
 * mm m ss s SSS SS S A a ZZ Z X x.
 */
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const TOKEN = /\[([^\]]*)\]|YYYY|YY|Q|MMMM|MMM|MM|M|Do|DD|D|dddd|ddd|dd|d|E|HH|H|hh|h|kk|k|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|X|x/g;

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function ordinal(n: number): string {
  const rem100 = n % 100;
  if (rem100 >= 11 && rem100 <= 13) return `${n}th`;
  const suffix = ['th', 'st', 'nd', 'rd'][n % 10] ?? 'th';
  return `${n}${suffix}`;
}

function offset(date: Date, separator: string): string {
  const minutes = -date.getTimezoneOffset();
  const sign = minutes >= 0 ? '+' : '-';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60), 2)}${separator}${pad(abs % 60, 2)}`;
}

export function formatDate(date: Date, format: string): string {
  return format.replace(TOKEN, (token: string, literal: string | undefined) => {
    if (literal !== undefined) return literal;
    const hours = date.getHours();
    switch (token) {
      case 'YYYY': return pad(date.getFullYear(), 4);
      case 'YY': return pad(date.getFullYear() % 100, 2);
      case 'Q': return String(Math.floor(date.getMonth() / 3) + 1);
      case 'MMMM': return MONTHS[date.getMonth()]!;
      case 'MMM': return MONTHS[date.getMonth()]!.slice(0, 3);
      case 'MM': return pad(date.getMonth() + 1, 2);
      case 'M': return String(date.getMonth() + 1);
      case 'Do': return ordinal(date.getDate());
      case 'DD': return pad(date.getDate(), 2);
      case 'D': return String(date.getDate());
      case 'dddd': return DAYS[date.getDay()]!;
      case 'ddd': return DAYS[date.getDay()]!.slice(0, 3);
      case 'dd': return DAYS[date.getDay()]!.slice(0, 2);
      case 'd': return String(date.getDay());
      case 'E': return String(date.getDay() === 0 ? 7 : date.getDay());
      case 'HH': return pad(hours, 2);
      case 'H': return String(hours);
      case 'hh': return pad(hours % 12 || 12, 2);
      case 'h': return String(hours % 12 || 12);
      case 'kk': return pad(hours || 24, 2);
      case 'k': return String(hours || 24);
      case 'mm': return pad(date.getMinutes(), 2);
      case 'm': return String(date.getMinutes());
      case 'ss': return pad(date.getSeconds(), 2);
      case 's': return String(date.getSeconds());
      case 'SSS': return pad(date.getMilliseconds(), 3);
      case 'SS': return pad(Math.floor(date.getMilliseconds() / 10), 2);
      case 'S': return String(Math.floor(date.getMilliseconds() / 100));
      case 'A': return hours < 12 ? 'AM' : 'PM';
      case 'a': return hours < 12 ? 'am' : 'pm';
      case 'ZZ': return offset(date, '');
      case 'Z': return offset(date, ':');
      case 'X': return String(Math.floor(date.getTime() / 1000));
      case 'x': return String(date.getTime());
      default: return token;
    }
  });
}
