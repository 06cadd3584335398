import { useState } from 'react';
import type { Schemas } from '../../api/client';
import { Button } from '../../ui/Button';
import { Form } from '../../ui/Form';
import { FormError, TextField } from '../../ui/fields';
import { useSubmit } from '../../ui/hooks';

type CustomerInput = Schemas['CreateCustomerDto'];
const FIELDS = ['name', 'contactEmail', 'externalRef'];

/** Create and edit share one form; the API validates, its messages appear next to the fields. */
export function CustomerForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial?: Partial<CustomerInput>;
  submitLabel: string;
  onSubmit: (input: CustomerInput) => Promise<unknown>;
  onCancel?: () => void;
}) {
  const [name, setName] = useState(initial?.name ?? '');
  const [contactEmail, setContactEmail] = useState(initial?.contactEmail ?? '');
  const [externalRef, setExternalRef] = useState(initial?.externalRef ?? '');
  const submit = useSubmit(() => onSubmit({ name, contactEmail, externalRef: externalRef.trim() || undefined }));
  return (
    <Form onSubmit={() => void submit.run()} error={submit.error} aria-label={submitLabel}>
      <FormError message={submit.formError(FIELDS)} />
      <TextField label="Name" name="name" required autoComplete="organization" value={name} onChange={(e) => setName(e.target.value)} error={submit.fieldError('name')} />
      <TextField
        label="Contact e-mail"
        name="contactEmail"
        type="email"
        required
        autoComplete="email"
        value={contactEmail}
        onChange={(e) => setContactEmail(e.target.value)}
        error={submit.fieldError('contactEmail')}
        hint="Where the agreement invitation and notices go."
      />
      <TextField
        label="Billing id"
        name="externalRef"
        spellCheck={false}
        value={externalRef}
        onChange={(e) => setExternalRef(e.target.value)}
        error={submit.fieldError('externalRef')}
        hint="The billing system's customer number (optional, unique)."
      />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={submit.busy}>
          {submitLabel}
        </Button>
        {onCancel && <Button onClick={onCancel}>Cancel</Button>}
      </div>
    </Form>
  );
}
