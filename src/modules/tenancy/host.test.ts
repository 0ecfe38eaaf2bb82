import { describe, expect, it } from 'vitest';
import { HostError, parseHost } from './host.ts';

describe('parseHost', () => {
  it('strips the port, lower-cases and finds the subdomain', () => {
    expect(parseHost('Demo.LocalHost:8080', 'localhost')).toEqual({ kind: 'subdomain', host: 'demo.localhost', subdomain: 'demo' });
    expect(parseHost('demo.localhost.', 'localhost')).toEqual({ kind: 'subdomain', host: 'demo.localhost', subdomain: 'demo' });
  });

  it('names the platform, custom domains, and hosts no store can have', () => {
    expect(parseHost('localhost:8080', 'localhost')).toEqual({ kind: 'platform', host: 'localhost' });
    expect(parseHost('shop.example.com', 'localhost')).toEqual({ kind: 'custom', host: 'shop.example.com' });
    expect(parseHost('a.b.localhost', 'localhost')).toEqual({ kind: 'none', host: 'a.b.localhost' });
    expect(parseHost('127.0.0.1:8080', 'localhost')).toEqual({ kind: 'none', host: '127.0.0.1' });
    expect(parseHost('[::1]:8080', 'localhost')).toEqual({ kind: 'none', host: '[::1]' });
  });

  it('normalises international names to punycode (IDNA)', () => {
    expect(parseHost('Bücher.Example', 'localhost')).toEqual({ kind: 'custom', host: 'xn--bcher-kva.example' });
    expect(parseHost('café.villagestore.dev', 'villagestore.dev')).toEqual({
      kind: 'subdomain',
      host: 'xn--caf-dma.villagestore.dev',
      subdomain: 'xn--caf-dma',
    });
  });

  it.each([
    [undefined],
    [''],
    ['bad host'],
    ['shop.example.com:port'],
    ['shop.example.com:99999'],
    ['under_score.example.com'],
    ['-dash.example.com'],
    ['a..b'],
    [`${'a'.repeat(64)}.example.com`],
    [`${'abcdefghi.'.repeat(26)}com`],
    ['x'.repeat(5000)],
  ])('refuses %j', (raw) => {
    expect(() => parseHost(raw, 'localhost')).toThrow(HostError);
  });
});
