import { describe, expect, it } from 'vitest';
import { parseEnvelopeAddress, withoutSubaddress } from './envelope-address';

describe('parseEnvelopeAddress', () => {
  it.each([
    ['User@Hosted.Example.', { kind: 'mailbox', local: 'User', domain: 'hosted.example', address: 'user@hosted.example' }],
    ['<jan@bakkerij.example>', { kind: 'mailbox', local: 'jan', domain: 'bakkerij.example', address: 'jan@bakkerij.example' }],
    ['"jan"@bakkerij.example', { kind: 'mailbox', local: 'jan', address: 'jan@bakkerij.example' }],
    ['"john doe"@remote.example', { kind: 'mailbox', local: 'john doe', address: '"john doe"@remote.example' }],
    ['jan@bücher.example', { kind: 'mailbox', domain: 'xn--bcher-kva.example', address: 'jan@xn--bcher-kva.example' }],
    ['', { kind: 'null' }],
    ['<>', { kind: 'null' }],
    ['user%remote.example@hosted.example', { kind: 'routed', form: 'percent_hack' }],
    ['remote.example!user@hosted.example', { kind: 'routed', form: 'bang_path' }],
    ['"user@remote.example"@hosted.example', { kind: 'routed', form: 'quoted_route' }],
    ['"remote!user"@hosted.example', { kind: 'routed', form: 'quoted_route' }],
    ['@hosted.example:user@remote.example', { kind: 'routed', form: 'source_route' }],
    ['user@remote.example@hosted.example', { kind: 'routed', form: 'extra_at' }],
    ['user@[192.0.2.1]', { kind: 'ip_literal', literal: '[192.0.2.1]' }],
    ['user@hosted.example..', { kind: 'invalid' }],
    ['user@localhost', { kind: 'invalid' }],
    ['user@10.0.0.1', { kind: 'invalid' }],
    ['.user@hosted.example', { kind: 'invalid' }],
    ['us er@hosted.example', { kind: 'invalid' }],
    ['"unterminated@hosted.example', { kind: 'invalid' }],
    [`${'a'.repeat(65)}@hosted.example`, { kind: 'invalid' }],
  ])('%s', (raw, expected) => {
    expect(parseEnvelopeAddress(raw)).toMatchObject(expected);
  });

  it('drops a +tag for ownership checks only', () => {
    expect(withoutSubaddress('jan+news@hosted.example')).toBe('jan@hosted.example');
    expect(withoutSubaddress('jan@hosted.example')).toBe('jan@hosted.example');
  });
});
