import { useState } from 'react';
import { api, call } from '../../api/client';
import { useCaller } from '../../app/caller';
import { navigate, useLocation } from '../../app/router';
import { Button } from '../../ui/Button';
import { PageHeader } from '../../ui/feedback';
import { FormError, TextField } from '../../ui/fields';
import { Form } from '../../ui/Form';
import { useSubmit } from '../../ui/hooks';
import { useNotify } from '../../ui/notices';
import { CustomerPicker } from '../customers/CustomerPicker';
import { type DomainLimits, DomainLimitsFields } from './DomainLimitsForm';

const FIELDS = ['customerId', 'name', 'maxMailboxes', 'storageBytes', 'defaultQuotaBytes'];

/** A new domain for a customer; the API makes its DKIM key, the next page shows the DNS records. */
export function NewDomainPage() {
  const { query } = useLocation();
  const caller = useCaller();
  const [customerId, setCustomerId] = useState(caller.customerId ?? query.get('customerId') ?? '');
  const [name, setName] = useState('');
  const [limits, setLimits] = useState<DomainLimits>({ maxMailboxes: null, storageBytes: null });
  const notify = useNotify();
  const submit = useSubmit(async () => {
    const body = { customerId, name: name.trim(), ...(caller.customerId ? {} : limits) };
    if (body.defaultQuotaBytes === undefined) delete body.defaultQuotaBytes;
    const created = await call(api.POST('/v1/domains', { body }));
    notify(`Domain ${created.unicodeName} created.`);
    navigate(`/domains/${created.id}`, { replace: true });
  });
  return (
    <>
      <PageHeader title="New domain" />
      <section className="panel narrow">
        <Form onSubmit={() => void submit.run()} error={submit.error} aria-label="New domain">
          <FormError message={submit.formError(FIELDS)} />
          {!caller.customerId && <CustomerPicker label="Customer" value={customerId} onChange={setCustomerId} error={submit.fieldError('customerId')} />}
          <TextField label="Domain name" name="name" required spellCheck={false} autoCapitalize="none" placeholder="bakkerij.example" value={name} onChange={(e) => setName(e.target.value)} error={submit.fieldError('name')} />
          {!caller.customerId && <DomainLimitsFields value={limits} onChange={setLimits} fieldError={submit.fieldError} />}
          <div className="form-actions">
            <Button type="submit" variant="primary" busy={submit.busy}>
              Create domain
            </Button>
            <Button onClick={() => navigate('/domains')}>Cancel</Button>
          </div>
        </Form>
      </section>
    </>
  );
}
