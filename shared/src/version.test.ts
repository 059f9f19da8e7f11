import { describe, expect, it } from 'vitest';
import { compareVersions, isVersionCompatible, parseVersion } from './version.js';

describe('isVersionCompatible (oslo version_is_compatible)', () => {
  // oslo_messaging/tests/test_utils.py VersionIsCompatibleTestCase, (imp, req) order.
  it.each([
    ['1.23', '1.23', true], // same
    ['1.24', '1.23', true], // newer minor implemented
    ['1.22', '1.23', false], // older minor implemented
    ['2.23', '1.23', false], // major difference
    ['1.23', '2.23', false], // major difference the other way
    ['1.23', '1.23.1', false], // newer rev requested
    ['1.23.1', '1.23.2', false], // newer rev, both with rev
    ['1.23.2', '1.23.1', true], // older rev, both with rev
    ['1.24', '1.23.1', true], // older minor wins over rev
    ['1.23.0', '1.23', true], // missing rev is zero
  ] as const)('imp %s, req %s → %s', (imp, req, expected) => {
    expect(isVersionCompatible(imp, req)).toBe(expected);
  });

  it('rejects "1.3.1" at an endpoint implementing "1.3" (wire doc §5)', () => {
    expect(isVersionCompatible('1.3', '1.3.1')).toBe(false);
    expect(isVersionCompatible('1.3.1', '1.3')).toBe(true);
  });

  it('a 2.0 request is not served by a 1.3 endpoint (fixture S07)', () => {
    expect(isVersionCompatible('1.3', '2.0')).toBe(false);
  });

  it('null implemented version accepts everything, null request is refused', () => {
    expect(isVersionCompatible(null, '7.5')).toBe(true);
    expect(isVersionCompatible(null, null)).toBe(true);
    expect(isVersionCompatible('1.0', null)).toBe(false);
  });

  it('returns false instead of throwing where Python raises', () => {
    expect(isVersionCompatible('1.3', '1')).toBe(false); // IndexError in Python
    expect(isVersionCompatible('1.3', 'one.two')).toBe(false); // ValueError
    expect(isVersionCompatible('', '1.0')).toBe(false);
  });

  it('follows Python int() and its short-circuit for odd strings', () => {
    // Results checked against oslo.messaging 14.0.3 on this machine.
    expect(isVersionCompatible('1.3', '1.2.x')).toBe(true); // rev never parsed: minors differ
    expect(isVersionCompatible('1.3', ' 1.3 ')).toBe(true); // int() strips whitespace
    expect(isVersionCompatible('2', '1.3')).toBe(false); // majors differ before minor is read
    expect(isVersionCompatible('1.3', '1.3.0.9')).toBe(true); // fourth part ignored
    expect(isVersionCompatible('1.3', '+1.3')).toBe(true);
    expect(isVersionCompatible('1.2', '-1.0')).toBe(false);
  });
});

describe('parseVersion', () => {
  it('parses major.minor and major.minor.rev', () => {
    expect(parseVersion('1.3')).toEqual({ major: 1, minor: 3, rev: 0 });
    expect(parseVersion('5.12.4')).toEqual({ major: 5, minor: 12, rev: 4 });
  });

  it.each(['1', '1.', '.1', '1.2.3.4', 'v1.2', '1.x', '', ' 1.2', '1.-2'])('rejects %j', (s) => {
    expect(parseVersion(s)).toBeNull();
  });

  it('rejects null and undefined', () => {
    expect(parseVersion(null)).toBeNull();
    expect(parseVersion(undefined)).toBeNull();
  });
});

describe('compareVersions', () => {
  it('orders numerically, not lexically', () => {
    const sorted = ['1.10', '1.9', '2.0', '1.9.1', '1.0'].sort(compareVersions);
    expect(sorted).toEqual(['1.0', '1.9', '1.9.1', '1.10', '2.0']);
  });

  it('treats a missing rev as zero', () => {
    expect(compareVersions('1.3', '1.3.0')).toBe(0);
    expect(compareVersions('1.3.1', '1.3')).toBeGreaterThan(0);
  });

  it('sorts null and invalid versions first, deterministically', () => {
    const sorted = ['1.1', 'junk', null, '1.0', 'abc'].sort(compareVersions);
    expect(sorted).toEqual([null, 'abc', 'junk', '1.0', '1.1']);
  });
});
