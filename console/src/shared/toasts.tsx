import { useCallback, useState } from 'react';
import { Alert, AlertActionCloseButton, AlertGroup } from '@patternfly/react-core';

interface Toast {
  readonly id: number;
  readonly variant: 'success' | 'danger' | 'info';
  readonly title: string;
}

let nextId = 1;

/** Short-lived notifications ("cluster x deployed"), announced to screen readers. */
export function useToasts(): [React.ReactNode, (variant: Toast['variant'], title: string) => void] {
  const [toasts, setToasts] = useState<readonly Toast[]>([]);
  const remove = useCallback((id: number) => {
    setToasts((current) => current.filter((toast) => toast.id !== id));
  }, []);
  const notify = useCallback((variant: Toast['variant'], title: string) => {
    setToasts((current) => [...current, { id: nextId++, variant, title }]);
  }, []);
  const element = (
    <AlertGroup isToast isLiveRegion>
      {toasts.map((toast) => (
        <Alert
          key={toast.id}
          variant={toast.variant}
          title={toast.title}
          timeout={6000}
          onTimeout={() => {
            remove(toast.id);
          }}
          actionClose={
            <AlertActionCloseButton
              onClose={() => {
                remove(toast.id);
              }}
            />
          }
          data-test="toast"
        />
      ))}
    </AlertGroup>
  );
  return [element, notify];
}
