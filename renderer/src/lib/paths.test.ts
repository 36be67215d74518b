import { describe, expect, it } from 'vitest';
import { fileName, folderOf, formatBytes } from './paths.js';

describe('paths as the views show them', () => {
  it('splits a file name from its folder, on either separator', () => {
    expect(fileName('/home/me/Pictures/cat.jpg')).toBe('cat.jpg');
    expect(folderOf('/home/me/Pictures/cat.jpg')).toBe('/home/me/Pictures');
    expect(fileName('C:\\Users\\me\\cat.jpg')).toBe('cat.jpg');
    expect(folderOf('C:\\Users\\me\\cat.jpg')).toBe('C:\\Users\\me');
    expect(folderOf('/cat.jpg')).toBe('/');
  });

  it('says a size in KB or MB', () => {
    expect(formatBytes(300)).toBe('1 KB');
    expect(formatBytes(43_008)).toBe('42 KB');
    expect(formatBytes(3_250_586)).toBe('3.1 MB');
  });
});
