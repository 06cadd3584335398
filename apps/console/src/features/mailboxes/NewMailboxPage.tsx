import { useState } from 'react';
import { api, call } from '../../api/client';
import { navigate, useLocation, withQuery } from '../../app/router';
import { ByteSizeField } from '../../ui/ByteSizeField';
import { Button } from '../../ui/Button';
import { PageHeader } from '../../ui/feedback';
import { FormError, TextField } from '../../ui/fields';
import { formatBytes } from '../../ui/format';
import { Form } from '../../ui/Form';
import { useLoad, useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { PasswordInput } from '../../ui/PasswordInput';
import { DomainPicker } from './DomainPicker';

const FIELDS = ['domainId', 'localPart', 'displayName', 'password', 'quotaBytes'];

/** A new mailbox: address, a typed or generated password (shown so staff can hand it over), quota (default: the domain's). */
export function NewMailboxPage() {
  const { query } = useLocation();
  const [domainId, setDomainId] = useState(query.get('domainId') ?? '');
  const [localPart, setLocalPart] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [quotaBytes, setQuotaBytes] = useState<number | null>(null);
  const domain = useLoad(() => (domainId ? call(api.GET('/v1/domains/{id}', { params: { path: { id: domainId } } })) : Promise.resolve(null)), domainId);
  const notify = useNotify();
  const submit = useSubmit(async () => {
    const created = await call(
      api.POST('/v1/mailboxes', {
        body: { domainId, localPart: localPart.trim(), password, displayName: displayName.trim() || undefined, quotaBytes: quotaBytes ?? undefined },
      }),
    );
    notify(`Mailbox ${created.address} created.`);
    navigate(`/mailboxes/${created.id}`, { replace: true });
  });
  return (
    <>
      <PageHeader title="New mailbox" />
      <section className="panel narrow">
        <Form onSubmit={() => void submit.run()} error={submit.error} aria-label="New mailbox">
          <FormError message={submit.formError(FIELDS)} />
          <DomainPicker value={domainId} onChange={setDomainId} error={submit.fieldError('domainId')} />
          <TextField
            label="Address (before the @)"
            name="localPart"
            required
            spellCheck={false}
            autoCapitalize="none"
            value={localPart}
            onChange={(e) => setLocalPart(e.target.value)}
            error={submit.fieldError('localPart')}
            hint={domain.data ? `${localPart || 'name'}@${domain.data.unicodeName}` : undefined}
          />
          <TextField label="Display name" name="displayName" value={displayName} onChange={(e) => setDisplayName(e.target.value)} error={submit.fieldError('displayName')} />
          <PasswordInput label="Password" value={password} onChange={setPassword} error={submit.fieldError('password')} hint="Type one, or generate one and hand it to the user." />
          <ByteSizeField
            label="Quota"
            name="quotaBytes"
            bytes={quotaBytes}
            allowEmpty
            onChange={setQuotaBytes}
            error={submit.fieldError('quotaBytes')}
            emptyMeans={domain.data ? `the domain's default, ${formatBytes(domain.data.defaultQuotaBytes)}` : "the domain's default"}
          />
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={submit.busy}>
              Create mailbox
            </Button>
            <Button onClick={() => navigate(withQuery('/mailboxes', { domainId }))}>Cancel</Button>
          </div>
        </Form>
      </section>
    </>
  );
}
