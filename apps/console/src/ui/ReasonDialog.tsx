import { type ReactNode, useState } from 'react';
import { ConfirmDialog } from './Dialog';
import { TextAreaField } from './fields';
import { useSubmit } from './hooks';

/**
 * A destructive action that needs a reason (suspend a customer, suspend or
 * revoke an agreement): confirm in a dialog, the API's message for `reason`
 * next to the field, anything else above the buttons.
 */
export function ReasonDialog<R>({
  open,
  title,
  confirmLabel,
  explanation,
  reasonHint,
  onSubmit,
  onDone,
  onClose,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  explanation: ReactNode;
  reasonHint?: string;
  onSubmit: (reason: string) => Promise<R>;
  onDone: (result: R) => void;
  onClose: () => void;
}) {
  const [reason, setReason] = useState('');
  const submit = useSubmit(async () => {
    const result = await onSubmit(reason);
    setReason('');
    onDone(result);
  });
  return (
    <ConfirmDialog
      open={open}
      title={title}
      confirmLabel={confirmLabel}
      danger
      busy={submit.busy}
      error={submit.error && submit.error.hasErrorsBeyond(['reason']) ? submit.error.message : null}
      onConfirm={() => void submit.run()}
      onCancel={() => {
        submit.clear();
        onClose();
      }}
    >
      {explanation}
      <TextAreaField
        label="Reason"
        name="reason"
        required
        rows={3}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        error={submit.fieldError('reason')}
        hint={reasonHint ?? 'Recorded in the audit log.'}
        autoFocus
      />
    </ConfirmDialog>
  );
}
