/**
 * Ages as kubectl prints them (k8s.io/apimachinery duration.HumanDuration): 90s, 3m10s, 12m, 5h10m, 20h, 2d1h,
 * 30d, 2y1d. One formatter for every client of the API, so the CLI and the console show one cluster's age alike.
 */
export function formatAge(createdAt: string, now: number): string {
  const created = Date.parse(createdAt);
  if (Number.isNaN(created)) return '<unknown>';
  // kubectl prints <invalid> for a time more than a second ahead; here that is clock skew between the server and
  // the machine that shows the age, so it is 0s.
  const seconds = Math.max(0, Math.trunc((now - created) / 1000));
  if (seconds < 2 * 60) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 3 * 60) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 8 * 24) return hours % 24 === 0 ? `${days}d` : `${days}d${hours % 24}h`;
  if (hours < 2 * 365 * 24) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 8 * 365 * 24) return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  return `${years}y`;
}
