import { headerFields } from '../../../../libs/core/src/mime/header-fields';
import type { ImapBodyPart, ImapStructure } from '../../../../libs/core/src/mime/imap-structure';
import type { MessageContent } from './imap-backend';
import type { BodySection } from './imap-fetch-items';

/**
 * The octets of a body section (RFC 3501 6.4.5), sliced from the raw message
 * with the offsets stored in its ImapStructure. Null when the section does
 * not exist in this message (answered as NIL, as other servers do).
 */
export function sectionBytes(section: BodySection, content: MessageContent): Buffer | null {
  const { path, spec } = section;
  if (path.length === 0) {
    if (spec === 'HEADER' || spec === 'HEADER.FIELDS' || spec === 'HEADER.FIELDS.NOT') {
      const header = content.header ?? (content.raw && content.structure ? content.raw.subarray(0, content.structure.body.bodyStart) : content.raw ? headerOf(content.raw) : null);
      return header ? filterHeader(header, section) : null;
    }
    if (!content.raw) return null;
    if (spec === 'TEXT') return content.raw.subarray(content.structure ? content.structure.body.bodyStart : headerOf(content.raw).length);
    return content.raw;
  }
  if (!content.raw || !content.structure) return null;
  const part = findPart(content.structure, path);
  if (!part) return null;
  const raw = content.raw;
  switch (spec) {
    case '':
      return raw.subarray(part.bodyStart, part.bodyEnd);
    case 'MIME':
      return raw.subarray(part.headerStart, part.bodyStart);
    case 'TEXT':
      return part.message ? raw.subarray(part.message.body.bodyStart, part.message.body.bodyEnd) : null;
    default:
      return part.message ? filterHeader(raw.subarray(part.message.body.headerStart, part.message.body.bodyStart), section) : null;
  }
}

/**
 * Part numbers → part. The message's own children are its parts when it is
 * multipart, otherwise the message body is part 1; the same holds inside a
 * message/rfc822 part.
 */
export function findPart(structure: ImapStructure, path: readonly number[]): ImapBodyPart | null {
  let children: ImapBodyPart[] | null = childrenOfMessage(structure.body);
  let node: ImapBodyPart | null = null;
  for (let i = 0; i < path.length; i++) {
    node = children?.[path[i] - 1] ?? null;
    if (!node) return null;
    if (i < path.length - 1) {
      children = node.parts ?? (node.message ? childrenOfMessage(node.message.body) : null);
      if (!children) return null;
    }
  }
  return node;
}

function childrenOfMessage(body: ImapBodyPart): ImapBodyPart[] {
  return body.parts ?? [body];
}

/** The header section when no structure is at hand: up to and including the first empty line. */
function headerOf(raw: Buffer): Buffer {
  if (raw.length >= 2 && raw[0] === 0x0d && raw[1] === 0x0a) return raw.subarray(0, 2);
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf === -1 && lf === -1) return raw;
  if (crlf !== -1 && (lf === -1 || crlf < lf)) return raw.subarray(0, crlf + 4);
  return raw.subarray(0, lf + 2);
}

/** HEADER, HEADER.FIELDS, HEADER.FIELDS.NOT of a header block (fields kept byte for byte, folding included). */
function filterHeader(header: Buffer, section: BodySection): Buffer {
  if (section.spec === 'HEADER') return header;
  const wanted = new Set(section.fields.map((f) => f.toLowerCase()));
  const keep = section.spec === 'HEADER.FIELDS';
  const out: Buffer[] = [];
  for (const field of headerFields(header)) {
    if (wanted.has(field.name) === keep) out.push(field.bytes);
  }
  out.push(Buffer.from('\r\n'));
  return Buffer.concat(out);
}
