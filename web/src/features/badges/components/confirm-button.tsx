import { useId, useRef, type ReactNode } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { useAction } from '../../../lib/use-action.js';

/**
 * A button that asks first: a modal dialog (focus stays in it, Escape closes it) saying what will happen, then
 * runs `run`, which returns the sentence to announce through `onDone`. An API error stays in the dialog.
 */
export function ConfirmButton(props: {
  label: string;
  ariaLabel?: string | undefined;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  run: () => Promise<string>;
  onDone: (message: string) => void;
  /** The page's main action (approve) rather than a secondary one. */
  primary?: boolean;
  disabled?: boolean;
}) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const titleId = useId();
  const { busy, error, act } = useAction();
  const close = () => dialog.current?.close();
  // Cancel has the focus first: Enter right after opening changes nothing.
  const open = () => {
    dialog.current?.showModal();
    cancel.current?.focus();
  };
  const confirm = async () => {
    let message = '';
    if (await act(async () => (message = await props.run()))) {
      close();
      props.onDone(message);
    }
  };
  return (
    <>
      <button type="button" className={props.primary ? 'button' : 'button secondary small'} onClick={open} aria-label={props.ariaLabel} disabled={props.disabled}>
        {props.label}
      </button>
      <dialog ref={dialog} className="revoke-dialog card" aria-labelledby={titleId}>
        <h2 id={titleId}>{props.title}</h2>
        {props.children}
        {error && <ErrorMessage error={error} />}
        <p className="badge-links">
          <button type="button" className="button" disabled={busy} onClick={() => void confirm()}>
            {props.confirmLabel}
          </button>
          <button type="button" className="button secondary" onClick={close} ref={cancel}>
            {t('common.cancel')}
          </button>
        </p>
      </dialog>
    </>
  );
}
