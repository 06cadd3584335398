import { describe, expect, it } from 'vitest';
import { nestedMessage, simpleMessage } from '../../../../test/support/imap-messages';
import { ResponseBuilder } from './imap-response';
import { computeImapStructure } from './imap-structure';
import { imapFetchText, writeBodyStructure, writeEnvelope } from './imap-structure-response';

/** What FETCH sent before the texts were stored: written from the structure into the response line. */
function written(raw: Buffer): Buffer {
  const s = computeImapStructure(raw);
  const out = new ResponseBuilder().raw('* 1 FETCH (ENVELOPE ');
  writeEnvelope(out, s.envelope);
  out.raw(' BODYSTRUCTURE ');
  writeBodyStructure(out, s.body, true);
  return out.raw(')').line();
}

/** What FETCH sends now: the stored texts as they are. */
function fromText(raw: Buffer): Buffer {
  const text = imapFetchText(computeImapStructure(raw))!;
  return new ResponseBuilder().raw(`* 1 FETCH (ENVELOPE ${text.envelope} BODYSTRUCTURE ${text.bodyStructure})`).line();
}

describe('imapFetchText', () => {
  it('gives the very octets FETCH writes from the structure, literals of 8-bit headers included', () => {
    const utf8Header = Buffer.from('From: Jörg <j@example.test>\r\nSubject: Grüße "quoted" \\ back\r\nTo: "Doe, John" <john@example.test>\r\n\r\nbody\r\n');
    const latin1Header = Buffer.concat([Buffer.from('Subject: caf'), Buffer.from([0xe9]), Buffer.from('\r\n\r\nbody\r\n')]);
    for (const raw of [nestedMessage, simpleMessage('plain'), utf8Header, latin1Header]) {
      expect(fromText(raw).toString('latin1')).toBe(written(raw).toString('latin1'));
    }
    expect(imapFetchText(computeImapStructure(utf8Header))!.envelope).toMatch(/\{\d+\}\r\nGrüße "quoted" \\ back/);
  });

  it('is null when a text would hold a NUL, which PostgreSQL text cannot store', () => {
    expect(imapFetchText(computeImapStructure(Buffer.from('Subject: a\0b\r\n\r\nbody\r\n')))).toBeNull();
  });
});
