import { ResponseBuilder } from './imap-response';
import type { ImapAddress, ImapBodyPart, ImapEnvelope, ImapParams, ImapStructure } from './imap-structure';

/**
 * The ENVELOPE and BODYSTRUCTURE of a message as FETCH sends them, made
 * once at delivery and stored beside the structure (messages.imap_envelope,
 * messages.imap_body_structure), so FETCH 1:* (ENVELOPE BODYSTRUCTURE)
 * copies text instead of parsing jsonb and writing it out again per message.
 * A change to what these functions write (or to the structure) needs a
 * migration that sets those columns to NULL: they are then made again on
 * the next FETCH of each message.
 */
export interface ImapFetchText {
  /** `(date subject from ...)`, literals included where a string needs one. */
  envelope: string;
  /** `(...)` with extension data, as BODYSTRUCTURE. */
  bodyStructure: string;
}

/** Null when a text would hold a NUL, which PostgreSQL text cannot store (FETCH then writes it from the structure). */
export function imapFetchText(structure: ImapStructure): ImapFetchText | null {
  const envelope = new ResponseBuilder();
  writeEnvelope(envelope, structure.envelope);
  const bodyStructure = new ResponseBuilder();
  writeBodyStructure(bodyStructure, structure.body, true);
  const text = { envelope: envelope.text(), bodyStructure: bodyStructure.text() };
  return text.envelope.includes('\0') || text.bodyStructure.includes('\0') ? null : text;
}

/** ENVELOPE (RFC 3501 7.4.2): date subject from sender reply-to to cc bcc in-reply-to message-id. */
export function writeEnvelope(out: ResponseBuilder, env: ImapEnvelope): void {
  out.raw('(').nstring(env.date).raw(' ').nstring(env.subject);
  for (const list of [env.from, env.sender, env.replyTo, env.to, env.cc, env.bcc]) {
    out.raw(' ');
    writeAddresses(out, list);
  }
  out.raw(' ').nstring(env.inReplyTo).raw(' ').nstring(env.messageId).raw(')');
}

function writeAddresses(out: ResponseBuilder, list: ImapAddress[] | null): void {
  if (!list || list.length === 0) {
    out.raw('NIL');
    return;
  }
  out.raw('(');
  for (const a of list) {
    // (name adl mailbox host); the source route (adl) is obsolete and always NIL
    out.raw('(').nstring(a.name).raw(' NIL ').nstring(a.mailbox).raw(' ').nstring(a.host).raw(')');
  }
  out.raw(')');
}

/**
 * BODYSTRUCTURE (with extension data) or BODY (`extensible` false, RFC 3501
 * 7.4.2): a multipart is its children then the subtype; a leaf is type,
 * subtype, parameters, id, description, encoding, size, and lines for text,
 * envelope + body + lines for message/rfc822.
 */
export function writeBodyStructure(out: ResponseBuilder, part: ImapBodyPart, extensible: boolean): void {
  out.raw('(');
  if (part.parts) {
    for (const child of part.parts) writeBodyStructure(out, child, extensible);
    out.raw(' ').string(part.subtype.toUpperCase());
    if (extensible) {
      out.raw(' ');
      writeParams(out, part.params);
      writeExtension(out, part);
    }
    out.raw(')');
    return;
  }
  out.string(part.type.toUpperCase()).raw(' ').string(part.subtype.toUpperCase()).raw(' ');
  writeParams(out, part.params);
  out.raw(' ').nstring(part.id).raw(' ').nstring(part.description).raw(' ').string(part.encoding);
  out.raw(` ${part.bodyEnd - part.bodyStart}`);
  if (part.message) {
    out.raw(' ');
    writeEnvelope(out, part.message.envelope);
    out.raw(' ');
    writeBodyStructure(out, part.message.body, extensible);
    out.raw(` ${part.lines}`);
  } else if (part.type === 'text') {
    out.raw(` ${part.lines}`);
  }
  if (extensible) {
    out.raw(' ').nstring(part.md5);
    writeExtension(out, part);
  }
  out.raw(')');
}

/** disposition language location */
function writeExtension(out: ResponseBuilder, part: ImapBodyPart): void {
  out.raw(' ');
  if (part.disposition) {
    out.raw('(').string(part.disposition.type.toUpperCase()).raw(' ');
    writeParams(out, part.disposition.params);
    out.raw(')');
  } else {
    out.raw('NIL');
  }
  out.raw(' ');
  if (!part.language) out.raw('NIL');
  else if (part.language.length === 1) out.string(part.language[0]);
  else {
    out.raw('(');
    part.language.forEach((l, i) => (i ? out.raw(' ') : out).string(l));
    out.raw(')');
  }
  out.raw(' ').nstring(part.location);
}

function writeParams(out: ResponseBuilder, params: ImapParams): void {
  if (!params.length) {
    out.raw('NIL');
    return;
  }
  out.raw('(');
  params.forEach(([k, v], i) => {
    if (i) out.raw(' ');
    out.string(k.toUpperCase()).raw(' ').string(v);
  });
  out.raw(')');
}
