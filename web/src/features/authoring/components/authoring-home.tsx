import { useState, type FormEvent } from 'react';
import { useI18n } from '../../../lib/i18n/i18n.js';
import { ApiError, apiClient } from '../../../lib/api-client.js';
import { Link, useRouter } from '../../../lib/router.js';
import { api, paths } from '../../../config/paths.js';
import { useQuery } from '../../../lib/use-query.js';
import { ErrorMessage, Loading } from '../../../components/ui/status.js';
import { adoptionText } from '../../frameworks/lib/adoption.js';
import { createFramework } from '../api/authoring.js';

type Summary = { identifier: string; title: string; adoptionStatus?: string; canAuthor?: boolean };

/** The frameworks the signed-in person may author, and a form creating a new one (a Private Draft). */
export function AuthoringHome({ viewer }: { viewer: string }) {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const list = useQuery(`authoring-list:${viewer}`, () => apiClient.get<{ frameworks: Summary[] }>(api.frameworks));
  const [title, setTitle] = useState('');
  const [creator, setCreator] = useState('');
  const [error, setError] = useState<ApiError>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const doc = (await createFramework({ title, creator })).data;
      navigate(paths.authoringFramework(doc.identifier));
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, 'internal', String(err)));
    }
  };
  return (
    <>
      <form className="card authoring-create" onSubmit={(e) => void submit(e)}>
        <h2>{t('authoring.create')}</h2>
        <div className="field">
          <label htmlFor="new-title">{t('authoring.title')}</label>
          <input id="new-title" required value={title} onChange={(e) => setTitle(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="new-creator">{t('authoring.creator')}</label>
          <input id="new-creator" required value={creator} onChange={(e) => setCreator(e.target.value)} />
        </div>
        {error && <ErrorMessage error={error} />}
        <button type="submit" className="button">{t('authoring.createSubmit')}</button>
      </form>
      <h2>{t('authoring.yours')}</h2>
      {list.loading ? <Loading /> : list.error ? <ErrorMessage error={list.error} onRetry={list.reload} /> : (
        <ul className="authoring-list">
          {list.data!.frameworks.filter((d) => d.canAuthor).map((d) => (
            <li key={d.identifier}>
              <Link to={paths.authoringFramework(d.identifier)}>{d.title}</Link>
              {d.adoptionStatus && <span className="muted small"> · {adoptionText(t, d.adoptionStatus)}</span>}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
