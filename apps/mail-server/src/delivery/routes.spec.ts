import { describe, expect, it } from 'vitest';
import { lookupRoutes, MxResolver } from './routes';

const resolver = (answer: { exchange: string; priority: number }[] | string): MxResolver => ({
  resolveMx: async () => {
    if (typeof answer === 'string') throw Object.assign(new Error(answer), { code: answer });
    return answer;
  },
});

describe('lookupRoutes', () => {
  it('uses the transport map first: the domain, else *', async () => {
    const map = { 'chosen.example': { host: '127.0.0.1', port: 2526 }, '*': { host: 'smarthost.isp.example', port: 587 } };
    expect(await lookupRoutes('chosen.example', map, resolver('ESERVFAIL'))).toEqual({ kind: 'routes', routes: [{ host: '127.0.0.1', port: 2526, name: '127.0.0.1' }] });
    expect(await lookupRoutes('other.example', map, resolver('ESERVFAIL'))).toEqual({
      kind: 'routes',
      routes: [{ host: 'smarthost.isp.example', port: 587, name: 'smarthost.isp.example' }],
    });
  });

  it('orders MX hosts by preference and strips the trailing dot', async () => {
    const r = await lookupRoutes('x.example', {}, resolver([{ exchange: 'b.mx.example.', priority: 20 }, { exchange: 'a.mx.example', priority: 10 }]));
    expect(r).toEqual({ kind: 'routes', routes: [{ host: 'a.mx.example', port: 25, name: 'a.mx.example' }, { host: 'b.mx.example', port: 25, name: 'b.mx.example' }] });
  });

  it('falls back to the domain itself when it has no MX (RFC 5321 5.1)', async () => {
    expect(await lookupRoutes('x.example', {}, resolver('ENODATA'))).toEqual({ kind: 'routes', routes: [{ host: 'x.example', port: 25, name: 'x.example' }] });
    expect(await lookupRoutes('x.example', {}, resolver([]))).toEqual({ kind: 'routes', routes: [{ host: 'x.example', port: 25, name: 'x.example' }] });
  });

  it('fails for a null MX and for a domain that does not exist; defers when DNS does not answer', async () => {
    expect(await lookupRoutes('x.example', {}, resolver([{ exchange: '', priority: 0 }]))).toMatchObject({ kind: 'fail', status: '5.1.10' });
    expect(await lookupRoutes('x.example', {}, resolver('ENOTFOUND'))).toMatchObject({ kind: 'fail', status: '5.1.2' });
    expect(await lookupRoutes('x.example', {}, resolver('ETIMEOUT'))).toMatchObject({ kind: 'defer', status: '4.4.3' });
    expect(await lookupRoutes('localhost', {}, resolver([]))).toMatchObject({ kind: 'fail', status: '5.1.2' });
  });
});
