import { type FormEvent, type ReactNode, useEffect, useRef } from 'react';
import type { ApiError } from '../api/errors';

/**
 * A form validated by the API, not the browser (noValidate): the API's field
 * messages are the ones shown. After a failed submit the first invalid field
 * gets the focus, so keyboard users land where the problem is.
 */
export function Form({
  onSubmit,
  error,
  children,
  className,
  'aria-label': ariaLabel,
}: {
  onSubmit: () => void;
  error: ApiError | null;
  children: ReactNode;
  className?: string;
  'aria-label'?: string;
}) {
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!error) return;
    const target = ref.current?.querySelector<HTMLElement>('[aria-invalid="true"]') ?? ref.current?.querySelector<HTMLElement>('[role="alert"]');
    target?.focus();
  }, [error]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit();
  };
  return (
    <form ref={ref} method="post" noValidate onSubmit={submit} className={['form', className].filter(Boolean).join(' ')} aria-label={ariaLabel}>
      {children}
    </form>
  );
}
