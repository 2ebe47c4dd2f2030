import { describe, expect, it } from 'vitest';
import { ConfigError, formatConfigIssue } from './config-error.js';

describe('ConfigError', () => {
  it('prints one line per issue as file:line:column path: message', () => {
    const error = new ConfigError('config_invalid', [
      {
        file: 'switchyard.yaml',
        line: 12,
        column: 7,
        path: 'servers.everything.args',
        message: 'expected array of strings, received number',
      },
      {
        file: 'switchyard.yaml',
        line: 1,
        column: 1,
        path: '',
        message: 'YAML syntax error: bad indentation',
      },
    ]);
    expect(error.format()).toBe(
      [
        'switchyard.yaml:12:7 servers.everything.args: expected array of strings, received number',
        'switchyard.yaml:1:1 YAML syntax error: bad indentation',
      ].join('\n'),
    );
    expect(error.message).toBe(error.format());
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('ConfigError');
    expect(error.code).toBe('config_invalid');
  });

  it('leaves out the parts an issue lacks', () => {
    expect(formatConfigIssue({ path: 'proxy.port', message: 'm' })).toBe('proxy.port: m');
    expect(formatConfigIssue({ file: 'a.json', path: '', message: 'file not found' })).toBe(
      'a.json file not found',
    );
    expect(formatConfigIssue({ line: 3, column: 4, path: 'x', message: 'm' })).toBe('3:4 x: m');
  });

  it('keeps the cause', () => {
    const cause = new Error('EACCES');
    expect(new ConfigError('config_unreadable', [], { cause }).cause).toBe(cause);
  });
});
