import { useState } from 'react';
import type { Schemas } from '../../api/client';
import { ByteSizeField } from '../../ui/ByteSizeField';
import { Button } from '../../ui/Button';
import { Form } from '../../ui/Form';
import { FormError, TextField } from '../../ui/fields';
import { useSubmit } from '../../ui/hooks';

export type DomainLimits = Pick<Schemas['UpdateDomainDto'], 'maxMailboxes' | 'storageBytes' | 'defaultQuotaBytes'>;
const FIELDS = ['maxMailboxes', 'storageBytes', 'defaultQuotaBytes'];

/** A domain's limits: how many mailboxes, how much storage in all, and a new mailbox's quota. Empty = no limit. */
export function DomainLimitsFields({ value, onChange, fieldError }: { value: DomainLimits; onChange: (v: DomainLimits) => void; fieldError: (f: string) => string | undefined }) {
  const [maxText, setMaxText] = useState(value.maxMailboxes === null || value.maxMailboxes === undefined ? '' : String(value.maxMailboxes));
  return (
    <>
      <TextField
        label="Maximum mailboxes"
        name="maxMailboxes"
        inputMode="numeric"
        value={maxText}
        onChange={(e) => {
          setMaxText(e.target.value);
          const t = e.target.value.trim();
          onChange({ ...value, maxMailboxes: t === '' ? null : Number(t) });
        }}
        error={fieldError('maxMailboxes')}
        hint="Empty: no limit."
      />
      <ByteSizeField label="Storage" name="storageBytes" bytes={value.storageBytes ?? null} allowEmpty onChange={(b) => onChange({ ...value, storageBytes: b })} error={fieldError('storageBytes')} hint="The sum of the mailbox quotas may not exceed it." />
      <ByteSizeField
        label="Quota of a new mailbox"
        name="defaultQuotaBytes"
        bytes={value.defaultQuotaBytes ?? null}
        allowEmpty
        onChange={(b) => onChange({ ...value, defaultQuotaBytes: b ?? undefined })}
        error={fieldError('defaultQuotaBytes')}
      />
    </>
  );
}

export function DomainLimitsForm({ initial, onSubmit, onCancel }: { initial: DomainLimits; onSubmit: (v: DomainLimits) => Promise<unknown>; onCancel: () => void }) {
  const [limits, setLimits] = useState(initial);
  const submit = useSubmit(() => onSubmit(limits));
  return (
    <Form onSubmit={() => void submit.run()} error={submit.error} aria-label="Domain limits">
      <FormError message={submit.formError(FIELDS)} />
      <DomainLimitsFields value={limits} onChange={setLimits} fieldError={submit.fieldError} />
      <div className="form-actions">
        <Button type="submit" variant="primary" busy={submit.busy}>
          Save limits
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </Form>
  );
}
