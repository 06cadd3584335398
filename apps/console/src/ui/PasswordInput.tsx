import { type InputHTMLAttributes, useState } from 'react';
import { Button } from './Button';
import { CopyButton } from './CopyButton';
import { TextField } from './fields';
import { generatePassword } from './password';

/**
 * A new password, typed or generated. A generated one is shown so it can be
 * handed to the user; a typed one is hidden unless asked.
 */
export function PasswordInput({
  label,
  value,
  onChange,
  error,
  hint,
  name = 'password',
  ...rest
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string;
  hint?: string;
  name?: string;
} & Omit<InputHTMLAttributes<HTMLInputElement>, 'value' | 'onChange' | 'type'>) {
  const [visible, setVisible] = useState(false);
  return (
    <div className="password-input">
      <TextField
        label={label}
        name={name}
        type={visible ? 'text' : 'password'}
        autoComplete="new-password"
        spellCheck={false}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        error={error}
        hint={hint}
        {...rest}
      />
      <div className="inline-actions">
        <Button
          className="btn-small"
          onClick={() => {
            onChange(generatePassword());
            setVisible(true);
          }}
        >
          Generate
        </Button>
        <Button className="btn-small" onClick={() => setVisible((v) => !v)} aria-pressed={visible}>
          {visible ? 'Hide' : 'Show'}
        </Button>
        {value && visible && <CopyButton value={value} label="password" />}
      </div>
    </div>
  );
}
