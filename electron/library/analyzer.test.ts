import { describe, expect, it } from 'vitest';
import { withSubSeconds } from './analyzer.js';

describe('capture time to the millisecond', () => {
  const date = new Date('2024-05-01T10:00:00Z');
  it("adds EXIF's fraction of a second, as the digits after the decimal point", () => {
    expect(withSubSeconds(date, '345').toISOString()).toBe('2024-05-01T10:00:00.345Z');
    expect(withSubSeconds(date, '34').toISOString()).toBe('2024-05-01T10:00:00.340Z');
    expect(withSubSeconds(date, '3 ').toISOString()).toBe('2024-05-01T10:00:00.300Z');
    expect(withSubSeconds(date, '034567').toISOString()).toBe('2024-05-01T10:00:00.034Z');
    expect(withSubSeconds(date, '57').toISOString()).toBe('2024-05-01T10:00:00.570Z');
    expect(withSubSeconds(date, 5).toISOString()).toBe('2024-05-01T10:00:00.500Z');
  });
  it('leaves the date to the second where there is no fraction or it is not digits', () => {
    for (const none of [undefined, null, '', '  ', 'abc', '-5', '1.5'])
      expect(withSubSeconds(date, none).toISOString()).toBe('2024-05-01T10:00:00.000Z');
  });
});
