import type { MessageContent } from './imap-backend';
import { sectionBytes } from './imap-body-section';
import { formatInternalDate } from './imap-dates';
import type { FetchItem } from './imap-fetch-items';
import { flagList } from './imap-flags';
import { ResponseBuilder } from '../../../../libs/core/src/mime/imap-response';
import type { ViewMessage } from './imap-selected-folder';
import { writeBodyStructure, writeEnvelope } from '../../../../libs/core/src/mime/imap-structure-response';

/**
 * One "* n FETCH (...)" response, items in the order asked. `content` holds
 * what the backend loaded (nothing for FLAGS/UID/INTERNALDATE/RFC822.SIZE,
 * which come from the session's view). `addFlags` appends FLAGS when the
 * fetch itself set \Seen and the client did not ask for FLAGS.
 */
export function fetchResponse(seq: number, m: ViewMessage, items: readonly FetchItem[], content: MessageContent | null, addFlags: boolean): Buffer[] {
  const out = new ResponseBuilder().raw(`* ${seq} FETCH (`);
  let first = true;
  const sep = () => {
    if (!first) out.raw(' ');
    first = false;
  };
  for (const item of items) {
    sep();
    switch (item.type) {
      case 'UID':
        out.raw(`UID ${m.uid}`);
        break;
      case 'FLAGS':
        out.raw(`FLAGS (${flagList(m.flags, m.recent)})`);
        break;
      case 'INTERNALDATE':
        out.raw(`INTERNALDATE "${formatInternalDate(m.internalDate)}"`);
        break;
      case 'RFC822.SIZE':
        out.raw(`RFC822.SIZE ${m.size}`);
        break;
      case 'ENVELOPE':
        out.raw('ENVELOPE ');
        if (content?.fetchText) out.raw(content.fetchText.envelope);
        else if (content?.structure) writeEnvelope(out, content.structure.envelope);
        else out.raw('(NIL NIL NIL NIL NIL NIL NIL NIL NIL NIL)');
        break;
      case 'BODYSTRUCTURE':
      case 'BODY':
        out.raw(`${item.type} `);
        if (item.type === 'BODYSTRUCTURE' && content?.fetchText) out.raw(content.fetchText.bodyStructure);
        else if (content?.structure) writeBodyStructure(out, content.structure.body, item.type === 'BODYSTRUCTURE');
        else out.raw('("TEXT" "PLAIN" NIL NIL NIL "7BIT" 0 0)');
        break;
      case 'section': {
        out.raw(`${item.label} `);
        const bytes = content ? sectionBytes(item.section, content) : null;
        if (bytes === null) {
          out.raw('NIL');
          break;
        }
        const slice = item.partial ? bytes.subarray(Math.min(item.partial.start, bytes.length), Math.min(item.partial.start + item.partial.length, bytes.length)) : bytes;
        out.literal(slice);
        break;
      }
    }
  }
  if (addFlags && !items.some((i) => i.type === 'FLAGS')) {
    sep();
    out.raw(`FLAGS (${flagList(m.flags, m.recent)})`);
  }
  out.raw(')');
  return out.chunks();
}
