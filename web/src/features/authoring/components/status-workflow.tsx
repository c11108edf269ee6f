import { useState } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { adoptionText } from '../../frameworks/lib/adoption.js';
import { useAction } from '../../../lib/use-action.js';
import { setAdoptionStatus } from '../api/authoring.js';
import { WriteError } from './conflict.js';

const STATUSES = ['Private Draft', 'Draft', 'Pending Implementation', 'Adopted', 'Implemented', 'Deprecated', 'Retired'];
const DRAFTS = ['Private Draft', 'Draft', 'Pending Implementation'];

/**
 * The adoption-status workflow (docs/authoring.md): a button per other status; publishing (Adopted, Implemented) freezes
 * the framework as its next version; back to a draft from an official status needs "a new version" (else the API's
 * 409 says so, shown as it words it).
 */
export function StatusWorkflow({ fid, status, etag, onChanged }: { fid: string; status: string; etag: string | undefined; onChanged: () => void }) {
  const { t } = useI18n();
  const { busy, result, error, act } = useAction();
  const [newVersion, setNewVersion] = useState(false);
  const change = (to: string) =>
    void act(async () => {
      const r = (await setAdoptionStatus(fid, to, newVersion, etag)).data;
      onChanged();
      return r.version ? t('authoring.published', { status: adoptionText(t, to), version: r.version }) : t('authoring.statusChanged', { status: adoptionText(t, to) });
    });
  return (
    <section className="authoring-status card" aria-labelledby="authoring-status-h">
      <h2 id="authoring-status-h">{t('authoring.status')}</h2>
      <p>
        {t('authoring.currentStatus')} <strong>{adoptionText(t, status)}</strong>
      </p>
      <p className="authoring-status-buttons">
        {STATUSES.filter((s) => s !== status).map((s) => (
          <button key={s} type="button" className={DRAFTS.includes(s) ? 'button secondary small' : 'button small'} disabled={busy} onClick={() => change(s)}>
            {t('authoring.to', { status: adoptionText(t, s) })}
          </button>
        ))}
      </p>
      {!DRAFTS.includes(status) && (
        <label>
          <input type="checkbox" checked={newVersion} onChange={(e) => setNewVersion(e.target.checked)} /> {t('authoring.newVersion')}
        </label>
      )}
      <p role="status">{result}</p>
      {error && <WriteError error={error} onReload={onChanged} />}
    </section>
  );
}
