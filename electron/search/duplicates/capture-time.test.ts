import { describe, expect, it } from 'vitest';
import { twoShots } from './capture-time.js';

const at = (iso: string) => Date.parse(iso);

describe('two shots by capture time', () => {
  it('tells shots seconds or days apart from copies of one shot, whatever time zone scanned them', () => {
    const shot = at('2024-05-01T10:00:00Z');
    expect(twoShots(shot, shot)).toBe(false); // a copy that kept its EXIF
    expect(twoShots(shot, undefined)).toBe(false); // a copy that lost it
    expect(twoShots(undefined, undefined)).toBe(false);
    expect(twoShots(shot, at('2024-05-01T10:00:02Z'))).toBe(true); // a burst, two seconds later
    expect(twoShots(shot, at('2024-05-01T10:01:00Z'))).toBe(true);
    expect(twoShots(shot, at('2024-05-03T10:00:00Z'))).toBe(true); // the same view two days later
    // The same camera time read in another time zone (UTC+2, UTC+5:45, UTC−12 to UTC+14).
    expect(twoShots(shot, at('2024-05-01T08:00:00Z'))).toBe(false);
    expect(twoShots(shot, at('2024-05-01T04:15:00Z'))).toBe(false);
    expect(twoShots(shot, at('2024-05-02T12:00:00Z'))).toBe(false);
    expect(twoShots(shot, at('2024-05-01T11:00:07Z'))).toBe(true);
  });
});
