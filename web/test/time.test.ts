import { describe, expect, it } from 'vitest';
import { nyTime } from '../src/time';

describe('exchange time', () => {
  it('EST in January (UTC-5) and EDT in July (UTC-4)', () => {
    expect(nyTime(1767709805000000000n)).toBe('09:30:05'); // 2026-01-06T14:30:05Z
    expect(nyTime(1783431000000000000n)).toBe('09:30:00'); // 2026-07-07T13:30:00Z
  });
});
