import { expectCount } from '../imap-args';
import { defineCommand, no } from '../imap-command';
import { ImapSyntaxError } from '../imap-errors';
import { atom } from '../imap-tokenizer';
import { login, PRIVACY_REQUIRED } from './login-flow';

/** AUTHENTICATE PLAIN (RFC 4616), with the initial response on the command line (SASL-IR, RFC 4959) or after "+ ". */
export const authenticateCommand = defineCommand({
  states: ['not-authenticated'],
  parse: (args) => {
    expectCount(args, 1, 2);
    const mechanism = atom(args[0]);
    const initial = args[1] === undefined ? null : atom(args[1]);
    if (!mechanism || (args[1] !== undefined && initial === null)) throw new ImapSyntaxError('AUTHENTICATE needs a mechanism name');
    return { mechanism: mechanism.toUpperCase(), initial };
  },
  handle: async (s, { mechanism, initial }) => {
    if (mechanism !== 'PLAIN') return no('unsupported authentication mechanism', 'CANNOT');
    if (!s.mayLogin) return PRIVACY_REQUIRED;
    let response = initial;
    if (response === null) {
      s.send('+ ');
      response = await s.readContinuation();
      if (response === null) return no('connection closed');
    }
    if (response.trim() === '*') return { status: 'BAD', text: 'authentication cancelled' };
    const b64 = response.trim() === '=' ? '' : response.trim();
    const decoded = /^[A-Za-z0-9+/]*={0,2}$/.test(b64) ? Buffer.from(b64, 'base64').toString('utf8') : null;
    const parts = decoded?.split('\u0000');
    if (!parts || parts.length !== 3) return { status: 'BAD', text: 'malformed PLAIN response' };
    const [authzid, authcid, password] = parts;
    if (authzid && authzid.toLowerCase() !== authcid.toLowerCase()) return no('cannot act as another user', 'AUTHORIZATIONFAILED');
    return login(s, authcid, password);
  },
});
