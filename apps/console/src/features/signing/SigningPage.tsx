import { useState } from 'react';
import { api, call, type Schemas } from '../../api/client';
import { Button } from '../../ui/Button';
import { downloadText } from '../../ui/download';
import { DetailList, Loading, PageHeader } from '../../ui/feedback';
import { CheckboxField, FormError, TextField } from '../../ui/fields';
import { Form } from '../../ui/Form';
import { formatDateTime } from '../../ui/format';
import { useLoad, useSubmit } from '../../ui/hooks';
import { MarkdownView } from '../../ui/MarkdownView';
import { linkProblem } from './link-problems';

type SignedAgreementDto = Schemas['SignedAgreementDto'];
const FIELDS = ['fullName', 'email', 'accept'];

/**
 * Where a customer signs the no-spam agreement: the terms (rendered from the
 * Markdown whose SHA-256 is sent back, so what was shown is what is signed),
 * a typed full name and e-mail, an explicit checkbox; then a confirmation with
 * the receipt to download. Made for a phone first.
 */
export function SigningPage({ token }: { token: string }) {
  const page = useLoad(() => call(api.GET('/v1/signing/{token}', { params: { path: { token } } })), token);
  const [signed, setSigned] = useState<SignedAgreementDto | null>(null);
  if (page.error) {
    const problem = linkProblem(page.error);
    return (
      <main className="sign-page" id="content">
        <Brand />
        <PageHeader title={problem.title} />
        <div className="notice notice-warn" role="alert">
          <p>{problem.text}</p>
        </div>
      </main>
    );
  }
  if (!page.data) return <Loading label="Loading the agreement…" />;
  const p = page.data;
  return (
    <main className="sign-page" id="content">
      <Brand />
      {signed ? (
        <Confirmation token={token} signed={signed} title={p.version.title} />
      ) : (
        <>
          <PageHeader title={p.version.title} subtitle={<>For {p.customerName} · version {p.version.number} · this link works until {formatDateTime(p.expiresAt)}</>} />
          <p>
            Please read the agreement below. Signing it lets the mailboxes of <strong>{p.customerName}</strong> send mail to the rest of the internet.
          </p>
          <section className="sign-terms" aria-label="Agreement text" tabIndex={0}>
            <MarkdownView source={p.version.text} />
          </section>
          <SignForm token={token} sha256={p.version.sha256} customerName={p.customerName} onSigned={setSigned} />
        </>
      )}
    </main>
  );
}

function Brand() {
  return (
    <p className="brand brand-large" aria-hidden="true">
      <span className="brand-mark" />
      Postbode
    </p>
  );
}

function SignForm({ token, sha256, customerName, onSigned }: { token: string; sha256: string; customerName: string; onSigned: (s: SignedAgreementDto) => void }) {
  const [fullName, setFullName] = useState('');
  const [email, setEmail] = useState('');
  const [accept, setAccept] = useState(false);
  const submit = useSubmit(async () => {
    onSigned(await call(api.POST('/v1/signing/{token}', { params: { path: { token } }, body: { fullName: fullName.trim(), email: email.trim(), accept, versionSha256: sha256 } })));
  });
  return (
    <section className="panel" aria-labelledby="sign-title">
      <h2 id="sign-title">Sign</h2>
      <Form onSubmit={() => void submit.run()} error={submit.error} aria-label="Sign the agreement">
        <FormError message={submit.formError(FIELDS)} />
        <TextField label="Your full name" name="fullName" autoComplete="name" required value={fullName} onChange={(e) => setFullName(e.target.value)} error={submit.fieldError('fullName')} />
        <TextField label="Your e-mail address" name="email" type="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} error={submit.fieldError('email')} />
        <CheckboxField
          label={<>I have read this agreement and accept it on behalf of {customerName}.</>}
          name="accept"
          checked={accept}
          onChange={(e) => setAccept(e.target.checked)}
          error={submit.fieldError('accept')}
        />
        <p className="muted small">We record your name, e-mail address, the time, your IP address and browser, and a fingerprint (SHA-256) of the text above as evidence of your signature.</p>
        <div className="form-actions">
          <Button type="submit" variant="primary" busy={submit.busy}>
            Sign the agreement
          </Button>
        </div>
      </Form>
    </section>
  );
}

function Confirmation({ token, signed, title }: { token: string; signed: SignedAgreementDto; title: string }) {
  const a = signed.agreement;
  const receipt = useSubmit(async () => {
    const text = await call(api.GET('/v1/signing/{token}/receipt', { params: { path: { token } }, parseAs: 'text' }));
    downloadText(text as string, `agreement-${a.id}-receipt.md`);
  });
  return (
    <>
      <PageHeader title="Thank you: the agreement is signed" />
      <section className="panel sign-done" role="status">
        <p>
          <strong>{title}</strong> is now active. Your users may send mail to other domains, within the agreed limits.
        </p>
        <DetailList
          items={[
            ['Signed by', `${a.signerName} (${a.signerEmail})`],
            ['Signed at', formatDateTime(a.signedAt, { seconds: true })],
            ['Fingerprint of the text', <code className="break">{a.textSha256}</code>],
            ['Messages per hour', a.limits.messagesPerHour.toLocaleString()],
            ['Recipients per day', a.limits.recipientsPerDay.toLocaleString()],
          ]}
        />
        <FormError message={receipt.error?.message} />
        <div className="form-actions">
          <Button variant="primary" onClick={() => void receipt.run()} busy={receipt.busy}>
            Download the receipt
          </Button>
        </div>
        <p className="muted small">Keep the receipt: it holds the evidence above and the exact text you signed.</p>
      </section>
    </>
  );
}
