// Maintenance windows for automatic node-image upgrades, in UTC: "Sat,Sun 01:00-05:00",
// "daily 22:00-02:00" (a window may cross midnight; it then belongs to the day it starts on).
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

export interface Window { days: number[]; startMin: number; endMin: number }

export function parseWindow(text: string): Window {
  const m = text.trim().match(/^([A-Za-z,]+)\s+(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$/);
  if (!m) throw new Error(`maintenance window '${text}' is not like 'Sat,Sun 01:00-05:00' or 'daily 02:00-04:00'`);
  const days = m[1].toLowerCase() === "daily" ? [0, 1, 2, 3, 4, 5, 6] : m[1].split(",").map((d) => DAYS.indexOf(d.slice(0, 3).toLowerCase()));
  if (days.some((d) => d < 0)) throw new Error(`maintenance window '${text}' names an unknown day`);
  const startMin = Number(m[2]) * 60 + Number(m[3]);
  const endMin = Number(m[4]) * 60 + Number(m[5]);
  if (startMin >= 24 * 60 || endMin > 24 * 60 || startMin === endMin) throw new Error(`maintenance window '${text}' has an impossible time range`);
  return { days, startMin, endMin };
}

export function inWindow(w: Window, at: Date): boolean {
  const minute = at.getUTCHours() * 60 + at.getUTCMinutes();
  const day = at.getUTCDay();
  if (w.startMin < w.endMin) return w.days.includes(day) && minute >= w.startMin && minute < w.endMin;
  // crosses midnight: the evening part on a listed day, or the morning part on the day after one
  return (w.days.includes(day) && minute >= w.startMin) || (w.days.includes((day + 6) % 7) && minute < w.endMin);
}
