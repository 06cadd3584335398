import { useEffect, useState } from 'react';
import { TextField } from './fields';
import { formatBytes, parseBytes } from './format';

/**
 * A size typed the way people say it ("2 GiB", "500M"), kept as bytes for the
 * API (quotaBytes, storageBytes). Empty means null (no limit) when `allowEmpty`.
 */
export function ByteSizeField({
  label,
  name,
  bytes,
  onChange,
  error,
  hint,
  allowEmpty = false,
  emptyMeans = 'no limit',
}: {
  label: string;
  name: string;
  bytes: number | null;
  onChange: (bytes: number | null) => void;
  error?: string;
  hint?: string;
  allowEmpty?: boolean;
  /** What an empty field stands for, in the hint. */
  emptyMeans?: string;
}) {
  const [text, setText] = useState(bytes === null ? '' : formatBytes(bytes));
  const [unreadable, setUnreadable] = useState(false);
  // a new value from outside (a reset form) replaces what was typed
  useEffect(() => {
    setText((current) => (parseBytes(current) === bytes ? current : bytes === null ? '' : formatBytes(bytes)));
  }, [bytes]);
  const change = (value: string) => {
    setText(value);
    if (!value.trim() && allowEmpty) {
      setUnreadable(false);
      onChange(null);
      return;
    }
    const parsed = parseBytes(value);
    setUnreadable(parsed === null);
    if (parsed !== null) onChange(parsed);
  };
  const shown = unreadable ? `Write a size such as “2 GiB” or “500 MiB”.` : error;
  const hintText = [hint, bytes !== null && !unreadable ? `= ${bytes.toLocaleString()} bytes` : allowEmpty ? `Empty: ${emptyMeans}.` : null].filter(Boolean).join(' ');
  return <TextField label={label} name={name} inputMode="decimal" value={text} onChange={(e) => change(e.target.value)} error={shown} hint={hintText || undefined} />;
}
