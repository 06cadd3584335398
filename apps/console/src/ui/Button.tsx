import type { ButtonHTMLAttributes } from 'react';

type Props = ButtonHTMLAttributes<HTMLButtonElement> & {
  variant?: 'primary' | 'secondary' | 'danger' | 'link';
  /** Disables the button and says so to screen readers while a request runs. */
  busy?: boolean;
};

/** type="button" unless said otherwise: a button in a form must not submit it by accident. */
export function Button({ variant = 'secondary', busy = false, type = 'button', className, disabled, children, ...rest }: Props) {
  return (
    <button
      type={type}
      className={['btn', `btn-${variant}`, className].filter(Boolean).join(' ')}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      {...rest}
    >
      {children}
    </button>
  );
}
