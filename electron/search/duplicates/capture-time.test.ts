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

  it('tells the shots of a burst within one second apart by their fractions, not a copy that lost its fraction', () => {
    const first = at('2024-05-01T10:00:00.120Z');
    expect(twoShots(first, at('2024-05-01T10:00:00.120Z'))).toBe(false); // a copy that kept SubSecTimeOriginal
    expect(twoShots(first, at('2024-05-01T10:00:00.450Z'))).toBe(true); // the next shot of a burst, 0.33 s later
    expect(twoShots(first, at('2024-05-01T10:00:00Z'))).toBe(false); // a copy whose editor dropped the fraction
    expect(twoShots(at('2024-05-01T10:00:00Z'), first)).toBe(false);
    expect(twoShots(first, at('2024-05-01T10:00:01Z'))).toBe(true); // without a fraction, still a second apart
    expect(twoShots(first, at('2024-05-01T08:00:00.120Z'))).toBe(false); // the same time read in UTC+2
    expect(twoShots(first, at('2024-05-01T08:00:00.450Z'))).toBe(true);
    // Before 1970 too (a scanned print's date).
    expect(twoShots(at('1965-07-01T10:00:00.250Z'), at('1965-07-01T10:00:00Z'))).toBe(false);
    expect(twoShots(at('1965-07-01T10:00:00.250Z'), at('1965-07-01T10:00:00.750Z'))).toBe(true);
  });
});
