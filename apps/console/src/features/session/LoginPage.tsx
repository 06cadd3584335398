import { useState } from 'react';
import { api, call } from '../../api/client';
import { session } from '../../api/session';
import { Button } from '../../ui/Button';
import { Form } from '../../ui/Form';
import { FormError, TextField } from '../../ui/fields';
import { useSubmit } from '../../ui/hooks';

/**
 * Sign-in with an API key. The key is checked against the API before it is
 * kept (sessionStorage, this tab only); it never appears in a URL.
 */
export function LoginPage() {
  const [key, setKey] = useState('');
  const expired = session.expiredReason();
  const submit = useSubmit(async () => {
    const candidate = key.trim();
    // Checked with GET /v1/stats: any valid key may call it, whatever its scopes.
    await call(api.GET('/v1/stats', { headers: { Authorization: `Bearer ${candidate}` } }));
    session.signIn(candidate);
  });
  const keyError =
    submit.error && (submit.error.status === 401 || submit.error.status === 403)
      ? submit.error.status === 401
        ? `${submit.error.message}. Check that you copied the whole key.`
        : 'This key may not read anything; use a key with at least one read scope.'
      : undefined;
  return (
    <div className="login">
      <main className="login-card" id="content">
        <p className="brand brand-large" aria-hidden="true">
          <span className="brand-mark" />
          Postbode
        </p>
        <h1>Sign in to the console</h1>
        <p className="muted">Use an API key (it starts with <code>pb_</code>, or is your <code>ADMIN_API_KEY</code>). It is kept only until you close this tab.</p>
        {expired && (
          <div className="notice notice-warn" role="alert">
            {expired}
          </div>
        )}
        <Form onSubmit={() => void submit.run()} error={submit.error} aria-label="Sign in">
          <TextField
            label="API key"
            name="apiKey"
            type="password"
            autoComplete="off"
            spellCheck={false}
            required
            autoFocus
            value={key}
            onChange={(e) => setKey(e.target.value)}
            error={keyError}
          />
          <FormError message={submit.error && !keyError ? submit.error.message : null} />
          <Button type="submit" variant="primary" busy={submit.busy} disabled={!key.trim()}>
            Sign in
          </Button>
        </Form>
      </main>
    </div>
  );
}
