import { useId, useRef, useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ErrorMessage } from '../../../components/ui/status.js';
import { credentialUuid, revokeCredential } from '../api/badges.js';
import { useAction } from '../../../lib/use-action.js';

/**
 * Revoke an issued badge: a confirmation dialog that requires a reason (audited, and shown on the learner's
 * passport). `onDone` gets the sentence to announce.
 */
export function RevokeButton({ credentialId, name, onDone }: { credentialId: string; name: string; onDone: (message: string) => void }) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const reasonId = useId();
  const [reason, setReason] = useState('');
  const { busy, error, act } = useAction();
  const close = () => dialog.current?.close();
  const submit = async () => {
    const ok = await act(async () => {
      await revokeCredential(credentialUuid(credentialId), reason.trim());
      return t('badges.revoked', { name });
    });
    if (ok) {
      close();
      setReason('');
      onDone(t('badges.revoked', { name }));
    }
  };
  return (
    <>
      <button type="button" className="button secondary small" onClick={() => dialog.current?.showModal()} aria-label={t('badges.revokeOne', { name })}>
        {t('badges.revoke')}
      </button>
      <dialog ref={dialog} className="revoke-dialog card" aria-labelledby={titleId}>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <h2 id={titleId}>{t('badges.revokeTitle')}</h2>
          <p>{name}</p>
          <p className="muted small">{t('badges.revokeNote')}</p>
          <label htmlFor={reasonId}>{t('badges.revokeReason')}</label>
          <textarea id={reasonId} required maxLength={2000} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />
          {error && <ErrorMessage error={error} />}
          <p className="badge-links">
            <button type="submit" className="button" disabled={busy || !reason.trim()}>
              {t('badges.revokeConfirm')}
            </button>
            <button type="button" className="button secondary" onClick={close}>
              {t('common.cancel')}
            </button>
          </p>
        </form>
      </dialog>
    </>
  );
}
