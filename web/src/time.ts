// Exchange time (America/New_York, DST-aware through Intl) for labels and the server's `start`.
const fmt = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York', hour12: false, hour: '2-digit', minute: '2-digit', second: '2-digit',
});

export function nyTime(ns: bigint): string {
  const s = fmt.format(new Date(Number(ns / 1_000_000n)));
  return s.startsWith('24') ? `00${s.slice(2)}` : s;
}
