import { describe, expect, it } from 'vitest';
import { checkRuntimeUrl, classifyHost } from './url-policy.js';

const host = (url: string) => classifyHost(new URL(url).hostname);

describe('classifyHost', () => {
  it.each([
    ['http://127.0.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://[::1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://localhost/', 'loopback'],
    ['http://api.localhost./', 'loopback'],
    ['http://169.254.169.254/', 'metadata'],
    ['http://2852039166/', 'metadata'],
    ['http://0xa9.0xfe.0xa9.0xfe/', 'metadata'],
    ['http://[::ffff:169.254.169.254]/', 'metadata'],
    ['http://[fd00:ec2::254]/', 'metadata'],
    ['http://metadata.google.internal/', 'metadata'],
    ['http://METADATA.google.internal./', 'metadata'],
    ['http://169.254.1.1/', 'link-local'],
    ['http://[fe80::1]/', 'link-local'],
    ['http://10.1.2.3/', 'private'],
    ['http://012.1.2.3/', 'private'],
    ['http://172.16.0.1/', 'private'],
    ['http://192.168.1.1/', 'private'],
    ['http://[::ffff:192.168.1.1]/', 'private'],
    ['http://0.0.0.0/', 'private'],
    ['http://0/', 'private'],
    ['http://[fd12::1]/', 'private'],
    ['http://8.8.8.8/', 'public'],
    ['http://[2001:db8::1]/', 'public'],
    ['http://example.com/', 'public'],
  ])('%s is %s', (url, expected) => {
    expect(host(url)).toBe(expected);
  });
});

describe('checkRuntimeUrl', () => {
  it('accepts a URL on the configured origin, relative or absolute', () => {
    expect(checkRuntimeUrl('/messages?session=1', 'http://127.0.0.1:3000/sse')).toBeUndefined();
    expect(
      checkRuntimeUrl('https://mcp.example.com/x', 'https://mcp.example.com/mcp'),
    ).toBeUndefined();
  });

  it('refuses another origin, even on the same host', () => {
    expect(checkRuntimeUrl('http://127.0.0.1:3001/', 'http://127.0.0.1:3000/sse')?.reason).toBe(
      'cross-origin',
    );
    expect(checkRuntimeUrl('http://mcp.example.com/', 'https://mcp.example.com/')?.reason).toBe(
      'cross-origin',
    );
  });

  it('refuses metadata and link-local addresses whatever the configured backend is', () => {
    for (const configured of [
      'http://169.254.169.254/',
      'http://10.0.0.1/',
      'https://example.com/',
    ]) {
      for (const url of [
        'http://169.254.169.254/latest/meta-data/',
        'http://0xa9fea9fe/',
        'http://[::ffff:a9fe:a9fe]/',
        'http://[fd00:ec2::254]/',
        'http://metadata.google.internal/computeMetadata/v1/',
      ]) {
        expect(checkRuntimeUrl(url, configured)).toMatchObject({
          reason: 'address',
          addressClass: 'metadata',
        });
      }
    }
  });

  it('refuses loopback and private spellings from a public backend', () => {
    for (const url of [
      'http://localhost/',
      'http://2130706433/',
      'http://0x7f.0.0.1/',
      'http://[::ffff:127.0.0.1]/',
      'http://[::1]/',
      'http://10.0.0.5/',
      'http://[::ffff:10.0.0.5]/',
    ]) {
      expect(checkRuntimeUrl(url, 'https://mcp.example.com/')?.reason).toBe('address');
    }
  });

  it('refuses schemes other than HTTP and WebSocket, and what is not a URL', () => {
    expect(checkRuntimeUrl('file:///etc/passwd', 'http://127.0.0.1/')?.reason).toBe('scheme');
    expect(checkRuntimeUrl('http://[::1', 'http://127.0.0.1/')?.reason).toBe('invalid');
  });
});
