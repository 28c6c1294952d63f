import type { ReactNode } from 'react';

interface StatusMessageProps {
  kind: 'loading' | 'empty' | 'error';
  children: ReactNode;
}

/** A one-line page state: loading, empty or error. Errors are announced as alerts. */
export function StatusMessage({ kind, children }: StatusMessageProps) {
  if (kind === 'error') {
    return (
      <p className={`status-message status-${kind}`} role="alert">
        {children}
      </p>
    );
  }
  return (
    <p className={`status-message status-${kind}`} role="status">
      {children}
    </p>
  );
}
